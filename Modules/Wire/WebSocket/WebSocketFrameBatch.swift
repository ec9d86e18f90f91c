/// Several WebSocket messages encoded for one gathered write.
///
/// Frames are packed into as few buffers as possible, so a multi-frame application message (a Bokeh message
/// is at least three WebSocket messages) goes out in one `writev`. A large payload that needs neither masking
/// nor compression is not copied: its storage becomes a chunk of its own.
struct WebSocketFrameBatch {
    /// Payloads at least this large are referenced rather than copied (when unmasked and uncompressed).
    static let zeroCopyThreshold = 16 * 1024

    private(set) var chunks: [OutgoingChunk] = []
    private var current: [UInt8] = []

    init(capacity: Int = 512) { current.reserveCapacity(capacity) }

    /// Appends one message as one frame, or several when it exceeds `maxFrameSize`.
    mutating func append(
        opcode: WebSocketOpcode, reservedBits: UInt8, payload: UnsafeRawBufferPointer, maxFrameSize: Int,
        maskingKey: () -> WebSocketMaskingKey?
    ) {
        let total = payload.count
        let step = Swift.max(1, maxFrameSize)  // a zero or negative setting would never advance
        var start = 0
        repeat {
            let end = start + Swift.min(total - start, step)
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
    mutating func appendShared(opcode: WebSocketOpcode, payload: OutgoingChunk) {
        WebSocketFrameEncoder.appendHeader(
            fin: true, reservedBits: 0, opcode: opcode, payloadLength: payload.count, maskingKey: nil, to: &current)
        chunks.append(.bytes(current))
        chunks.append(payload)
        current = []
        current.reserveCapacity(256)
    }

    /// The chunks to write, in order.
    mutating func finish() -> [OutgoingChunk] {
        if !current.isEmpty {
            chunks.append(.bytes(current))
            current = []
        }
        return chunks
    }

    /// Unmasked, uncompressed frames of `parts` (a server's plain frames).
    static func plainFrames(_ parts: [PreparedWebSocketMessages.Part], maxFrameSize: Int) -> [OutgoingChunk] {
        var batch = WebSocketFrameBatch()
        for part in parts {
            switch part {
            case .text(var text):
                text.withUTF8 { p in
                    batch.append(
                        opcode: .text, reservedBits: 0, payload: UnsafeRawBufferPointer(p), maxFrameSize: maxFrameSize,
                        maskingKey: { nil })
                }
            case .binary(let chunk):
                if chunk.count >= zeroCopyThreshold && chunk.count <= maxFrameSize {
                    batch.appendShared(opcode: .binary, payload: chunk)
                } else {
                    chunk.withUnsafeBytes { p in
                        batch.append(
                            opcode: .binary, reservedBits: 0, payload: p, maxFrameSize: maxFrameSize,
                            maskingKey: { nil })
                    }
                }
            }
        }
        return batch.finish()
    }
}

/// Messages encoded once as a server's plain frames, to send the same bytes to many connections
/// (a broadcast), and to write binary payloads straight from storage the caller owns (no copy).
/// Connections that compress, or clients, encode ``messages`` themselves.
public struct PreparedWebSocketMessages: @unchecked Sendable {
    // @unchecked: `Part.binary` holds an `OutgoingChunk`, whose storage is `[UInt8]` or `any ByteStorage`
    // (Sendable); the enum itself is not declared Sendable only because it is internal.
    enum Part {
        case text(String)
        case binary(OutgoingChunk)

        init(_ message: WebSocketMessage) {
            switch message {
            case .text(let t): self = .text(t)
            case .binary(let b): self = .binary(.bytes(b))
            }
        }
    }

    let parts: [Part]
    /// Unmasked, uncompressed frames, unfragmented.
    let plainChunks: [OutgoingChunk]
    /// Total bytes of the plain frames.
    public let byteCount: Int
    /// The largest message payload, in bytes (connections that fragment below it encode themselves).
    let largestPayload: Int

    public init(_ messages: [WebSocketMessage]) {
        self.init(parts: messages.map(Part.init))
    }

    /// Text messages and binary messages whose payload is written from `storage` without a copy.
    public init(texts: [String], interleaving binaries: [any ByteStorage], after leadingTexts: Int) {
        var parts: [Part] = []
        parts.reserveCapacity(texts.count + binaries.count)
        let lead = Swift.min(Swift.max(0, leadingTexts), texts.count)
        for t in texts[..<lead] { parts.append(.text(t)) }
        var rest = texts[lead...].makeIterator()
        for storage in binaries {
            if let t = rest.next() { parts.append(.text(t)) }
            parts.append(.binary(OutgoingChunk(storage)))
        }
        while let t = rest.next() { parts.append(.text(t)) }
        self.init(parts: parts)
    }

    init(parts: [Part]) {
        self.parts = parts
        let chunks = WebSocketFrameBatch.plainFrames(parts, maxFrameSize: .max)
        self.plainChunks = chunks
        self.byteCount = chunks.reduce(0) { $0 + $1.count }
        self.largestPayload = parts.reduce(0) { m, part in
            switch part {
            case .text(let t): Swift.max(m, t.utf8.count)
            case .binary(let c): Swift.max(m, c.count)
            }
        }
    }

    /// The messages (binary payloads copied out of shared storage).
    public var messages: [WebSocketMessage] {
        parts.map {
            switch $0 {
            case .text(let t): .text(t)
            case .binary(let c): .binary(c.array)
            }
        }
    }
}
