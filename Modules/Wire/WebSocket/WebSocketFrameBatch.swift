/// Several WebSocket messages encoded for one gathered write.
///
/// Frames are packed into as few buffers as possible, so a multi-frame application message (a Bokeh message
/// is at least three WebSocket messages) goes out in one `writev`. A large payload that needs neither masking
/// nor compression is not copied: its array becomes a chunk of its own (copy-on-write shares the storage).
struct WebSocketFrameBatch {
    /// Payloads at least this large are referenced rather than copied (when unmasked and uncompressed).
    static let zeroCopyThreshold = 16 * 1024

    private(set) var chunks: [[UInt8]] = []
    private var current: [UInt8] = []

    init(capacity: Int = 512) { current.reserveCapacity(capacity) }

    /// Appends one message as one frame, or several when it exceeds `maxFrameSize`.
    mutating func append(
        opcode: WebSocketOpcode, reservedBits: UInt8, payload: UnsafeRawBufferPointer, maxFrameSize: Int,
        maskingKey: () -> WebSocketMaskingKey?
    ) {
        let total = payload.count
        var start = 0
        repeat {
            let end = Swift.min(total, start + maxFrameSize)
            let first = start == 0
            let key = maskingKey()
            WebSocketFrameEncoder.appendHeader(
                fin: end == total, reservedBits: first ? reservedBits : 0, opcode: first ? opcode : .continuation,
                payloadLength: end - start, maskingKey: key, to: &current)
            let part = UnsafeRawBufferPointer(rebasing: payload[start..<end])
            if let key {
                let offset = current.count
                current.append(contentsOf: repeatElement(0, count: part.count))
                current.withUnsafeMutableBytes { dst in
                    key.copyMasking(from: part, to: UnsafeMutableRawBufferPointer(rebasing: dst[offset...]))
                }
            } else {
                current.append(contentsOf: part)
            }
            start = end
        } while start < total
    }

    /// Appends an unmasked, uncompressed binary message whose payload is large: header here, payload by reference.
    mutating func appendShared(opcode: WebSocketOpcode, payload: [UInt8]) {
        WebSocketFrameEncoder.appendHeader(
            fin: true, reservedBits: 0, opcode: opcode, payloadLength: payload.count, maskingKey: nil, to: &current)
        chunks.append(current)
        chunks.append(payload)
        current = []
        current.reserveCapacity(256)
    }

    /// The chunks to write, in order.
    mutating func finish() -> [[UInt8]] {
        if !current.isEmpty {
            chunks.append(current)
            current = []
        }
        return chunks
    }

    /// Unmasked, uncompressed frames of `messages` (a server's plain frames).
    static func plainFrames(_ messages: [WebSocketMessage], maxFrameSize: Int) -> [[UInt8]] {
        var batch = WebSocketFrameBatch()
        for message in messages {
            switch message {
            case .text(var text):
                text.withUTF8 { p in
                    batch.append(
                        opcode: .text, reservedBits: 0, payload: UnsafeRawBufferPointer(p), maxFrameSize: maxFrameSize,
                        maskingKey: { nil })
                }
            case .binary(let bytes):
                if bytes.count >= zeroCopyThreshold && bytes.count <= maxFrameSize {
                    batch.appendShared(opcode: .binary, payload: bytes)
                } else {
                    bytes.withUnsafeBytes { p in
                        batch.append(
                            opcode: .binary, reservedBits: 0, payload: p, maxFrameSize: maxFrameSize, maskingKey: { nil })
                    }
                }
            }
        }
        return batch.finish()
    }
}

/// Messages encoded once as a server's plain frames, to send the same bytes to many connections
/// (a broadcast). Connections that compress, or clients, encode ``messages`` themselves.
public struct PreparedWebSocketMessages: Sendable {
    public let messages: [WebSocketMessage]
    /// Unmasked, uncompressed frames, unfragmented.
    let plainChunks: [[UInt8]]
    /// Total bytes of ``plainChunks``.
    public let byteCount: Int
    /// The largest message payload, in bytes (connections that fragment below it encode themselves).
    let largestPayload: Int

    public init(_ messages: [WebSocketMessage]) {
        self.messages = messages
        let chunks = WebSocketFrameBatch.plainFrames(messages, maxFrameSize: .max)
        self.plainChunks = chunks
        self.byteCount = chunks.reduce(0) { $0 + $1.count }
        self.largestPayload = messages.reduce(0) { m, message in
            switch message {
            case .text(let t): Swift.max(m, t.utf8.count)
            case .binary(let b): Swift.max(m, b.count)
            }
        }
    }
}
