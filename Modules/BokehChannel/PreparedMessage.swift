import DocumentModel
public import Protocol
package import Wire

/// A Bokeh message encoded once, to be written to one peer or many: a session's broadcast of a document
/// change goes to every connection from one encoding. Connections that compress re-frame the same JSON.
///
/// Encoding may happen on any thread; the frames are written on each connection's loop.
public struct PreparedMessage: Sendable {
    public let message: Message
    /// The WebSocket messages of ``message``; buffers are written from their storage (a column's, often) as is.
    package let frames: PreparedWebSocketMessages

    /// Encodes `message` (Python's style by default, what every server connection uses).
    public init(_ message: Message, encoder: MessageEncoder = MessageEncoder(style: .python)) throws(ProtocolError) {
        self.message = message
        let texts = try encoder.encodeTexts(message)
        frames = PreparedWebSocketMessages(
            texts: texts.parts + texts.bufferHeaders, interleaving: message.buffers.map(\.sharedStorage),
            after: texts.parts.count)
    }
}

extension Buffer {
    /// The storage as Wire writes it: shared, not copied.
    var sharedStorage: any ByteStorage {
        switch storage {
        case .bytes(let a): ArrayBytes(a)
        case .float64(let a): ArrayBytes(a)
        case .float32(let a): ArrayBytes(a)
        case .int32(let a): ArrayBytes(a)
        case .uint32(let a): ArrayBytes(a)
        case .int16(let a): ArrayBytes(a)
        case .uint16(let a): ArrayBytes(a)
        case .int8(let a): ArrayBytes(a)
        }
    }
}
