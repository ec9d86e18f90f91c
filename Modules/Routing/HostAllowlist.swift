/// The websocket-origin allowlist of a Bokeh server (`--allow-websocket-origin`).
///
/// Entries are `name:port` strings, `*`, or patterns with `*` labels or ports (`192.168.*.*:80`,
/// `*.test:80`, `*:5006`). Bokeh has no Host-header allowlist: this list is consulted only for a
/// websocket's `Origin` (see ``OriginPolicy``) and for the `autoload.js` CORS echo.
///
/// Build it with ``init(hosts:port:)`` from command-line values, which applies Bokeh's
/// `create_hosts_allowlist` rules, or with ``init(entries:)`` for a list that is already normalised
/// (Bokeh's `extra_websocket_origins`, or the `BOKEH_ALLOW_WS_ORIGIN` override).
public struct HostAllowlist: Hashable, Sendable {
    /// The entries, in the order given; duplicates are kept out.
    public let entries: [String]

    /// Warnings to log at WARNING level, one per entry containing `*`, in Bokeh's wording.
    public let warnings: [String]

    /// Builds the allowlist the way `bokeh serve` does.
    ///
    /// - Empty `hosts` gives `["localhost:<port>"]` only (not `127.0.0.1`; same-origin requests are
    ///   accepted separately by ``OriginPolicy``).
    /// - Otherwise only the listed hosts: `*` is kept as is, a bare `name` becomes `name:80`, and
    ///   `name:port` is kept if the port parses as a (Python) integer.
    ///
    /// - Parameters:
    ///   - hosts: Values of `--allow-websocket-origin`.
    ///   - port: The port the server is bound to (default 5006), used only for the default entry.
    /// - Throws: ``RoutingError/emptyHost``, ``RoutingError/invalidPort(host:)`` (`*.test:*`) or
    ///   ``RoutingError/invalidHost(host:)`` (more than one `:`), with Bokeh's messages.
    public init(hosts: [String], port: Int) throws(RoutingError) {
        guard !hosts.isEmpty else {
            self.init(entries: ["localhost:\(port)"])
            return
        }
        var entries: [String] = []
        var warnings: [String] = []
        for host in hosts {
            if host.contains("*") {
                warnings.append(
                    "Host wildcard \(pythonRepr(host)) will allow connections originating from multiple "
                        + "(or possibly all) hostnames or IPs. Use non-wildcard values to restrict access explicitly")
            }
            entries.append(try Self.normalize(host))
        }
        self.init(entries: entries, warnings: warnings)
    }

    /// Uses `entries` as they are, with no defaults and no normalisation.
    ///
    /// An empty list allows nothing (a unix-socket server given no origins).
    public init(entries: [String]) {
        self.init(entries: entries, warnings: [])
    }

    /// Parses the value of `BOKEH_ALLOW_WS_ORIGIN`, which replaces the allowlist when set.
    ///
    /// Entries are separated by commas; surrounding whitespace and empty entries are dropped.
    /// Entries are not normalised, which is harmless: a pattern without a port accepts any port
    /// of a matching name.
    public init(environmentValue: String) {
        let entries = environmentValue.split(separator: ",").map { trimmed($0) }.filter { !$0.isEmpty }
        self.init(entries: entries)
    }

    private init(entries: [String], warnings: [String]) {
        var seen = Set<String>()
        self.entries = entries.filter { seen.insert($0).inserted }
        self.warnings = warnings
    }

    /// Whether a request host (an Origin's lower-cased `host[:port]`) is allowed.
    ///
    /// A host without `:` is taken to be on port 80. The host is allowed if it is literally an entry
    /// or matches one with ``matchHost(_:pattern:)``.
    public func allows(host: String) -> Bool {
        checkWhitelist(host, entries)
    }

    /// The entries as Python prints the set in Bokeh's rejection log (`{'localhost:5006'}`).
    public var pythonDescription: String {
        entries.isEmpty ? "set()" : "{" + entries.map(pythonRepr).joined(separator: ", ") + "}"
    }

