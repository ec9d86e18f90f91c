/// Which end of a WebSocket connection we are. Servers require masked frames from clients;
/// clients mask what they send and require unmasked frames (RFC 6455 section 5.1).
public enum WebSocketRole: Sendable, Hashable {
    case server
    case client
}

/// A frame opcode (RFC 6455 section 5.2). Reserved values decode as themselves and are rejected
/// by the decoder with close code 1002.
public struct WebSocketOpcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let continuation = WebSocketOpcode(rawValue: 0x0)
    public static let text = WebSocketOpcode(rawValue: 0x1)
    public static let binary = WebSocketOpcode(rawValue: 0x2)
    public static let close = WebSocketOpcode(rawValue: 0x8)
    public static let ping = WebSocketOpcode(rawValue: 0x9)
    public static let pong = WebSocketOpcode(rawValue: 0xA)

    public var isControl: Bool { rawValue & 0x8 != 0 }
    public var isKnown: Bool { [0x0, 0x1, 0x2, 0x8, 0x9, 0xA].contains(rawValue) }

    public var description: String {
        switch rawValue {
        case 0x0: "continuation"
        case 0x1: "text"
        case 0x2: "binary"
        case 0x8: "close"
        case 0x9: "ping"
        case 0xA: "pong"
        default: "reserved(0x\(String(rawValue, radix: 16)))"
        }
    }
}

/// One WebSocket frame with its payload unmasked.
public struct WebSocketFrame: Sendable, Hashable {
    public var fin: Bool
    /// RSV1, RSV2, RSV3 as bits 2, 1, 0 (`0b100` is RSV1, used by permessage-deflate).
    public var reservedBits: UInt8
    public var opcode: WebSocketOpcode
    public var payload: [UInt8]

    public init(fin: Bool = true, reservedBits: UInt8 = 0, opcode: WebSocketOpcode, payload: [UInt8] = []) {
        self.fin = fin
        self.reservedBits = reservedBits & 0b111
        self.opcode = opcode
        self.payload = payload
    }

    public var rsv1: Bool { reservedBits & 0b100 != 0 }
}

/// A complete WebSocket message.
public enum WebSocketMessage: Sendable, Hashable {
    case text(String)
    case binary([UInt8])
}

/// A close status code (RFC 6455 section 7.4).
public struct WebSocketCloseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let normalClosure = Self(1000)
    public static let goingAway = Self(1001)
    public static let protocolError = Self(1002)
    public static let unsupportedData = Self(1003)
    /// Never sent: stands for "the close frame had no status code".
    public static let noStatusReceived = Self(1005)
    /// Never sent: stands for "the connection ended without a close frame".
    public static let abnormalClosure = Self(1006)
    public static let invalidFramePayloadData = Self(1007)
    public static let policyViolation = Self(1008)
    public static let messageTooBig = Self(1009)
    public static let mandatoryExtension = Self(1010)
    public static let internalServerError = Self(1011)

    /// Whether a peer may send this code in a close frame. RFC 6455 section 7.4 allows 1000–1003,
    /// 1007–1011 (plus IANA's 1012–1014) and 3000–4999. With `allowingNonStandard`, codes of 5000
    /// and above are accepted too: Python's Bokeh server closes with 10000 and 10001.
    public func isValidOnWire(allowingNonStandard: Bool = false) -> Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        case 5000...: allowingNonStandard
        default: false
        }
    }

    public var description: String { String(rawValue) }
}

/// Limits and policy of a WebSocket connection.
public struct WebSocketConfiguration: Sendable, Hashable {
    /// Largest frame payload accepted. Exceeding it closes with 1009. Default 16 MiB.
    public var maxFrameSize: Int
    /// Largest message (all fragments, after decompression) accepted. Exceeding it closes with 1009.
    /// Default 20 MiB, the Bokeh server's `websocket_max_message_size`.
    public var maxMessageSize: Int
    /// Split outgoing messages into frames of at most this many payload bytes. Default: never split.
    public var maxOutgoingFrameSize: Int
    /// Accept close codes of 5000 and above from the peer (Bokeh's server sends 10000/10001).
    /// Default false (strict RFC 6455); a client talking to a Python Bokeh server turns it on.
    public var acceptsNonStandardCloseCodes: Bool

