/// A Tornado-style URL regular expression, compiled once and matched against whole request paths.
///
/// Tornado anchors every route pattern at both ends (`re.match` plus an appended `$`), so
/// `/foo/?` matches `/foo` and `/foo/` but not `/foo/ws`. This type implements the subset of
/// Python's `re` syntax that route tables use:
///
/// - literal characters, and `\` before punctuation for a literal (`\.`, `\/`, `\(`);
/// - `.` (any character except a newline), `\d`, `\w`, `\s`, and bracket classes such as `[^/]`,
///   `[a-z0-9_-]` (ASCII members; a negated class also accepts every non-ASCII character);
/// - the greedy quantifiers `?`, `*` and `+` after a single character, dot or class;
/// - capturing groups `( … )`, named groups `(?P<name> … )` and non-capturing groups `(?: … )`;
/// - an optional leading `^` and trailing `$`, which are implied anyway.
///
/// Anything else (alternation, counted or lazy repetition, quantified groups, look-around,
/// back-references) is rejected with ``RoutingError/unsupportedPattern(_:offset:reason:)`` when the
/// pattern is built, never silently misread.
///
/// An unescaped `.` keeps its regular-expression meaning, as in Bokeh's own route list: the pattern
/// `/favicon.ico` also matches `/favicon_ico`. Use ``escape(_:)`` for text that must match literally.
///
/// Matching works on the path's UTF-8 bytes with a small backtracking matcher; it allocates only the
/// capture ranges and runs in time linear in the path for the patterns Bokeh registers.
public struct URLPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let source: String

    /// The name of each capturing group, in order of its opening parenthesis; `nil` for unnamed groups.
    public let captureNames: [String?]

    private let elements: [Element]

    /// Compiles `source`.
    ///
    /// - Throws: ``RoutingError/unsupportedPattern(_:offset:reason:)`` for syntax outside the
    ///   supported subset or a malformed pattern (unbalanced parentheses, unterminated class).
    public init(_ source: String) throws(RoutingError) {
        var parser = PatternParser(source: source)
        try parser.parse()
        self.source = source
        self.captureNames = parser.captureNames
        self.elements = parser.elements
    }

    /// The number of capturing groups.
    public var captureCount: Int { captureNames.count }

    public var description: String { source }

    /// Returns `literal` with every regular-expression metacharacter escaped, so it matches only itself.
    public static func escape(_ literal: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(literal.utf8.count)
        for character in literal.unicodeScalars {
            // trap-safe: ASCII (checked first)
            if character.isASCII, metacharacters.contains(UInt8(character.value)) {
                escaped.unicodeScalars.append("\\")
            }
            escaped.unicodeScalars.append(character)
        }
        return escaped
    }

    /// Whether the whole of `path` matches.
    public func matches(_ path: String) -> Bool {
        match(path) != nil
    }

    /// Matches the whole of `path`, returning the text of each capturing group (still percent-encoded).
    ///
    /// - Returns: One substring per capturing group, or `nil` if the path does not match.
    public func match(_ path: String) -> [Substring]? {
        guard let offsets = matchOffsets(path) else { return nil }
        let utf8 = path.utf8
        return offsets.map { range in
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let upper = utf8.index(lower, offsetBy: range.count)
            return path[lower..<upper]
        }
    }

    /// Matches `path` and returns each capture as a range of UTF-8 offsets.
    private func matchOffsets(_ path: String) -> [Range<Int>]? {
        var path = path
        return path.withUTF8 { bytes in
            var matcher = Matcher(elements: elements, bytes: bytes, groupCount: captureNames.count)
            guard matcher.run(from: 0, at: 0) else { return nil }
            return zip(matcher.starts, matcher.ends).map { $0..<max($0, $1) }
        }
    }

    /// Bytes with a special meaning in a pattern.
    private static let metacharacters: Set<UInt8> = Set("\\.^$*+?()[]{}|".utf8)
}

// MARK: - Compiled form

extension URLPattern {
    /// One step of a compiled pattern.
    fileprivate enum Element: Hashable, Sendable {
        case atom(Atom, Repetition)
        case groupStart(Int)
        case groupEnd(Int)
    }

