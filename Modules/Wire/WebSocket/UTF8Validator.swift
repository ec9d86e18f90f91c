/// Incremental UTF-8 validation (RFC 3629), for text messages that arrive in fragments.
///
/// Feed the bytes of a message piece by piece; ``feed(_:)`` returns false as soon as the bytes so far
/// cannot begin valid UTF-8 (so a connection can fail fast, mid-message), and ``isComplete`` tells
/// whether the message ended on a character boundary.
public struct UTF8Validator: Sendable, Hashable {
    /// Continuation bytes still expected for the current character.
    private var pending: UInt8 = 0
    /// Allowed range of the next continuation byte (narrower right after E0, ED, F0 and F4).
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF

    public init() {}

    /// Whether the bytes fed so far end on a character boundary.
    public var isComplete: Bool { pending == 0 }

    public mutating func reset() { self = UTF8Validator() }

    /// Validates more bytes; false when the input can no longer be valid UTF-8.
    public mutating func feed<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ feed(buffer: $0) }) { return r }
        return Array(bytes).withUnsafeBufferPointer { feed(buffer: $0) }
    }

    public mutating func feed(buffer p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = p.count
        while i < n {
            if pending == 0 {
                // Fast path: skip ASCII eight bytes at a time.
                if let base = p.baseAddress {
                    while i + 8 <= n {
                        let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                        if w & 0x8080_8080_8080_8080 != 0 { break }
                        i += 8
                    }
                }
                guard i < n else { break }
                let c = p[i]
                i += 1
                switch c {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: pending = 1; low = 0x80; high = 0xBF
                case 0xE0: pending = 2; low = 0xA0; high = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: pending = 2; low = 0x80; high = 0xBF
                case 0xED: pending = 2; low = 0x80; high = 0x9F
                case 0xF0: pending = 3; low = 0x90; high = 0xBF
                case 0xF1...0xF3: pending = 3; low = 0x80; high = 0xBF
                case 0xF4: pending = 3; low = 0x80; high = 0x8F
                default: return false
                }
            } else {
                let c = p[i]
                i += 1
                guard c >= low && c <= high else { return false }
                pending -= 1
                low = 0x80
                high = 0xBF
            }
        }
        return true
    }

    /// Whether `bytes` are, whole, valid UTF-8.
    public static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var v = UTF8Validator()
        return v.feed(bytes) && v.isComplete
    }
}
