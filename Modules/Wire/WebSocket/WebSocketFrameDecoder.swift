/// Incremental RFC 6455 frame decoder. Feed bytes in any chunking; frames come out whole and unmasked.
///
/// The decoder checks everything that can be judged from one frame: opcode, reserved bits, masking
/// direction, control-frame rules and the frame size limit. Message-level rules (fragmentation
/// order, UTF-8, message size) belong to ``WebSocketStateMachine``. After an error the decoder stays
/// failed: the connection must be closed with ``WebSocketError/closeCode``.
public struct WebSocketFrameDecoder: Sendable {
    /// Frames received are checked against this role: a server expects masked frames.
    public let role: WebSocketRole
    /// The largest payload accepted (1009 beyond it). See ``WebSocketConfiguration/maxFrameSize``.
    public var maxFrameSize: Int
    /// Reserved bits the peer may set (`0b100` once permessage-deflate is negotiated).
    public var allowedReservedBits: UInt8

    private var input = InputBuffer()
    private var failure: WebSocketError?

    public init(
        role: WebSocketRole, maxFrameSize: Int = WebSocketConfiguration.default.maxFrameSize,
        allowedReservedBits: UInt8 = 0
    ) {
        self.role = role
        self.maxFrameSize = maxFrameSize
        self.allowedReservedBits = allowedReservedBits
    }

    /// Adds received bytes.
    public mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        input.append(contentsOf: bytes)
    }

    /// Bytes buffered but not yet decoded.
    public var bufferedByteCount: Int { input.count }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(WebSocketError) -> WebSocketFrame? {
        if let failure { throw failure }
        do {
            return try decode()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decode() throws(WebSocketError) -> WebSocketFrame? {
        let available = input.count
        guard available >= 2 else { return nil }
        let b0 = input.byte(at: 0), b1 = input.byte(at: 1)
        let fin = b0 & 0x80 != 0
        let rsv = (b0 >> 4) & 0b111
        let opcode = WebSocketOpcode(rawValue: b0 & 0x0F)
        let masked = b1 & 0x80 != 0
        let len7 = Int(b1 & 0x7F)

        // Judge what the first two bytes show before waiting for more (fail fast).
        guard opcode.isKnown else { throw .reservedOpcode }
        guard rsv & ~allowedReservedBits == 0 else { throw .reservedBitsSet }
        if opcode.isControl {
            guard fin else { throw .fragmentedControlFrame }
            guard len7 <= 125 else { throw .controlFrameTooLong }
            guard rsv == 0 else { throw .reservedBitsSet }
        }
        switch role {
        case .server: guard masked else { throw .unmaskedClientFrame }
        case .client: guard !masked else { throw .maskedServerFrame }
        }

        let limit = Swift.max(0, maxFrameSize)
        var headerLength = 2
        var length = len7
        if len7 == 126 {
            guard available >= 4 else { return nil }
            length = Int(input.byte(at: 2)) << 8 | Int(input.byte(at: 3))
            headerLength = 4
        } else if len7 == 127 {
            guard available >= 10 else { return nil }
            var l: UInt64 = 0
            for i in 2..<10 { l = l << 8 | UInt64(input.byte(at: i)) }
            guard l & (1 << 63) == 0 else { throw .invalidLength }
            // trap-safe: limit is clamped to >= 0 above
            guard l <= UInt64(limit) else { throw .frameTooLarge }
            // trap-safe: l <= limit <= Int.max
            length = Int(l)
            headerLength = 10
        }
        guard length <= limit else { throw .frameTooLarge }

        var key: WebSocketMaskingKey?
        if masked {
            guard available >= headerLength + 4 else { return nil }
            key = WebSocketMaskingKey(
                input.byte(at: headerLength), input.byte(at: headerLength + 1), input.byte(at: headerLength + 2),
                input.byte(at: headerLength + 3))
            headerLength += 4
        }
        // Compared without adding: `length` may be close to Int.max when the limit allows it.
        guard available - headerLength >= length else { return nil }

        let start = headerLength
        let payload = input.withUnreadBytes { p -> [UInt8] in
            let source = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[start..<(start + length)])
            guard let key else { return Array(source) }
            return [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
                key.copyMasking(from: source, to: UnsafeMutableRawBufferPointer(out))
                initialized = length
            }
        }
        input.consume(headerLength + length)
        return WebSocketFrame(fin: fin, reservedBits: rsv, opcode: opcode, payload: payload)
    }
}

/// Serialises frames, masking them when a key is given (clients must; servers must not).
public enum WebSocketFrameEncoder {
    /// The header bytes of a frame with `payloadLength` bytes of payload.
    public static func header(
        fin: Bool = true, reservedBits: UInt8 = 0, opcode: WebSocketOpcode, payloadLength: Int,
        maskingKey: WebSocketMaskingKey? = nil
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(14)
        appendHeader(
            fin: fin, reservedBits: reservedBits, opcode: opcode, payloadLength: payloadLength,
            maskingKey: maskingKey, to: &out)
        return out
    }

    static func appendHeader(
        fin: Bool, reservedBits: UInt8, opcode: WebSocketOpcode, payloadLength n: Int,
        maskingKey: WebSocketMaskingKey?, to out: inout [UInt8]
    ) {
        out.append((fin ? 0x80 : 0) | (reservedBits & 0b111) << 4 | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        if n <= 125 {
            out.append(maskBit | UInt8(truncatingIfNeeded: n))
        } else if n <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(truncatingIfNeeded: n >> 8))
            out.append(UInt8(truncatingIfNeeded: n))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: n >> shift)) }
        }
        if let k = maskingKey {
            out.append(k.bytes.0)
            out.append(k.bytes.1)
            out.append(k.bytes.2)
            out.append(k.bytes.3)
        }
    }

    /// A whole frame: header and (masked, when a key is given) payload.
    public static func encode(_ frame: WebSocketFrame, maskingKey: WebSocketMaskingKey? = nil) -> [UInt8] {
        var out: [UInt8] = []
        append(frame, maskingKey: maskingKey, to: &out)
        return out
    }

    /// Appends a whole frame to `out`.
    public static func append(_ frame: WebSocketFrame, maskingKey: WebSocketMaskingKey? = nil, to out: inout [UInt8]) {
        let n = frame.payload.count
        out.reserveCapacity(out.count + n + 14)
        appendHeader(
            fin: frame.fin, reservedBits: frame.reservedBits, opcode: frame.opcode, payloadLength: n,
            maskingKey: maskingKey, to: &out)
        guard let key = maskingKey else {
            out.append(contentsOf: frame.payload)
            return
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: n))
        frame.payload.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                key.copyMasking(from: src, to: UnsafeMutableRawBufferPointer(rebasing: dst[start...]))
            }
        }
    }

    /// The payload of a close frame: the code in network order and the reason, cut to fit 125 bytes
    /// on a character boundary.
    public static func closePayload(code: WebSocketCloseCode?, reason: String = "") -> [UInt8] {
        guard let code else { return [] }
        var out: [UInt8] = [UInt8(truncatingIfNeeded: code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue)]
        var r: [UInt8] = []
        for scalar in reason.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if r.count + encoded.count > 123 { break }
            r.append(contentsOf: encoded)
        }
        out.append(contentsOf: r)
        return out
    }
}
