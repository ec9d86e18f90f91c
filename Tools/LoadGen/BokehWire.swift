// Pure pieces of the Bokeh wire protocol as the load generator needs them: session ids and tokens,
// masked client frames, and byte scanners that read a few fields without parsing whole messages.
import Foundation
import Wire

/// Session ids: 44 characters of [A-Za-z0-9], as `bokeh.util.token.generate_session_id`.
enum SessionID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    static func make<G: RandomNumberGenerator>(using rng: inout G) -> String {
        var bytes = [UInt8](repeating: 0, count: 44)
        for i in 0..<44 { bytes[i] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Unsigned Bokeh session tokens (`bokeh.util.token.generate_jwt_token(signed=False)`).
enum SessionToken {
    /// base64url without padding of `{"session_id": ID, "session_expiry": expiry}` (Python's `json.dumps`
    /// spacing, as loadgen.py sends it).
    static func make(sessionID: String, expiry: Int) -> String {
        base64URL(Array(#"{"session_id": "\#(sessionID)", "session_expiry": \#(expiry)}"#.utf8))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 section 5 base64url, without `=` padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(v >> 6 & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A small xorshift generator for masking keys (RFC 6455 asks for unpredictability against
/// intermediaries, which a loopback benchmark does not have; `SystemRandomNumberGenerator` per frame costs
/// a system call).
struct FastRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// Client frame encoding: masked, unfragmented.
enum ClientFrame {
    static let text: UInt8 = 0x1
    static let binary: UInt8 = 0x2
    static let close: UInt8 = 0x8
    static let pong: UInt8 = 0xA

    /// Appends one final frame with `opcode` whose payload is `payload` masked with `key`.
    static func append(opcode: UInt8, payload: UnsafeRawBufferPointer, key: UInt32, to out: inout [UInt8]) {
        let n = payload.count
        out.append(0x80 | opcode)
        if n <= 125 {
            out.append(0x80 | UInt8(n))
        } else if n <= 0xFFFF {
            out.append(0x80 | 126)
            out.append(UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: n >> shift)) }
        }
        let k = (
            UInt8(truncatingIfNeeded: key), UInt8(truncatingIfNeeded: key >> 8),
            UInt8(truncatingIfNeeded: key >> 16), UInt8(truncatingIfNeeded: key >> 24)
        )
        out.append(k.0)
        out.append(k.1)
        out.append(k.2)
        out.append(k.3)
        for i in 0..<n {
            let m: UInt8
            switch i & 3 {
            case 0: m = k.0
            case 1: m = k.1
            case 2: m = k.2
            default: m = k.3
            }
            out.append(payload[i] ^ m)
        }
    }

    static func append(opcode: UInt8, text: String, key: UInt32, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { append(opcode: opcode, payload: UnsafeRawBufferPointer($0), key: key, to: &out) }
    }
}

/// Reads single fields of flat JSON objects (Bokeh headers, buffer headers) and finds short patterns
/// in message content without building a JSON tree.
enum ByteScan {
    /// Offset of the first occurrence of `pattern` in `data` at or after `from`.
    static func find(_ pattern: StaticString, in data: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        let plen = pattern.utf8CodeUnitCount
        let n = data.count
        guard plen > 0, n >= plen, from <= n - plen, let base = data.baseAddress else { return nil }
        let p = pattern.utf8Start
        let first = p[0]
        var i = from
        let last = n - plen
        while i <= last {
            guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, p, plen) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// Offset of the first occurrence of `pattern` in `data`.
    static func find(_ pattern: [UInt8], in data: UnsafeRawBufferPointer) -> Int? {
        pattern.withUnsafeBytes { p -> Int? in
            let plen = p.count
            guard plen > 0, data.count >= plen, let base = data.baseAddress, let pb = p.baseAddress else { return nil }
            let last = data.count - plen
            var i = 0
            while i <= last {
                guard let hit = memchr(base + i, Int32(p[0]), last - i + 1) else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, pb, plen) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }

    /// Skips JSON whitespace from `i`.
    @inline(__always)
    private static func skipSpace(_ data: UnsafeRawBufferPointer, _ i: inout Int) {
        while i < data.count, data[i] == 0x20 || data[i] == 0x0A || data[i] == 0x0D || data[i] == 0x09 { i += 1 }
    }

    /// Start and end offsets of the string value after a `"key"` whose closing quote ends at `keyEnd`
    /// (the `:`, spaces and quotes skipped), or nil when the value is not a plain string without escapes.
    private static func stringValue(_ data: UnsafeRawBufferPointer, after keyEnd: Int) -> Range<Int>? {
        var i = keyEnd
        skipSpace(data, &i)
        guard i < data.count, data[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        skipSpace(data, &i)
        guard i < data.count, data[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        while i < data.count, data[i] != UInt8(ascii: "\"") {
            if data[i] == UInt8(ascii: "\\") { return nil }
            i += 1
        }
        guard i < data.count else { return nil }
        return start..<i
    }

    /// The string value of the first member `"key"` (a quoted key given with its quotes) of a flat object.
    static func string(_ quotedKey: StaticString, in data: UnsafeRawBufferPointer) -> String? {
        guard let k = find(quotedKey, in: data), let r = stringValue(data, after: k + quotedKey.utf8CodeUnitCount)
        else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: data[r]), as: UTF8.self)
    }

    /// The bytes of the string value of `"key"` starting the search at `from`.
    static func stringRange(_ quotedKey: StaticString, in data: UnsafeRawBufferPointer, from: Int = 0) -> Range<Int>? {
        guard let k = find(quotedKey, in: data, from: from) else { return nil }
        return stringValue(data, after: k + quotedKey.utf8CodeUnitCount)
    }

    /// The non-negative integer value of `"key"`; nil when absent or not a plain integer.
    static func int(_ quotedKey: StaticString, in data: UnsafeRawBufferPointer) -> Int? {
        guard let k = find(quotedKey, in: data) else { return nil }
        var i = k + quotedKey.utf8CodeUnitCount
        skipSpace(data, &i)
        guard i < data.count, data[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        skipSpace(data, &i)
        var value = 0
        var digits = 0
        while i < data.count, data[i] >= 0x30, data[i] <= 0x39, digits < 12 {
            value = value * 10 + Int(data[i] - 0x30)
            digits += 1
            i += 1
        }
        return digits > 0 ? value : nil
    }

    /// In a stream PATCH-DOC's content, the buffer id of the `"y"` column's data (the first `"id"` string
    /// after the `["y",` map entry), or nil when the content is no ColumnsStreamed event with a `y` entry.
    /// The patterns start with rare bytes (`C`, `[`) so `memchr` skips most of the ~400 bytes.
    static func streamedYBufferID(in content: UnsafeRawBufferPointer) -> Range<Int>? {
        guard find("ColumnsStreamed\"", in: content) != nil else { return nil }
        var from = 0
        while let at = find("[\"y\"", in: content, from: from) {
            var i = at + 4
            skipSpace(content, &i)
            if i < content.count, content[i] == UInt8(ascii: ",") {
                return stringRange("\"id\"", in: content, from: i)
            }
            from = at + 1
        }
        return nil
    }
}

/// The statistics loadgen.py reports, with the same interpolation and rounding.
enum Stats {
    /// loadgen.py's `pct`: linear interpolation between the closest ranks of the sorted values.
    static func percentile(sorted v: [Double], _ p: Double) -> Double? {
        guard !v.isEmpty else { return nil }
        let k = Double(v.count - 1) * p / 100.0
        let lo = Int(k)
        let hi = Swift.min(lo + 1, v.count - 1)
        return v[lo] + (v[hi] - v[lo]) * (k - Double(lo))
    }

    /// Python's `statistics.median`.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let v = values.sorted()
        let n = v.count
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
    }

    /// Python's `round(x, digits)`: the double nearest to the correctly rounded decimal (glibc's printf
    /// rounds the exact binary value half-to-even, as CPython does).
    static func round(_ x: Double, _ digits: Int) -> Double {
        guard x.isFinite else { return x }
        return Double(String(format: "%.\(digits)f", x)) ?? x
    }
}