    /// Normalises one `--allow-websocket-origin` value.
    private static func normalize(_ host: String) throws(RoutingError) -> String {
        if host == "*" { return host }
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard !host.isEmpty else { throw .emptyHost }
            return host + ":80"
        case 2:
            guard isPythonInteger(parts[1]) else { throw .invalidPort(host: host) }
            guard !parts[0].isEmpty else { throw .emptyHost }
            return host
        default:
            throw .invalidHost(host: host)
        }
    }
}

/// Whether `host` is allowed by `allowlist`, with Bokeh's `check_allowlist` semantics.
///
/// A host without `:` is taken to be on port 80 (`alice` → `alice:80`); the host is allowed if it
/// is literally in the list or ``matchHost(_:pattern:)`` accepts it for some entry.
public func checkWhitelist(_ host: String, _ allowlist: some Sequence<String>) -> Bool {
    let host = host.contains(":") ? host : host + ":80"
    return allowlist.contains { $0 == host || matchHost(host, pattern: $0) }
}

/// Whether `host` matches one allowlist `pattern`, with Bokeh's `match_host` semantics.
///
/// - `*` matches everything.
/// - Host and pattern are split at their last `:` into name and port. A pattern port other than `*`
///   must equal the host's port (a host without a port never matches a pattern with one).
/// - A pattern name `*` matches any name; otherwise both names are split on `.` and must have the
///   same number of labels, each equal (case-sensitively) or `*` in the pattern. Requiring the same
///   count is the CVE-2026-21883 fix: `dashboard.corp` does not accept `dashboard.corp.attacker.com`.
///
/// IPv6 literals are not understood: `[::1]:5006` splits into name `[::1]` and port `5006`.
public func matchHost(_ host: String, pattern: String) -> Bool {
    if pattern == "*" { return true }
    let (hostName, hostPort) = splitPort(host[...])
    var (patternName, patternPort) = splitPort(pattern[...])
    if patternPort == "*" { patternPort = nil }
    if let patternPort, hostPort != patternPort { return false }
    if patternName == "*" { return true }
    let hostLabels = hostName.split(separator: ".", omittingEmptySubsequences: false)
    let patternLabels = patternName.split(separator: ".", omittingEmptySubsequences: false)
    guard hostLabels.count == patternLabels.count else { return false }
    return zip(hostLabels, patternLabels).allSatisfy { $0 == $1 || $1 == "*" }
}

/// Splits at the last `:` (Python's `rsplit(':', 1)`); the port is `nil` when there is no `:`.
private func splitPort(_ value: Substring) -> (name: Substring, port: Substring?) {
    guard let colon = value.lastIndex(of: ":") else { return (value, nil) }
    return (value[..<colon], value[value.index(after: colon)...])
}

/// Whether Python's `int()` accepts `text`: optional surrounding whitespace, an optional sign, and
/// ASCII digits with single underscores between them.
private func isPythonInteger(_ text: Substring) -> Bool {
    var digits = trimmed(text)[...]
    if let sign = digits.first, sign == "+" || sign == "-" { digits = digits.dropFirst() }
    guard let first = digits.first, first.isASCII, first.isNumber, digits.last != "_" else { return false }
    var previousWasUnderscore = false
    for character in digits {
        if character == "_" {
            if previousWasUnderscore { return false }
            previousWasUnderscore = true
        } else if character.isASCII, character.isNumber {
            previousWasUnderscore = false
        } else {
            return false
        }
    }
    return true
}

/// `text` without leading and trailing ASCII whitespace.
func trimmed(_ text: Substring) -> String {
    let isSpace: (Character) -> Bool = {
        $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}"
    }
    guard let start = text.firstIndex(where: { !isSpace($0) }), let end = text.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(text[start...end])
}

/// Python's `repr()` of a string, as Bokeh's log messages print it (`'localhost:5006'`).
func pythonRepr(_ text: String) -> String {
    let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
    var result = String(quote)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where Character(scalar) == quote: result += "\\" + String(quote)
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        default: result.unicodeScalars.append(scalar)
        }
    }
    result.append(quote)
    return result
}
