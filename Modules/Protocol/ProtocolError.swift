import DocumentModel

/// The one error type of the Protocol layer: message assembly, encoding, typed content access, session
/// ids and tokens.
///
/// ``closeCode`` and ``closeReason`` say how a Bokeh server closes the WebSocket for this error, as the
/// Python server does: 10001 with the exception text for Bokeh's ValidationError / ProtocolError /
/// MessageError, 10000 `server failed to parse a message` for anything else raised while parsing.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        // Assembly (Python: bokeh/protocol/receiver.py and message.py).
        case unexpectedFragment, malformedBufferHeader, missingMessageType, metadataNotJSON, contentNotJSON
        case headerNotJSON, bufferHeaderNotJSON, unknownMessageType, headerNotParsable, malformedHeader
        case tooBig
        // Handling and typed access.
        case notExpectedOnServer, malformedContent, unencodable
        // Session ids and tokens.
        case invalidToken, invalidTokenSignature, invalidSessionID, expiredToken, missingExpiry
        case subprotocol, reservedPayloadKey, compression, configuration
    }

    private let code: Code
    /// What went wrong, for logs.
    public let description: String
    /// The reason text to send in the close frame (the Python server's exact text where it has one).
    public let closeReason: String
    /// The WebSocket close code for this error.
    public let closeCode: UInt16

    private init(_ code: Code, _ description: String, reason: String? = nil, closeCode: UInt16) {
        self.code = code
        self.description = description
        self.closeReason = reason ?? description
        self.closeCode = closeCode
    }

    /// Bokeh's "internal error" close code: an unexpected exception while parsing or handling.
    public static let internalErrorCloseCode: UInt16 = 10000
    /// Bokeh's "protocol error" close code: a ValidationError, ProtocolError or MessageError.
    public static let protocolErrorCloseCode: UInt16 = 10001
    /// RFC 6455 "message too big", which Tornado sends for an oversize WebSocket message.
    public static let messageTooBigCloseCode: UInt16 = 1009
    /// RFC 6455 "policy violation", used here for rejected session tokens (the Python server closes
    /// without a code there; any close before ACK is what clients rely on).
    public static let policyViolationCloseCode: UInt16 = 1008

    private static let failedToParse = "server failed to parse a message"

    private static func internalError(_ code: Code, _ description: String) -> Self {
        Self(code, description, reason: failedToParse, closeCode: internalErrorCloseCode)
    }

    private static func protocolError(_ code: Code, _ text: String) -> Self {
        Self(code, text, closeCode: protocolErrorCloseCode)
    }

    private static func tokenError(_ code: Code, _ text: String) -> Self {
        Self(code, text, closeCode: policyViolationCloseCode)
    }

    // MARK: Assembly

    /// A fragment of the wrong kind for the assembler's state, e.g. binary where the header belongs.
    static func unexpectedFragment(expected: String, received: String, state: String) -> Self {
        protocolError(
            .unexpectedFragment, "expected \(expected) fragment but received \(received) fragment for \(state)")
    }

    /// A buffer header other than exactly `{"id": <string>}`.
    static func malformedBufferHeader(_ header: JSONValue) -> Self {
        protocolError(.malformedBufferHeader, "Malformed buffer header \(PythonRepr.string(header))")
    }

    /// A header without `msgtype`.
    static let missingMessageType = protocolError(.missingMessageType, "No 'msgtype' in header")
    /// Metadata that is not JSON.
    static let metadataNotJSON = protocolError(.metadataNotJSON, "metadata could not be decoded")
    /// Content that is not JSON.
    static let contentNotJSON = protocolError(.contentNotJSON, "content could not be decoded")

    static func headerNotJSON(_ detail: String) -> Self {
        internalError(.headerNotJSON, "message header is not JSON: \(detail)")
    }

    static func bufferHeaderNotJSON(_ detail: String) -> Self {
        internalError(.bufferHeaderNotJSON, "buffer header is not JSON: \(detail)")
    }

    static func unknownMessageType(_ type: JSONValue) -> Self {
        internalError(.unknownMessageType, "unknown message type \(PythonRepr.string(type))")
    }

    /// A header that is JSON but cannot be read as a header (Python raises a TypeError there).
    static func headerNotParsable(_ header: JSONValue) -> Self {
        internalError(.headerNotParsable, "message header is not an object: \(PythonRepr.string(header))")
    }

    /// A header whose `msgid`, `reqid` or `num_buffers` has the wrong type.
    static func malformedHeader(_ detail: String) -> Self {
        protocolError(.malformedHeader, "Malformed message header: \(detail)")
    }

    /// A fragment, buffer count or whole message beyond ``MessageAssemblerLimits``.
    static func tooBig(_ detail: String) -> Self {
        Self(.tooBig, "message too big: \(detail)", reason: "message too big", closeCode: messageTooBigCloseCode)
    }

    // MARK: Handling

    /// A client sent a message type that only servers send (ACK, OK, ERROR, *-REPLY). The Python
    /// server closes with 10000 and this exact reason: `Message 'OK' content: {} not expected on server`.
    public static func notExpectedOnServer(_ message: Message) -> Self {
        let text = "\(message) not expected on server"
        return Self(.notExpectedOnServer, text, closeCode: internalErrorCloseCode)
    }

    /// Content without the fields its message type requires. A server answers this with an ERROR
    /// reply rather than closing (as Python does for exceptions raised by handlers).
    static func malformedContent(_ type: MessageType, expected: String) -> Self {
        Self(.malformedContent, "malformed \(type) content: expected \(expected)", closeCode: internalErrorCloseCode)
    }

    /// A message that cannot be written as JSON (a NaN or infinite number outside number reps).
    static func unencodable(_ detail: String) -> Self {
        Self(.unencodable, "message cannot be encoded: \(detail)", closeCode: internalErrorCloseCode)
    }

    // MARK: Tokens

    static func invalidToken(_ detail: String) -> Self { tokenError(.invalidToken, "Invalid token: \(detail)") }
    static func invalidTokenSignature(_ detail: String) -> Self {
        Self(
            .invalidTokenSignature, "Invalid token signature: \(detail)", reason: "Invalid token signature",
            closeCode: policyViolationCloseCode)
    }
    static func invalidSessionID(_ detail: String) -> Self {
        tokenError(.invalidSessionID, "Invalid session ID: \(detail)")
    }
    static let expiredToken = tokenError(
        .expiredToken,
        "Token is expired. Configure the app with a larger value for --session-token-expiration if necessary")
    static let missingExpiry = tokenError(.missingExpiry, "Session expiry has not been provided")
    static func subprotocol(_ text: String) -> Self { tokenError(.subprotocol, text) }
    static let reservedPayloadKey = tokenError(
        .reservedPayloadKey, "extra_payload for session tokens may not contain 'session_id'")
    static func compression(_ detail: String) -> Self { tokenError(.compression, "zlib: \(detail)") }
    static let missingSecretKey = tokenError(
        .configuration,
        "To sign sessions, the BOKEH_SECRET_KEY environment variable must be set; the `swift-bokeh secret` command can be used to generate a new key."
    )
    static func invalidExpiration(_ seconds: Int) -> Self {
        tokenError(.configuration, "session token expiration must be greater than 0, got \(seconds)")
    }

    // MARK: Matching

    /// True for errors whose close code is Bokeh's 10001 protocol error.
    public var isProtocolViolation: Bool { closeCode == Self.protocolErrorCloseCode }
    /// A fragment of the wrong kind (text where binary belongs or the reverse).
    public var isUnexpectedFragment: Bool { code == .unexpectedFragment }
    /// A limit in ``MessageAssemblerLimits`` was exceeded.
    public var isTooBig: Bool { code == .tooBig }
    /// A message type a server does not accept from clients.
    public var isNotExpectedOnServer: Bool { code == .notExpectedOnServer }
    /// Content lacking what its message type requires.
    public var isMalformedContent: Bool { code == .malformedContent }
    /// A token or session id was rejected (bad encoding, signature, expiry or subprotocol).
    public var isTokenRejection: Bool {
        [.invalidToken, .invalidTokenSignature, .invalidSessionID, .expiredToken, .missingExpiry, .subprotocol]
            .contains(code)
    }
    /// The token's expiry has passed.
    public var isExpiredToken: Bool { code == .expiredToken }
    /// A signature (of a token or of the session id inside it) did not verify.
    public var isInvalidSignature: Bool { code == .invalidTokenSignature || code == .invalidSessionID }
}
