/// Limits applied while reading JSON.
public struct JSONReaderLimits: Sendable, Hashable {
    /// Deepest allowed nesting of arrays and objects. 512 is far beyond any Bokeh document
    /// (a plot nests about 10 levels) and keeps recursion well inside a secondary thread's stack.
    public var maxDepth: Int
    /// Largest accepted input in bytes. The default (256 MiB) matches the largest WebSocket message
    /// the server accepts; lower it where inputs are smaller.
    public var maxBytes: Int

    public init(maxDepth: Int = 512, maxBytes: Int = 256 * 1024 * 1024) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    public static let `default` = JSONReaderLimits()
}

/// A strict RFC 8259 reader producing ``JSONValue``.
///
/// Integers without fraction or exponent become ``JSONValue/int(_:)``, everything else
/// ``JSONValue/double(_:)``; object member order is kept; strings must be valid UTF-8 and escapes,
/// including surrogate pairs, are decoded. Leading and trailing whitespace is allowed.
public enum JSONReader {
    /// Parses one complete JSON value from `bytes`.
    public static func parse(_ bytes: some Collection<UInt8>, limits: JSONReaderLimits = .default) throws(JSONError)
        -> JSONValue
    {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(size: bytes.count, limit: limits.maxBytes) }
        let result: Result<JSONValue, JSONError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = Parser(buffer: buffer, maxDepth: limits.maxDepth)
            return Result { () throws(JSONError) in try parser.parseDocument() }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONError) in
            var parser = Parser(buffer: buffer, maxDepth: limits.maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses one complete JSON value from the UTF-8 of `text`.
    public static func parse(_ text: String, limits: JSONReaderLimits = .default) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer -> Result<JSONValue, JSONError> in
            guard buffer.count <= limits.maxBytes else {
                return .failure(.tooLarge(size: buffer.count, limit: limits.maxBytes))
            }
            var parser = Parser(buffer: buffer, maxDepth: limits.maxDepth)
            return Result { () throws(JSONError) in try parser.parseDocument() }
        }
        return try result.get()
    }
}

private struct Parser {
    let buffer: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0
    var depth = 0
    var scratch: [UInt8] = []

