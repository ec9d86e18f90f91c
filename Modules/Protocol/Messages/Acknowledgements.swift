public import DocumentModel

extension Message {
    /// `ACK`: what the server sends first, right after the WebSocket opens. Content `{}`.
    public static func ack(metadata: JSONValue = .object([:])) -> Message {
        empty(.ack, metadata: metadata)
    }

    /// `OK`: the reply to a PUSH-DOC or PATCH-DOC whose msgid is `requestID`. Content `{}`.
    public static func ok(replyingTo requestID: String, metadata: JSONValue = .object([:])) -> Message {
        empty(.ok, replyingTo: requestID, metadata: metadata)
    }

    /// `ERROR`: the reply when handling the request `requestID` failed. The connection stays open.
    ///
    /// - Parameters:
    ///   - text: What failed; Python sends `repr(exception)`, e.g.
    ///     `UnknownReferenceError("can't resolve reference 'nope'")`.
    ///   - traceback: A traceback or other detail; `nil` is sent as JSON `null`.
    public static func error(
        replyingTo requestID: String, text: String, traceback: String? = nil, metadata: JSONValue = .object([:])
    ) -> Message {
        var message = empty(.error, replyingTo: requestID, metadata: metadata)
        message.content = ErrorContent(text: text, traceback: traceback).json
        return message
    }
}

/// The content of an ERROR message: `{"text": str, "traceback": str or null}`.
public struct ErrorContent: Sendable, Hashable {
    public var text: String
    public var traceback: String?

    public init(text: String, traceback: String? = nil) {
        self.text = text
        self.traceback = traceback
    }

    init(_ content: JSONValue, type: MessageType) throws(ProtocolError) {
        guard case .string(let text)? = content["text"] else {
            throw .malformedContent(type, expected: "a string 'text'")
        }
        switch content["traceback"] {
        case nil, .null?: traceback = nil
        case .string(let t)?: traceback = t
        default: throw .malformedContent(type, expected: "a string or null 'traceback'")
        }
        self.text = text
    }

    var json: JSONValue {
        .object(["text": .string(text), "traceback": traceback.map { .string($0) } ?? .null])
    }
}
