public import DocumentModel

/// A message's content read according to its type.
public enum MessageBody: Sendable, Equatable {
    case ack
    case ok
    case error(ErrorContent)
    case pullDocumentRequest
    /// The `doc` JSON; the message's buffers belong to it.
    case pullDocumentReply(document: JSONValue)
    /// The `doc` JSON; the message's buffers belong to it.
    case pushDocument(document: JSONValue)
    /// The `events` list; the message's buffers belong to it.
    case patchDocument(events: [JSONValue])
    case serverInfoRequest
    case serverInfoReply(VersionInfo)
}

extension Message {
    /// The content read according to ``type``.
    ///
    /// Python reads content only when handling a message, so content problems are handler errors:
    /// a server answers them with an ERROR reply and keeps the connection.
    ///
    /// - Throws: ``ProtocolError`` (``ProtocolError/isMalformedContent``) when required fields are
    ///   missing or of the wrong type.
    public func body() throws(ProtocolError) -> MessageBody {
        switch type {
        case .ack: return .ack
        case .ok: return .ok
        case .error: return .error(try ErrorContent(content, type: type))
        case .pullDocumentRequest: return .pullDocumentRequest
        case .pullDocumentReply: return .pullDocumentReply(document: try documentJSON())
        case .pushDocument: return .pushDocument(document: try documentJSON())
        case .patchDocument: return .patchDocument(events: try patchEvents())
        case .serverInfoRequest: return .serverInfoRequest
        default: return .serverInfoReply(try VersionInfo(content, type: type))
        }
    }

    func requiredMember(_ key: String, expected: String) throws(ProtocolError) -> JSONValue {
        guard case .object(let object) = content, let value = object[key] else {
            throw .malformedContent(type, expected: expected)
        }
        return value
    }

    /// A message with a fresh id whose content is `{}`.
    static func empty(_ type: MessageType, replyingTo requestID: String? = nil, metadata: JSONValue) -> Message {
        Message(header: .next(type, replyingTo: requestID), metadata: metadata)
    }
}
