/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// Field names keep the case they arrived with (Bokeh's session token records them as received);
/// lookups ignore case. Repeated fields stay separate, in order.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public typealias Element = (name: String, value: String)
    private var fields: [Field] = []

    private struct Field: Sendable, Hashable {
        var name: String
        var value: String
    }

    public init() {}

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` (any case) with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        if let i = fields.firstIndex(where: { Self.equalNames($0.name, name) }) {
            fields[i].value = value
            var j = fields.count - 1
            while j > i {
                if Self.equalNames(fields[j].name, name) { fields.remove(at: j) }
                j -= 1
            }
        } else {
            add(name: name, value: value)
        }
    }

    /// Removes every field named `name` (any case).
    public mutating func remove(name: String) {
        fields.removeAll { Self.equalNames($0.name, name) }
    }

    /// The first value of the field named `name`, ignoring case.
    public func first(name: String) -> String? {
        fields.first { Self.equalNames($0.name, name) }?.value
    }

    public subscript(name: String) -> String? { first(name: name) }

    /// Every value of the field named `name`, in order.
    public func values(name: String) -> [String] {
        fields.filter { Self.equalNames($0.name, name) }.map(\.value)
    }

    public func contains(name: String) -> Bool {
        fields.contains { Self.equalNames($0.name, name) }
    }

    /// The comma-separated elements of every field named `name`, trimmed, empty ones dropped
    /// (RFC 9110 section 5.6.1 list syntax). Quoted commas are not split.
    public func listElements(name: String) -> [String] {
        values(name: name).flatMap { HTTPHeaders.splitList($0) }
    }

    /// Whether the list header `name` contains `token`, compared case-insensitively
    /// (`Connection: keep-alive, Upgrade` contains `upgrade`).
    public func containsToken(_ token: String, in name: String) -> Bool {
        listElements(name: name).contains { Self.equalNames($0, token) }
    }

    public func makeIterator() -> AnyIterator<Element> {
        var it = fields.makeIterator()
        return AnyIterator { it.next().map { ($0.name, $0.value) } }
    }

    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool { lhs.fields == rhs.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(fields) }

    /// ASCII case-insensitive comparison (header names and tokens are ASCII).
    package static func equalNames(_ a: String, _ b: String) -> Bool {
        let au = a.utf8, bu = b.utf8
        guard au.count == bu.count else { return false }
        for (x, y) in zip(au, bu) where x != y {
            if lowerASCII(x) != lowerASCII(y) { return false }
        }
        return true
    }

    @inline(__always) package static func lowerASCII(_ c: UInt8) -> UInt8 {
        (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
    }

    /// Splits a list header value at commas outside quoted strings, trimming whitespace.
    package static func splitList(_ value: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var escaped = false
        for c in value.utf8 {
            if inQuotes {
                current.append(c)
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inQuotes = false
                }
                continue
            }
            if c == UInt8(ascii: ",") {
                let t = trimOWS(current)
                if !t.isEmpty { out.append(String(decoding: t, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
            } else {
                if c == UInt8(ascii: "\"") { inQuotes = true }
                current.append(c)
            }
        }
        let t = trimOWS(current)
        if !t.isEmpty { out.append(String(decoding: t, as: UTF8.self)) }
        return out
    }

    /// `s` without leading and trailing spaces and tabs.
    package static func trimmed<S: StringProtocol>(_ s: S) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub = sub.dropFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub = sub.dropLast() }
        return String(sub)
    }

    package static func trimOWS<C: BidirectionalCollection>(_ bytes: C) -> C.SubSequence where C.Element == UInt8 {
        var s = bytes[...]
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }
}