    /// What a single step consumes.
    fileprivate enum Atom: Hashable, Sendable {
        /// Exactly this byte.
        case byte(UInt8)
        /// One character from a class.
        case set(CharacterClass)
    }

    /// How often an atom may repeat. All repetitions are greedy.
    fileprivate enum Repetition: Hashable, Sendable {
        case one, optional, zeroOrMore, oneOrMore
    }

    /// A set of ASCII bytes, possibly negated; a negated class also matches every non-ASCII character.
    fileprivate struct CharacterClass: Hashable, Sendable {
        private var low: UInt64 = 0
        private var high: UInt64 = 0
        var negated = false

        /// The class `.`: any character except a newline.
        static let dot: Self = {
            var set = Self()
            set.insert(UInt8(ascii: "\n"))
            set.negated = true
            return set
        }()

        static let digits = Self(ranges: [(UInt8(ascii: "0"), UInt8(ascii: "9"))])
        static let word = Self(ranges: [
            (UInt8(ascii: "a"), UInt8(ascii: "z")), (UInt8(ascii: "A"), UInt8(ascii: "Z")),
            (UInt8(ascii: "0"), UInt8(ascii: "9")), (UInt8(ascii: "_"), UInt8(ascii: "_")),
        ])
        static let whitespace = Self(ranges: [(0x09, 0x0D), (0x20, 0x20)])

        init() {}

        init(ranges: [(UInt8, UInt8)]) {
            for (first, last) in ranges { insert(first...last) }
        }

        mutating func insert(_ byte: UInt8) {
            if byte < 64 { low |= 1 << UInt64(byte) } else if byte < 128 { high |= 1 << UInt64(byte - 64) }
        }

        mutating func insert(_ bytes: ClosedRange<UInt8>) {
            for byte in bytes { insert(byte) }
        }

        mutating func formUnion(_ other: Self) {
            low |= other.low
            high |= other.high
        }

        /// Whether the ASCII `byte` is a member (before negation).
        func containsASCII(_ byte: UInt8) -> Bool {
            let member = byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : (high >> UInt64(byte - 64)) & 1 == 1
            return member != negated
        }
    }
}

// MARK: - Matching

/// Backtracking matcher over a UTF-8 buffer. Only repeated atoms recurse; everything else loops.
private struct Matcher {
    let elements: [URLPattern.Element]
    let bytes: UnsafeBufferPointer<UInt8>
    var starts: [Int]
    var ends: [Int]

    init(elements: [URLPattern.Element], bytes: UnsafeBufferPointer<UInt8>, groupCount: Int) {
        self.elements = elements
        self.bytes = bytes
        self.starts = Array(repeating: 0, count: groupCount)
        self.ends = Array(repeating: 0, count: groupCount)
    }

    /// Whether `elements[element...]` matches `bytes[position...]` through to the end.
    ///
    /// Group boundaries are written without being restored on failure: a group marker can only be
    /// passed again after backtracking into an earlier element, which rewrites it, so the values left
    /// after a successful match are those of the successful path.
    mutating func run(from element: Int, at position: Int) -> Bool {
        var element = element
        var position = position
        while element < elements.count {
            switch elements[element] {
            case .groupStart(let group):
                starts[group] = position
            case .groupEnd(let group):
                ends[group] = position
            case .atom(let atom, .one):
                guard let next = step(atom, at: position) else { return false }
                position = next
            case .atom(let atom, .optional):
                if let next = step(atom, at: position), run(from: element + 1, at: next) { return true }
            case .atom(let atom, .zeroOrMore):
                return runRepeated(atom, from: element + 1, start: position, floor: position)
            case .atom(let atom, .oneOrMore):
                guard let first = step(atom, at: position) else { return false }
                return runRepeated(atom, from: element + 1, start: first, floor: first)
            }
            element += 1
        }
        return position == bytes.count
    }

