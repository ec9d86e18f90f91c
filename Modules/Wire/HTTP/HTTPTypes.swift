/// An HTTP status code with its reason phrase.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var reason: String

    public init(code: Int, reason: String? = nil) {
        self.code = code
        self.reason = reason ?? HTTPStatus.standardReason(for: code)
    }

    public var description: String { "\(code) \(reason)" }

    public static let switchingProtocols = HTTPStatus(code: 101)
    public static let ok = HTTPStatus(code: 200)
    public static let noContent = HTTPStatus(code: 204)
    public static let partialContent = HTTPStatus(code: 206)
    public static let found = HTTPStatus(code: 302)
    public static let notModified = HTTPStatus(code: 304)
    public static let badRequest = HTTPStatus(code: 400)
    public static let forbidden = HTTPStatus(code: 403)
    public static let notFound = HTTPStatus(code: 404)
    public static let methodNotAllowed = HTTPStatus(code: 405)
    public static let requestTimeout = HTTPStatus(code: 408)
    public static let payloadTooLarge = HTTPStatus(code: 413)
    public static let uriTooLong = HTTPStatus(code: 414)
    public static let rangeNotSatisfiable = HTTPStatus(code: 416)
    public static let upgradeRequired = HTTPStatus(code: 426)
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
    public static let internalServerError = HTTPStatus(code: 500)
    public static let notImplemented = HTTPStatus(code: 501)
    public static let serviceUnavailable = HTTPStatus(code: 503)
    public static let httpVersionNotSupported = HTTPStatus(code: 505)

    /// Whether a response with this status never has a body (RFC 9112 section 6.3).
    public var forbidsBody: Bool { (100..<200).contains(code) || code == 204 || code == 304 }

    /// The reason phrases Tornado uses (those of Python's `http.client.responses`).
    public static func standardReason(for code: Int) -> String {
        switch code {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Request Entity Too Large"
        case 414: "Request-URI Too Long"
        case 416: "Requested Range Not Satisfiable"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }
}

/// An HTTP/1.x version.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }

    /// Persistence rule: HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`.
    static func keepsAlive(_ version: HTTPVersion, _ headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }
}

/// The request line and header fields of an HTTP request.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method, exactly as sent (`GET`); methods are case-sensitive.
    public var method: HTTPMethod
    /// The request target as sent (`/app/ws?x=1`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    @available(*, deprecated, message: "pass an HTTPMethod: init(method: HTTPMethod(rawValue: token), ...)")
    @_disfavoredOverload
    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.init(method: HTTPMethod(rawValue: method), target: target, version: version, headers: headers)
    }

    /// The path part of the target, still percent-encoded.
    public var path: Substring {
        if let q = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { return target[..<q] }
        return target[...]
    }

    /// The query part of the target without `?` (empty when there is none).
    public var query: Substring {
        guard let q = target.firstIndex(of: "?") else { return "" }
        let rest = target[target.index(after: q)...]
        if let h = rest.firstIndex(of: "#") { return rest[..<h] }
        return rest
    }

    /// Whether the connection stays open after this request (RFC 9112 section 9.3).
    public var keepAlive: Bool { HTTPVersion.keepsAlive(version, headers) }

    /// Whether the request asks to switch protocols (`Connection: upgrade` with an `Upgrade` field).
    public var isUpgrade: Bool {
        headers.contains(name: "Upgrade") && headers.containsToken("upgrade", in: "Connection")
    }
}

/// The status line and header fields of an HTTP response.
public struct HTTPResponseHead: Sendable, Hashable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders

    public init(status: HTTPStatus, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.headers = headers
    }

    /// Whether the connection stays open after this response (RFC 9112 section 9.3).
    public var keepAlive: Bool { HTTPVersion.keepsAlive(version, headers) }
}

/// A complete request: head and body (bodies are bounded by ``HTTPParserLimits/maxBodyBytes``).
public struct HTTPRequest: Sendable, Hashable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }
}

/// A complete response: head and body.
public struct HTTPResponse: Sendable, Hashable {
    public var head: HTTPResponseHead
    public var body: [UInt8]
    public init(head: HTTPResponseHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }
}

/// Limits the HTTP parsers enforce. Exceeding one is an ``HTTPError`` with the matching status.
public struct HTTPParserLimits: Sendable, Hashable {
    /// Longest request line (method, target, version) in bytes. Exceeding it answers 414.
    /// Default 8 KiB, like common servers; Bokeh URLs carry tokens in query strings, well under that.
    public var maxRequestLineBytes: Int
    /// Total bytes of all header lines. Exceeding it answers 431. Default 64 KiB (Tornado's default).
    public var maxHeaderBytes: Int
    /// Most header fields in one message. Exceeding it answers 431. Default 100.
    public var maxHeaderCount: Int
    /// Largest body, by Content-Length or summed chunks. Exceeding it answers 413. Default 10 MiB:
    /// Bokeh's HTTP endpoints take no large uploads; documents travel over the WebSocket.
    public var maxBodyBytes: Int
    /// Longest chunk-size line in chunked encoding (with extensions). Default 1 KiB; beyond it, 400.
    public var maxChunkLineBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 64 * 1024, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 10 * 1024 * 1024, maxChunkLineBytes: Int = 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }

    public static let `default` = HTTPParserLimits()
}

/// What went wrong while parsing HTTP, and the status a server should answer with.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Code: Sendable, Hashable {
        case malformedRequestLine, malformedStatusLine, malformedHeader, requestLineTooLong, headersTooLarge,
            tooManyHeaders, bodyTooLarge, invalidContentLength, conflictingLength, unsupportedTransferEncoding,
            malformedChunk, unsupportedVersion, invalidMethod, invalidTarget, truncatedMessage
    }
    package let code: Code
    /// Human-readable detail.
    public let detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public static let malformedRequestLine = HTTPError(.malformedRequestLine, "malformed request line")
    public static let malformedStatusLine = HTTPError(.malformedStatusLine, "malformed status line")
    public static let malformedHeader = HTTPError(.malformedHeader, "malformed header field")
    public static let requestLineTooLong = HTTPError(.requestLineTooLong, "request line too long")
    public static let headersTooLarge = HTTPError(.headersTooLarge, "header section too large")
    public static let tooManyHeaders = HTTPError(.tooManyHeaders, "too many header fields")
    public static let bodyTooLarge = HTTPError(.bodyTooLarge, "body too large")
    public static let invalidContentLength = HTTPError(.invalidContentLength, "invalid Content-Length")
    public static let conflictingLength = HTTPError(.conflictingLength, "both Content-Length and Transfer-Encoding")
    public static let unsupportedTransferEncoding = HTTPError(
        .unsupportedTransferEncoding, "unsupported Transfer-Encoding")
    public static let malformedChunk = HTTPError(.malformedChunk, "malformed chunked body")
    public static let unsupportedVersion = HTTPError(.unsupportedVersion, "unsupported HTTP version")
    public static let invalidMethod = HTTPError(.invalidMethod, "invalid method token")
    public static let invalidTarget = HTTPError(.invalidTarget, "invalid request target")
    public static let truncatedMessage = HTTPError(.truncatedMessage, "connection closed mid-message")

    /// The response status a server sends for this error.
    public var status: HTTPStatus {
        switch code {
        case .requestLineTooLong: .uriTooLong
        case .headersTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .payloadTooLarge
        case .unsupportedTransferEncoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        default: .badRequest
        }
    }

    public var description: String { "\(status.code) \(detail)" }

    public static func == (a: HTTPError, b: HTTPError) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }
}