    init(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buffer = buffer
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < buffer.count { throw .trailingData(at: index) }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < buffer.count {
            let byte = buffer[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    @inline(__always)
    func peek() throws(JSONError) -> UInt8 {
        guard index < buffer.count else { throw .unexpectedEnd(at: index) }
        return buffer[index]
    }

    mutating func parseValue() throws(JSONError) -> JSONValue {
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw .unexpectedCharacter(byte, at: index, expected: "a JSON value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let pointer = literal.utf8Start
        for offset in 0..<count {
            guard index < buffer.count else { throw .unexpectedEnd(at: index) }
            guard buffer[index] == pointer[offset] else {
                throw .unexpectedCharacter(buffer[index], at: index, expected: "literal starting at byte \(start)")
            }
            index += 1
        }
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > maxDepth { throw .tooDeeplyNested(at: index, limit: maxDepth) }
    }

    mutating func parseArray() throws(JSONError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            let byte = try peek()
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            throw .unexpectedCharacter(byte, at: index - 1, expected: "',' or ']'")
        }
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(JSONError) -> JSONValue {
        try enter()
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            let quote = try peek()
            guard quote == UInt8(ascii: "\"") else {
                throw .unexpectedCharacter(quote, at: index, expected: "a string key")
            }
            let key = try parseString()
            skipWhitespace()
            let colon = try peek()
            guard colon == UInt8(ascii: ":") else { throw .unexpectedCharacter(colon, at: index, expected: "':'") }
            index += 1
            skipWhitespace()
            members.append((key: key, value: try parseValue()))
            skipWhitespace()
            let byte = try peek()
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            throw .unexpectedCharacter(byte, at: index - 1, expected: "',' or '}'")
        }
        depth -= 1
        return .object(JSONObject(members))
    }

    mutating func parseString() throws(JSONError) -> String {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buffer[start..<index])
                index += 1
                return try makeString(slice, at: start)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw .controlCharacter(at: index) }
            index += 1
        }
        guard index < buffer.count else { throw .unexpectedEnd(at: index) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
        while true {
            guard index < buffer.count else { throw .unexpectedEnd(at: index) }
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                let bytes = scratch
                return try bytes.withUnsafeBufferPointer { pointer throws(JSONError) in
                    try makeString(pointer, at: open)
                }
            }
            if byte < 0x20 { throw .controlCharacter(at: index) }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            let escapeStart = index
            index += 1
            guard index < buffer.count else { throw .unexpectedEnd(at: index) }
            let escaped = buffer[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < buffer.count, buffer[index] == UInt8(ascii: "\\"),
                        buffer[index + 1] == UInt8(ascii: "u")
                    else { throw .invalidUnicode(at: escapeStart, "unpaired high surrogate") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw .invalidUnicode(at: escapeStart, "high surrogate not followed by a low surrogate")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw .invalidUnicode(at: escapeStart, "unpaired low surrogate")
                }
                appendUTF8(scalar, to: &scratch)
            default:
                throw .invalidEscape(at: escapeStart)
            }
        }
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= buffer.count else { throw .unexpectedEnd(at: buffer.count) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = buffer[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape(at: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    func makeString(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws(JSONError) -> String {
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .invalidUnicode(at: offset, "string is not valid UTF-8")
        }
        return string
    }

    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        var negative = false
        if buffer[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < buffer.count else { throw .unexpectedEnd(at: index) }
        let firstDigit = buffer[index]
        guard firstDigit >= UInt8(ascii: "0") && firstDigit <= UInt8(ascii: "9") else {
            throw .invalidNumber(at: start)
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if firstDigit == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < buffer.count, buffer[index] >= UInt8(ascii: "0"), buffer[index] <= UInt8(ascii: "9") {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(buffer[index] - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = sum
                index += 1
            }
        }
        var isInteger = true
        if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try skipDigits(numberStart: start)
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                index += 1
            }
            try skipDigits(numberStart: start)
        }
        if isInteger && !overflow {
            if negative {
                // trap-safe: magnitude <= Int.max
                if magnitude <= UInt64(Int.max) { return .int(-Int(magnitude)) }
                // trap-safe: constants
                if magnitude == UInt64(Int.max) + 1 { return .int(Int.min) }
                // trap-safe: constant
            } else if magnitude <= UInt64(Int.max) {
                // trap-safe: magnitude <= Int.max (line above)
                return .int(Int(magnitude))
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { throw .invalidNumber(at: start) }
        return .double(double)
    }

    mutating func skipDigits(numberStart: Int) throws(JSONError) {
        let digitsStart = index
        while index < buffer.count, buffer[index] >= UInt8(ascii: "0"), buffer[index] <= UInt8(ascii: "9") {
            index += 1
        }
        if index == digitsStart {
            if index >= buffer.count { throw .unexpectedEnd(at: index) }
            throw .invalidNumber(at: numberStart)
        }
    }
}

/// Appends the UTF-8 encoding of a valid scalar value (surrogates already excluded by the caller).
private func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(truncatingIfNeeded: scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(truncatingIfNeeded: 0xC0 | (scalar >> 6)))
        bytes.append(UInt8(truncatingIfNeeded: 0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
        bytes.append(UInt8(truncatingIfNeeded: 0xE0 | (scalar >> 12)))
        bytes.append(UInt8(truncatingIfNeeded: 0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(truncatingIfNeeded: 0x80 | (scalar & 0x3F)))
    default:
        bytes.append(UInt8(truncatingIfNeeded: 0xF0 | (scalar >> 18)))
        bytes.append(UInt8(truncatingIfNeeded: 0x80 | ((scalar >> 12) & 0x3F)))
        bytes.append(UInt8(truncatingIfNeeded: 0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(truncatingIfNeeded: 0x80 | (scalar & 0x3F)))
    }
}
