/// Decides whether a websocket upgrade may proceed, given its `Origin`, `Host` and `Sec-Fetch-Site`.
///
/// This is Tornado 6.6's cross-origin check with Bokeh's `check_origin` plugged in:
///
/// 1. `Sec-Fetch-Site: same-origin` or `none` → allowed, without consulting the allowlist.
/// 2. No `Sec-Fetch-Site`: no `Origin` → allowed (not a browser); the Origin's lower-cased netloc
///    equal to the lower-cased `Host` header (ports included) → allowed; otherwise the allowlist decides.
/// 3. Any other `Sec-Fetch-Site` (`cross-site`, `same-site`): allowed only if `Origin` is present and
///    the allowlist accepts it; the Origin == Host shortcut does not apply.
///
/// The allowlist sees the Origin's netloc, lower-cased, with the scheme ignored
/// (`https://localhost:5006` → `localhost:5006`). A rejected request gets `403` with the body
/// `Cross origin websockets not allowed` and Bokeh's ERROR log line.
///
/// The policy runs after the `Upgrade`/`Connection` header checks and is pure: no I/O, no clock.
public struct OriginPolicy: Hashable, Sendable {
    /// The allowlist consulted for cross-origin requests.
    public var allowlist: HostAllowlist

    /// Creates a policy over `allowlist`.
    public init(allowlist: HostAllowlist) {
        self.allowlist = allowlist
    }

    /// The body Tornado sends with a rejection.
    public static let rejectionBody = "Cross origin websockets not allowed"

    /// Evaluates one upgrade request.
    ///
    /// - Parameters:
    ///   - origin: The `Origin` header (or, if absent, `Sec-WebSocket-Origin`), `nil` when neither was
    ///     sent. An empty header is present, not absent.
    ///   - host: The request's `Host` header, if any.
    ///   - secFetchSite: The `Sec-Fetch-Site` header, if any.
    public func evaluate(origin: String?, host: String?, secFetchSite: String?) -> OriginDecision {
        if let secFetchSite {
            if secFetchSite == "same-origin" || secFetchSite == "none" { return .allowed(.sameOriginFetch) }
            guard let origin else {
                return .rejected(OriginRejection(body: Self.rejectionBody, logMessage: Self.rejectionBody))
            }
            return checkAllowlist(origin: origin)
        }
        guard let origin else { return .allowed(.noOrigin) }
        if let host, case .success(let netloc) = OriginNetloc.parse(origin), netloc == host.lowercased() {
            return .allowed(.originMatchesHost)
        }
        return checkAllowlist(origin: origin)
    }

    /// The value for `Access-Control-Allow-Origin` on an `autoload.js` response.
    ///
    /// Bokeh always sends `*`, replaced by the request's exact `Origin` (and `Vary: Origin` added) when
    /// that origin's host passes the allowlist.
    ///
    /// - Returns: The origin to echo, or `nil` to keep `*`.
    public func corsOrigin(for origin: String?) -> String? {
        guard let origin, case .success(let netloc) = OriginNetloc.parse(origin), allowlist.allows(host: netloc)
        else { return nil }
        return origin
    }

    /// Bokeh's `WSHandler.check_origin`.
    private func checkAllowlist(origin: String) -> OriginDecision {
        switch OriginNetloc.parse(origin) {
        case .success(let netloc):
            if allowlist.allows(host: netloc) { return .allowed(.allowlisted) }
            let message =
                "Refusing websocket connection from Origin '\(origin)';"
                + String(repeating: " ", count: 21)
                + "use --allow-websocket-origin=\(netloc) or set BOKEH_ALLOW_WS_ORIGIN=\(netloc) to permit this; "
                + "currently we allow origins \(allowlist.pythonDescription)"
            return .rejected(OriginRejection(body: Self.rejectionBody, logMessage: message))
        case .failure(let reason):
            return .rejected(
                OriginRejection(
                    status: 500, reason: "Internal Server Error",
                    body:
                        "<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>",
                    logMessage:
                        "Uncaught exception checking websocket Origin \(pythonRepr(origin)): ValueError('\(reason)')"))
        }
    }
}