    public init(
        maxFrameSize: Int = 16 * 1024 * 1024, maxMessageSize: Int = 20 * 1024 * 1024,
        maxOutgoingFrameSize: Int = .max, acceptsNonStandardCloseCodes: Bool = false
    ) {
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
        self.maxOutgoingFrameSize = Swift.max(1, maxOutgoingFrameSize)
        self.acceptsNonStandardCloseCodes = acceptsNonStandardCloseCodes
    }

    public static let `default` = WebSocketConfiguration()
}

/// What went wrong on a WebSocket, and the close code the peer should receive.
public struct WebSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Code: Sendable, Hashable {
        case reservedOpcode, reservedBitsSet, unmaskedClientFrame, maskedServerFrame, controlFrameTooLong,
            fragmentedControlFrame, invalidLength, frameTooLarge, messageTooLarge, unexpectedContinuation,
            expectedContinuation, invalidUTF8, invalidCloseCode, invalidClosePayload, compressionFailed,
            decompressionFailed, handshakeFailed, handshakeRejected, closed
    }
    package let code: Code
    public let detail: String
    /// The HTTP status of a refused opening handshake (``isHandshakeRejection``); nil for every other error.
    public let httpStatus: HTTPStatus?

    package init(_ code: Code, _ detail: String, httpStatus: HTTPStatus? = nil) {
        self.code = code
        self.detail = detail
        self.httpStatus = httpStatus
    }

    public static let reservedOpcode = Self(.reservedOpcode, "reserved opcode")
    public static let reservedBitsSet = Self(.reservedBitsSet, "reserved bits set without a negotiated extension")
    public static let unmaskedClientFrame = Self(.unmaskedClientFrame, "client frame is not masked")
    public static let maskedServerFrame = Self(.maskedServerFrame, "server frame is masked")
    public static let controlFrameTooLong = Self(.controlFrameTooLong, "control frame payload longer than 125 bytes")
    public static let fragmentedControlFrame = Self(.fragmentedControlFrame, "fragmented control frame")
    public static let invalidLength = Self(.invalidLength, "64-bit payload length with the high bit set")
    public static let frameTooLarge = Self(.frameTooLarge, "frame too large")
    public static let messageTooLarge = Self(.messageTooLarge, "message too big")
    public static let unexpectedContinuation = Self(.unexpectedContinuation, "continuation frame with no message")
    public static let expectedContinuation = Self(.expectedContinuation, "new data frame inside a fragmented message")
    public static let invalidUTF8 = Self(.invalidUTF8, "invalid UTF-8 in text message")
    public static let invalidCloseCode = Self(.invalidCloseCode, "invalid close code")
    public static let invalidClosePayload = Self(.invalidClosePayload, "close payload of one byte")
    public static let compressionFailed = Self(.compressionFailed, "compression failed")
    public static let decompressionFailed = Self(.decompressionFailed, "invalid compressed data")
    public static let closed = Self(.closed, "connection is closing or closed")

    public static func handshakeFailed(_ detail: String) -> Self { Self(.handshakeFailed, detail) }

    /// The server answered the opening handshake with `status` instead of 101 (a 403 for a refused origin, a
    /// 404 for an unknown path): ``httpStatus`` carries it.
    public static func handshakeRejected(_ status: HTTPStatus) -> Self {
        Self(.handshakeRejected, "expected 101 Switching Protocols, got \(status)", httpStatus: status)
    }

    /// Whether the server refused the opening handshake with an HTTP status (in ``httpStatus``).
    public var isHandshakeRejection: Bool { code == .handshakeRejected }

    /// The close code to send for this error.
    public var closeCode: WebSocketCloseCode {
        switch code {
        case .frameTooLarge, .messageTooLarge: .messageTooBig
        case .invalidUTF8: .invalidFramePayloadData
        case .compressionFailed: .internalServerError
        default: .protocolError
        }
    }

    public var description: String { "\(closeCode.rawValue) \(detail)" }

    public static func == (a: Self, b: Self) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }
}
