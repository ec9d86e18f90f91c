/// One WebSocket message as the Bokeh protocol sees it: a text or a binary payload.
///
/// A Bokeh message travels as several consecutive WebSocket messages ("fragments"): three text
/// fragments (header, metadata, content), then one text buffer header and one binary payload per buffer.
/// ServerCore and Client turn Wire's WebSocket messages into fragments and back.
public enum Fragment: Sendable, Hashable {
    /// A text WebSocket message (opcode 1), already decoded from UTF-8.
    case text(String)
    /// A binary WebSocket message (opcode 2).
    case binary([UInt8])

    /// The payload size in bytes (UTF-8 bytes for text).
    public var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }

    var kindName: String {
        switch self {
        case .text: "text"
        case .binary: "binary"
        }
    }
}
