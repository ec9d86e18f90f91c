/// A failure to read or write JSON. Reading errors carry the byte offset where the problem was found.
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unexpectedEnd, unexpectedCharacter, invalidNumber, invalidEscape, invalidUnicode
        case controlCharacterInString, tooDeeplyNested, trailingData, nonFiniteNumber, tooLarge
    }

    private let code: Code
    /// Byte offset into the input, or `nil` for writing errors.
    public let offset: Int?
    private let detail: String

    private init(_ code: Code, offset: Int?, detail: String) {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    static func unexpectedEnd(at offset: Int) -> Self {
        Self(.unexpectedEnd, offset: offset, detail: "unexpected end of input")
    }
    static func unexpectedCharacter(_ byte: UInt8, at offset: Int, expected: String) -> Self {
        let shown =
            (0x20..<0x7f).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return Self(.unexpectedCharacter, offset: offset, detail: "unexpected \(shown), expected \(expected)")
    }
    static func invalidNumber(at offset: Int) -> Self { Self(.invalidNumber, offset: offset, detail: "invalid number") }
    static func invalidEscape(at offset: Int) -> Self {
        Self(.invalidEscape, offset: offset, detail: "invalid escape sequence in string")
    }
    static func invalidUnicode(at offset: Int, _ what: String) -> Self {
        Self(.invalidUnicode, offset: offset, detail: what)
    }
    static func controlCharacter(at offset: Int) -> Self {
        Self(.controlCharacterInString, offset: offset, detail: "unescaped control character in string")
    }
    static func tooDeeplyNested(at offset: Int, limit: Int) -> Self {
        Self(.tooDeeplyNested, offset: offset, detail: "nesting deeper than \(limit) levels")
    }
    static func tooLarge(size: Int, limit: Int) -> Self {
        Self(.tooLarge, offset: 0, detail: "input of \(size) bytes exceeds the limit of \(limit) bytes")
    }
    static func trailingData(at offset: Int) -> Self {
        Self(.trailingData, offset: offset, detail: "unexpected data after the JSON value")
    }
    static func nonFinite(_ value: Double) -> Self {
        Self(.nonFiniteNumber, offset: nil, detail: "\(value) cannot be written as JSON")
    }

    /// The input ended in the middle of a value.
    public var isUnexpectedEnd: Bool { code == .unexpectedEnd }
    /// The nesting-depth limit was exceeded.
    public var isTooDeeplyNested: Bool { code == .tooDeeplyNested }

    public var description: String {
        if let offset { return "JSON error at byte \(offset): \(detail)" }
        return "JSON error: \(detail)"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.offset == rhs.offset }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(offset)
    }
}
