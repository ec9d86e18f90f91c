public import Wire

/// Resolves a request's method and path against a ``RouteTable`` to what the server must do.
///
/// Precedence follows Tornado: the path picks the route first (first match in table order, unknown
/// path → 404 whatever the method), then the method is checked (not implemented by the handler →
/// 405), then captured path arguments are percent-decoded (not UTF-8 → 400), and finally `GET PFX/`
/// becomes a redirect when the table says so.
///
/// - Important: Bokeh's index handler is `@authenticated`, so a server with an auth hook must check
///   the user before following ``RouteResolution/redirect(location:match:)``.
public struct Router: Hashable, Sendable {
    /// The table routes are taken from.
    public let table: RouteTable

    /// Creates a router over `table`.
    public init(table: RouteTable) {
        self.table = table
    }

    /// Resolves one request.
    ///
    /// - Parameters:
    ///   - method: The request method.
    ///   - path: The request path; anything from the first `?` on (the query) is ignored.
    public func resolve(method: HTTPMethod, path: String) -> RouteResolution {
        let path = path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path
        guard let (route, rawCaptures) = table.firstMatch(for: path) else { return .notFound }
        guard route.methods.contains(method) else { return .methodNotAllowed(route) }
        var captures: [String] = []
        captures.reserveCapacity(rawCaptures.count)
        for raw in rawCaptures {
            let bytes = percentDecoded(raw)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .badRequest(logMessage: "Invalid unicode in url: \(pythonBytesRepr(bytes.prefix(40)))")
            }
            captures.append(text)
        }
        var named: [String: String] = [:]
        for (name, value) in zip(route.pattern.captureNames, captures) {
            if let name { named[name] = value }
        }
        let match = RouteMatch(route: route, captures: captures, namedCaptures: named)
        if route.handler == .rootIndex, method == .get, let location = table.rootRedirectLocation {
            return .redirect(location: location, match: match)
        }
        return .matched(match)
    }
}

/// What a server does with a request, as decided by ``Router/resolve(method:path:)``.
public enum RouteResolution: Hashable, Sendable {
    /// Hand the request to the matched route's handler.
    case matched(RouteMatch)
    /// Answer `302 Found` with `Location: location` (after the auth check).
    case redirect(location: String, match: RouteMatch)
    /// The path matched `Route` but its handler does not implement the method: `405 Method Not Allowed`.
    case methodNotAllowed(Route)
    /// No route matched: `404 Not Found`.
    case notFound
    /// A captured path argument is not UTF-8 once percent-decoded: `400 Bad Request`; log `logMessage`.
    case badRequest(logMessage: String)

    /// The HTTP status the router decided, or `nil` when the handler decides.
    public var status: Int? {
        switch self {
        case .matched: nil
        case .redirect: 302
        case .methodNotAllowed: 405
        case .notFound: 404
        case .badRequest: 400
        }
    }

    /// The matched route and arguments, for ``matched(_:)`` and ``redirect(location:match:)``.
    public var match: RouteMatch? {
        switch self {
        case .matched(let match), .redirect(_, let match): match
        case .methodNotAllowed, .notFound, .badRequest: nil
        }
    }
}

/// A route that matched a path, with its decoded path arguments.
public struct RouteMatch: Hashable, Sendable {
    /// The matched route.
    public let route: Route
    /// Each capturing group's text, percent-decoded (`+` is kept, as Tornado does for paths).
    public let captures: [String]
    /// The captures of named groups (`(?P<name>…)`), by name.
    public let namedCaptures: [String: String]

    /// The application the route belongs to (without prefix), for per-application routes.
    public var applicationPath: String? { route.applicationPath }
    /// The handler to run.
    public var handler: HandlerKind { route.handler }
}

/// Python's `urllib.parse.unquote_to_bytes`: `%XX` becomes a byte; malformed escapes stay as they are.
func percentDecoded(_ text: Substring) -> [UInt8] {
    let utf8 = Array(text.utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var index = 0
    while index < utf8.count {
        if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count, let high = hexValue(utf8[index + 1]),
            let low = hexValue(utf8[index + 2])
        {
            bytes.append(high << 4 | low)
            index += 3
        } else {
            bytes.append(utf8[index])
            index += 1
        }
    }
    return bytes
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Python's `repr()` of a `bytes` value (`b'\xff'`).
private func pythonBytesRepr(_ bytes: some Collection<UInt8>) -> String {
    let quote: UInt8 = bytes.contains(UInt8(ascii: "'")) && !bytes.contains(UInt8(ascii: "\"")) ? 0x22 : 0x27
    var result = "b" + String(Unicode.Scalar(quote))
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\\"): result += "\\\\"
        case quote: result += "\\" + String(Unicode.Scalar(quote))
        case UInt8(ascii: "\n"): result += "\\n"
        case UInt8(ascii: "\r"): result += "\\r"
        case UInt8(ascii: "\t"): result += "\\t"
        case 0x20..<0x7F: result.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16)
            result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return result + String(Unicode.Scalar(quote))
}
