/// Errors of the Bokeh client: connection failures with the reason, code and detail the connection
/// recorded, lost connections, timeouts, server ERROR replies and URLs of the wrong kind.
public struct ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case connectionFailed, connectionLost, timeout, serverError, protocolViolation, notConnected, usage, browser
        case invalidURL
    }

    private let kind: Kind
    /// What went wrong, in words.
    public let detail: String
    /// HTTP status of a refused handshake, or the WebSocket close code the server sent.
    public let code: Int?
    /// Why the connection ended, for connection errors.
    public let reason: ErrorReason?

    private init(_ kind: Kind, _ detail: String, code: Int? = nil, reason: ErrorReason? = nil) {
        self.kind = kind
        self.detail = detail
        self.code = code
        self.reason = reason
    }

    /// The connection could not be established (refused, HTTP error, closed before the ACK).
    public static func connectionFailed(reason: ErrorReason, code: Int?, detail: String) -> Self {
        Self(.connectionFailed, detail, code: code, reason: reason)
    }
    /// The connection ended while a reply was awaited.
    public static func connectionLost(reason: ErrorReason, code: Int?, detail: String) -> Self {
        Self(.connectionLost, detail, code: code, reason: reason)
    }
    public static func timeout(_ what: String) -> Self { Self(.timeout, "timed out: \(what)") }
    /// The server answered a request with ERROR.
    public static func serverError(_ text: String) -> Self { Self(.serverError, text) }
    public static func protocolViolation(_ detail: String) -> Self { Self(.protocolViolation, detail) }
    public static let notConnected = Self(.notConnected, "not connected")
    /// The API was used in a way it does not allow (pushing a second document, reading before pulling).
    public static func usage(_ detail: String) -> Self { Self(.usage, detail) }
    /// No browser could be started.
    public static func browser(_ detail: String) -> Self { Self(.browser, detail) }
    /// A URL of the wrong kind: a `ws://` or `wss://` URL (or no scheme at all) where the server's `http(s)://`
    /// URL belongs, as Python's `ValueError` from `SessionCoordinates` and `websocket_url_for_server_url`.
    public static func invalidURL(_ detail: String) -> Self { Self(.invalidURL, detail) }

    public var isConnectionFailure: Bool { kind == .connectionFailed }
    public var isConnectionLost: Bool { kind == .connectionLost }
    public var isTimeout: Bool { kind == .timeout }
    public var isServerError: Bool { kind == .serverError }
    /// Whether this is an ``invalidURL(_:)`` error.
    public var isInvalidURL: Bool { kind == .invalidURL }

    public var description: String {
        let codeText = code.map { " (code \($0))" } ?? ""
        switch kind {
        case .connectionFailed:
            if reason == .httpError && code == 404 {
                return
                    "failed to connect to the server: HTTP 404, no Bokeh application at this URL (start one with 'bokeh serve')"
            }
            return "failed to connect to the server\(codeText): \(detail)"
        case .connectionLost: return "connection to the server was lost\(codeText): \(detail)"
        case .serverError: return "server error: \(detail)"
        default: return detail
        }
    }
}