    /// Consumes as many `atom`s as possible from `start`, then gives them back one at a time
    /// (never going below `floor`) until the rest of the pattern matches.
    private mutating func runRepeated(_ atom: URLPattern.Atom, from element: Int, start: Int, floor: Int) -> Bool {
        var position = start
        while let next = step(atom, at: position) { position = next }
        while true {
            if run(from: element, at: position) { return true }
            if position <= floor { return false }
            position = stepBack(atom, from: position, floor: floor)
        }
    }

    /// The position after one `atom` at `position`, or `nil` if it does not match there.
    private func step(_ atom: URLPattern.Atom, at position: Int) -> Int? {
        guard position < bytes.count else { return nil }
        let byte = bytes[position]
        switch atom {
        case .byte(let expected):
            return byte == expected ? position + 1 : nil
        case .set(let set):
            if byte < 0x80 { return set.containsASCII(byte) ? position + 1 : nil }
            guard set.negated else { return nil }
            var next = position + 1
            while next < bytes.count, bytes[next] & 0xC0 == 0x80 { next += 1 }
            return next
        }
    }

    /// The start of the last `atom` that ends at `position` (a byte, or a whole UTF-8 character).
    private func stepBack(_ atom: URLPattern.Atom, from position: Int, floor: Int) -> Int {
        var previous = position - 1
        if case .set = atom {
            while previous > floor, bytes[previous] & 0xC0 == 0x80 { previous -= 1 }
        }
        return previous
    }
}

// MARK: - Parsing

/// Compiles the supported regular-expression subset into ``URLPattern/Element``s.
private struct PatternParser {
    let source: String
    let bytes: [UInt8]
    var index = 0
    var end: Int
    var elements: [URLPattern.Element] = []
    var captureNames: [String?] = []
    /// Open groups: the capture index, or `nil` for `(?:`.
    var openGroups: [(capture: Int?, offset: Int)] = []

    init(source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
        self.end = bytes.count
    }

    func failure(_ reason: String, at offset: Int? = nil) -> RoutingError {
        .unsupportedPattern(source, offset: offset ?? index, reason: reason)
    }

