/// How a ``JSONWriter`` formats its output.
public struct JSONWriterOptions: Sendable, Hashable {
    /// Separator style.
    public enum Separators: Sendable, Hashable {
        /// `,` and `:` — Bokeh content JSON (`serialize_json`).
        case compact
        /// `, ` and `: ` — Python `json.dumps` defaults (Bokeh message headers and buffer headers).
        case python
    }

    public var separators: Separators
    /// Escape every non-ASCII character as `\uXXXX` (lowercase hex, surrogate pairs), as Python's
    /// `ensure_ascii=True` does. When false, non-ASCII is written as raw UTF-8 (as BokehJS does).
    public var ensureASCII: Bool

    public init(separators: Separators = .compact, ensureASCII: Bool = true) {
        self.separators = separators
        self.ensureASCII = ensureASCII
    }

    /// What Python Bokeh emits for message content: compact and ASCII-only.
    public static let bokehContent = JSONWriterOptions(separators: .compact, ensureASCII: true)
    /// What Python's `json.dumps` emits by default (headers, metadata).
    public static let pythonDefault = JSONWriterOptions(separators: .python, ensureASCII: true)
}

/// Serializes ``JSONValue`` as Python's `json.dumps` would, including its float formatting.
public struct JSONWriter: Sendable {
    public var options: JSONWriterOptions

    public init(options: JSONWriterOptions = .bokehContent) { self.options = options }

    /// The UTF-8 bytes of `value`. Throws for NaN or infinite doubles (JSON has no spelling for them).
    public func bytes(_ value: JSONValue) throws(JSONError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        try write(value, into: &output)
        return output
    }

    /// `value` as a `String`.
    public func string(_ value: JSONValue) throws(JSONError) -> String {
        String(decoding: try bytes(value), as: UTF8.self)
    }

    /// Appends `value` to `output`.
    public func write(_ value: JSONValue, into output: inout [UInt8]) throws(JSONError) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let b): output.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInteger(i, to: &output)
        case .double(let d):
            guard d.isFinite else { throw .nonFinite(d) }
            output.append(contentsOf: PythonFloat.repr(d).utf8)
        case .string(let s): appendString(s, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { appendComma(&output) }
                try write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { appendComma(&output) }
                appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                if options.separators == .python { output.append(UInt8(ascii: " ")) }
                try write(member.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private func appendComma(_ output: inout [UInt8]) {
        output.append(UInt8(ascii: ","))
        if options.separators == .python { output.append(UInt8(ascii: " ")) }
    }

    private func appendInteger(_ value: Int, to output: inout [UInt8]) {
        if value >= 0 && value < 10 {
            // trap-safe: value is one digit, 0...9
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        output.append(contentsOf: String(value).utf8)
    }

    private func appendString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let ensureASCII = options.ensureASCII
        var text = string
        let copied = text.withUTF8 { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C || (ensureASCII && byte >= 0x7F) {
                return false
            }
            output.append(contentsOf: bytes)
            return true
        }
        if copied {
            output.append(UInt8(ascii: "\""))
            return
        }
        for scalar in string.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x22: output.append(contentsOf: #"\""#.utf8)
            case 0x5C: output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20: appendUnicodeEscape(UInt16(truncatingIfNeeded: v), to: &output)
            case 0x20..<0x7F: output.append(UInt8(truncatingIfNeeded: v))
            default:
                if !ensureASCII {
                    output.append(contentsOf: String(scalar).utf8)
                } else if v < 0x10000 {
                    appendUnicodeEscape(UInt16(truncatingIfNeeded: v), to: &output)
                } else {
                    let offset = v - 0x10000
                    appendUnicodeEscape(UInt16(truncatingIfNeeded: 0xD800 + (offset >> 10)), to: &output)
                    appendUnicodeEscape(UInt16(truncatingIfNeeded: 0xDC00 + (offset & 0x3FF)), to: &output)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private func appendUnicodeEscape(_ unit: UInt16, to output: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "u"))
        output.append(hex[Int(unit >> 12)])
        output.append(hex[Int((unit >> 8) & 0xF)])
        output.append(hex[Int((unit >> 4) & 0xF)])
        output.append(hex[Int(unit & 0xF)])
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the decimal
/// exponent is in [-4, 16), otherwise `d.ddde±XX` with at least two exponent digits.
public enum PythonFloat {
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        // Swift's description yields the shortest round-trip digits; only the layout needs adapting.
        let description = value.description
        var digits: [UInt8] = []
        var negative = false
        var pointPosition: Int?
        var exponent = 0
        var bytes = Array(description.utf8)[...]
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        if let e = bytes.firstIndex(of: UInt8(ascii: "e")) {
            exponent = Int(String(decoding: bytes[(e + 1)...], as: UTF8.self)) ?? 0
            bytes = bytes[..<e]
        }
        for byte in bytes {
            if byte == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(byte) }
        }
        // value = 0.d1d2d3... × 10^decimalPoint
        var decimalPoint = (pointPosition ?? digits.count) + exponent
        while digits.count > 1, digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if digits == [UInt8(ascii: "0")] {
            out.append(contentsOf: "0.0".utf8)
        } else if decimalPoint > -4 && decimalPoint <= 16 {
            if decimalPoint <= 0 {
                out.append(contentsOf: "0.".utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -decimalPoint))
                out.append(contentsOf: digits)
            } else if decimalPoint >= digits.count {
                out.append(contentsOf: digits)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: decimalPoint - digits.count))
                out.append(contentsOf: ".0".utf8)
            } else {
                out.append(contentsOf: digits[..<decimalPoint])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[decimalPoint...])
            }
        } else {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            let e = decimalPoint - 1
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: e < 0 ? "-" : "+"))
            let magnitude = String(abs(e))
            if magnitude.count < 2 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: magnitude.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
