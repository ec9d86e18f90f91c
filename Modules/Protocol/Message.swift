public import DocumentModel

/// A complete Bokeh message: header, metadata, content and binary buffers.
///
/// Build messages with the typed constructors (``ack(metadata:)``, ``ok(replyingTo:)``,
/// ``patchDocument(events:in:)``, …), read them with ``body()``, turn them into fragments with
/// ``MessageEncoder`` and back with ``MessageAssembler``.
public struct Message: Sendable, Equatable {
    public var header: MessageHeader
    /// Free-form JSON, never interpreted; Bokeh always sends `{}`.
    public var metadata: JSONValue
    /// The type-specific content (see ``MessageBody``).
    public var content: JSONValue
    /// Binary buffers, in the order their ids first appear in the content.
    public var buffers: [Buffer]

    public init(
        header: MessageHeader, metadata: JSONValue = .object([:]), content: JSONValue = .object([:]),
        buffers: [Buffer] = []
    ) {
        self.header = header
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// `header.type`.
    public var type: MessageType { header.type }
    /// `header.messageID`.
    public var messageID: String? { header.messageID }
    /// `header.requestID`.
    public var requestID: String? { header.requestID }
}

extension Message: CustomStringConvertible {
    /// Python's `repr` of a Bokeh message: `Message 'OK' content: {}`.
    public var description: String {
        "Message '\(header.type.rawValue)' content: \(PythonRepr.string(content))"
    }
}