    mutating func parse() throws(RoutingError) {
        if bytes.first == UInt8(ascii: "^") { index = 1 }
        if end > index, bytes[end - 1] == UInt8(ascii: "$"), !isEscaped(end - 1) { end -= 1 }
        while index < end {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "("):
                try openGroup()
            case UInt8(ascii: ")"):
                try closeGroup()
            case UInt8(ascii: "["):
                index += 1
                try appendAtom(.set(parseClass()), nonASCII: false)
            case UInt8(ascii: "."):
                index += 1
                try appendAtom(.set(.dot), nonASCII: false)
            case UInt8(ascii: "\\"):
                index += 1
                try appendAtom(parseEscape(), nonASCII: false)
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                throw failure("quantifier with nothing to repeat")
            case UInt8(ascii: "{"):
                throw failure("counted repetition is not supported")
            case UInt8(ascii: "|"):
                throw failure("alternation is not supported")
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                throw failure("anchors are only allowed at the start and end")
            default:
                index += 1
                try appendAtom(.byte(byte), nonASCII: byte >= 0x80)
            }
        }
        if let open = openGroups.last { throw failure("unbalanced parenthesis", at: open.offset) }
    }

    /// Whether the byte at `offset` is preceded by an odd number of backslashes.
    func isEscaped(_ offset: Int) -> Bool {
        var count = 0
        var cursor = offset - 1
        while cursor >= 0, bytes[cursor] == UInt8(ascii: "\\") {
            count += 1
            cursor -= 1
        }
        return count % 2 == 1
    }

    mutating func openGroup() throws(RoutingError) {
        let offset = index
        index += 1
        var capture: Int? = captureNames.count
        var name: String?
        if index < end, bytes[index] == UInt8(ascii: "?") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: ":") {
                index += 1
                capture = nil
            } else if index + 1 < end, bytes[index] == UInt8(ascii: "P"), bytes[index + 1] == UInt8(ascii: "<") {
                index += 2
                let nameStart = index
                while index < end, bytes[index] != UInt8(ascii: ">") { index += 1 }
                guard index < end, index > nameStart else { throw failure("malformed group name", at: offset) }
                name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
                index += 1
            } else {
                throw failure("only (?:…) and (?P<name>…) groups are supported", at: offset)
            }
        }
        if let capture {
            captureNames.append(name)
            elements.append(.groupStart(capture))
        }
        openGroups.append((capture, offset))
    }

    mutating func closeGroup() throws(RoutingError) {
        guard let open = openGroups.popLast() else { throw failure("unbalanced parenthesis") }
        index += 1
        if let capture = open.capture { elements.append(.groupEnd(capture)) }
        if index < end, isQuantifier(bytes[index]) || bytes[index] == UInt8(ascii: "{") {
            throw failure("repeating a group is not supported")
        }
    }

    func isQuantifier(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "*") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "?")
    }

    /// Appends `atom` with the quantifier that follows it, if any.
    mutating func appendAtom(_ atom: URLPattern.Atom, nonASCII: Bool) throws(RoutingError) {
        var repetition = URLPattern.Repetition.one
        if index < end {
            switch bytes[index] {
            case UInt8(ascii: "?"): repetition = .optional
            case UInt8(ascii: "*"): repetition = .zeroOrMore
            case UInt8(ascii: "+"): repetition = .oneOrMore
            case UInt8(ascii: "{"): throw failure("counted repetition is not supported")
            default: break
            }
        }
        if repetition != .one {
            if nonASCII { throw failure("a quantifier after a non-ASCII character is not supported") }
            index += 1
            if index < end, isQuantifier(bytes[index]) {
                throw failure("lazy or possessive repetition is not supported")
            }
        }
        elements.append(.atom(atom, repetition))
    }

    /// Parses the character after a backslash (outside a class).
    mutating func parseEscape() throws(RoutingError) -> URLPattern.Atom {
        guard index < end else { throw failure("trailing backslash") }
        let byte = bytes[index]
        index += 1
        if let set = Self.classEscape(byte) { return .set(set) }
        guard Self.isLiteralEscape(byte) else {
            throw failure("unsupported escape \\\(Character(Unicode.Scalar(byte)))")
        }
        return .byte(byte)
    }

    /// The class for `\d`, `\w`, `\s`, or `nil` for any other escape.
    static func classEscape(_ byte: UInt8) -> URLPattern.CharacterClass? {
        switch byte {
        case UInt8(ascii: "d"): .digits
        case UInt8(ascii: "w"): .word
        case UInt8(ascii: "s"): .whitespace
        default: nil
        }
    }

    /// Whether `\` + `byte` means the byte itself (ASCII punctuation only, as Python does).
    static func isLiteralEscape(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte > 0x20 && !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            && !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// Parses a bracket class; `index` is just after `[`.
    mutating func parseClass() throws(RoutingError) -> URLPattern.CharacterClass {
        let offset = index - 1
        var set = URLPattern.CharacterClass()
        if index < end, bytes[index] == UInt8(ascii: "^") {
            set.negated = true
            index += 1
        }
        var first = true
        while true {
            guard index < end else { throw failure("unterminated character class", at: offset) }
            var byte = bytes[index]
            if byte == UInt8(ascii: "]"), !first { break }
            first = false
            index += 1
            if byte >= 0x80 { throw failure("non-ASCII characters in a class are not supported") }
            if byte == UInt8(ascii: "\\") {
                guard index < end else { throw failure("unterminated character class", at: offset) }
                let escaped = bytes[index]
                index += 1
                if let named = Self.classEscape(escaped) {
                    set.formUnion(named)
                    continue
                }
                guard Self.isLiteralEscape(escaped) else { throw failure("unsupported escape in a class") }
                byte = escaped
            }
            if index + 1 < end, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] != UInt8(ascii: "]") {
                let last = bytes[index + 1]
                guard last < 0x80, last != UInt8(ascii: "\\"), byte <= last else {
                    throw failure("bad range in a character class")
                }
                set.insert(byte...last)
                index += 2
            } else {
                set.insert(byte)
            }
        }
        index += 1
        return set
    }
}