/// The outcome of ``OriginPolicy/evaluate(origin:host:secFetchSite:)``.
public enum OriginDecision: Hashable, Sendable {
    /// The upgrade may proceed.
    case allowed(OriginAcceptance)
    /// The upgrade must be answered with the given response.
    case rejected(OriginRejection)

    /// Whether the upgrade may proceed.
    public var isAllowed: Bool {
        if case .allowed = self { true } else { false }
    }
}

/// Why an upgrade was allowed.
public enum OriginAcceptance: Hashable, Sendable {
    /// `Sec-Fetch-Site` was `same-origin` or `none`.
    case sameOriginFetch
    /// There was no `Origin` (and no `Sec-Fetch-Site`): not a browser.
    case noOrigin
    /// The Origin's netloc equals the `Host` header.
    case originMatchesHost
    /// The allowlist accepted the Origin's host.
    case allowlisted
}

/// The response to a rejected upgrade and the line to log.
public struct OriginRejection: Hashable, Sendable {
    /// The HTTP status: 403, or 500 when the Origin could not be parsed at all (Python's `urlparse`
    /// raises `Invalid IPv6 URL` and Tornado answers with its default error page).
    public let status: Int
    /// The reason phrase for the status line.
    public let reason: String
    /// The response body (`text/html; charset=UTF-8`).
    public let body: String
    /// The message to log at ERROR level.
    public let logMessage: String

    /// Creates a rejection; the default is Tornado's `403 Forbidden`.
    public init(status: Int = 403, reason: String = "Forbidden", body: String, logMessage: String) {
        self.status = status
        self.reason = reason
        self.body = body
        self.logMessage = logMessage
    }
}

/// The netloc of an Origin as Python's `urlparse(origin).netloc.lower()` computes it.
enum OriginNetloc {
    /// Parses `origin`; fails where Python's `urlsplit` raises `ValueError`.
    static func parse(_ origin: String) -> Result<String, ParseFailure> {
        // urlsplit first strips leading C0 controls and spaces, then removes tab, CR and LF anywhere.
        var text = Substring(origin)
        while let first = text.unicodeScalars.first, first.value <= 0x20 { text = text.dropFirst() }
        let isBreak: (UInt8) -> Bool = { $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        var rest: Substring
        if text.utf8.contains(where: isBreak) {
            rest = Substring(String(decoding: text.utf8.filter { !isBreak($0) }, as: UTF8.self))
        } else {
            rest = text
        }
        if let colon = rest.firstIndex(of: ":"), colon != rest.startIndex, isScheme(rest[..<colon]) {
            rest = rest[rest.index(after: colon)...]
        }
        guard rest.hasPrefix("//") else { return .success("") }
        rest = rest.dropFirst(2)
        let netloc = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let opens = netloc.contains("[")
        let closes = netloc.contains("]")
        if opens != closes { return .failure(ParseFailure(reason: "Invalid IPv6 URL")) }
        if opens, !isBracketedHostValid(netloc) {
            return .failure(ParseFailure(reason: "Invalid IPv6 URL"))
        }
        return .success(netloc.lowercased())
    }

    /// Why an Origin could not be parsed (Python's `ValueError` message).
    struct ParseFailure: Error, Hashable {
        let reason: String
    }

    /// Whether `text` is a URL scheme: an ASCII letter, then letters, digits, `+`, `-` or `.`.
    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// Whether the `[…]` part of a netloc holds something shaped like an IPv6 address or an IPvFuture.
    private static func isBracketedHostValid(_ netloc: Substring) -> Bool {
        let afterUserinfo = netloc.lastIndex(of: "@").map { netloc[netloc.index(after: $0)...] } ?? netloc
        guard let open = afterUserinfo.firstIndex(of: "["), let close = afterUserinfo.firstIndex(of: "]"),
            open < close
        else { return false }
        let inside = afterUserinfo[afterUserinfo.index(after: open)..<close]
        if inside.first == "v" || inside.first == "V" { return inside.contains(".") }
        let address = inside.split(separator: "%", maxSplits: 1).first ?? inside
        return address.contains(":") && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
