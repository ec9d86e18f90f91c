/// A 4-byte masking key (RFC 6455 section 5.3), in wire order.
public struct WebSocketMaskingKey: Sendable, Hashable {
    public var bytes: (UInt8, UInt8, UInt8, UInt8)

    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) { bytes = (b0, b1, b2, b3) }

    public init<G: RandomNumberGenerator>(using rng: inout G) {
        let r = UInt32.random(in: .min ... .max, using: &rng)
        self.init(
            UInt8(truncatingIfNeeded: r), UInt8(truncatingIfNeeded: r >> 8),
            UInt8(truncatingIfNeeded: r >> 16), UInt8(truncatingIfNeeded: r >> 24))
    }

    /// A key from the system's random generator.
    public static func random() -> WebSocketMaskingKey {
        var g = SystemRandomNumberGenerator()
        return WebSocketMaskingKey(using: &g)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1 && a.bytes.2 == b.bytes.2 && a.bytes.3 == b.bytes.3
    }

    public func hash(into h: inout Hasher) {
        h.combine(bytes.0)
        h.combine(bytes.1)
        h.combine(bytes.2)
        h.combine(bytes.3)
    }

    /// The key repeated to 8 bytes, loaded in native order so a word XOR masks 8 bytes in wire order.
    /// Built arithmetically: loading it from a temporary array was miscompiled under `-c release`
    /// (only the first byte of the key survived), which corrupted every unmasked payload.
    @inline(__always) var word: UInt64 {
        let k = UInt32(bytes.0) | UInt32(bytes.1) << 8 | UInt32(bytes.2) << 16 | UInt32(bytes.3) << 24
        return UInt64(littleEndian: UInt64(k) | UInt64(k) << 32)
    }

    @inline(__always) func byte(_ i: Int) -> UInt8 {
        switch i & 3 {
        case 0: bytes.0
        case 1: bytes.1
        case 2: bytes.2
        default: bytes.3
        }
    }

    /// Copies `source` into `destination` XOR-ing with the key, 8 bytes at a time.
    /// `destination` must hold at least `source.count` bytes.
    @inline(__always)
    func copyMasking(from source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer) {
        let n = source.count
        guard n > 0, let s = source.baseAddress, let d = destination.baseAddress else { return }
        let w = word
        var i = 0
        // Four words per iteration keeps the loop out of its own way.
        while i + 32 <= n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ w, toByteOffset: i, as: UInt64.self)
            d.storeBytes(
                of: s.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self) ^ w, toByteOffset: i + 8, as: UInt64.self)
            d.storeBytes(
                of: s.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) ^ w, toByteOffset: i + 16, as: UInt64.self
            )
            d.storeBytes(
                of: s.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self) ^ w, toByteOffset: i + 24, as: UInt64.self
            )
            i += 32
        }
        while i + 8 <= n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ w, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            d.storeBytes(of: s.load(fromByteOffset: i, as: UInt8.self) ^ byte(i), toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }

    /// Masks (or unmasks) `bytes` in place.
    public func apply(to bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { p in copyMasking(from: UnsafeRawBufferPointer(p), to: p) }
    }
}
