/// The YAML subset Bokeh's `theme.yaml` files use, read as PyYAML's `safe_load` reads it: block mappings and
/// sequences by indentation, flow lists and maps (`[6, 4]`, `{a: 1}`), quoted and plain scalars with YAML
/// 1.1's resolution (`yes`/`no`/`on`/`off` are booleans, `~` and `null` are null, a float needs a dot),
/// the `!!null`, `!!str`, `!!int`, `!!float` and `!!bool` tags, and `#` comments. Anything else (anchors,
/// aliases, block scalars `|` and `>`, multi-line plain scalars, several documents) is refused with its
/// line number rather than misread.
package enum ThemeYAML {
    struct Line {
        let number: Int
        let indent: Int
        var text: String
    }

    package static func parse(_ text: String) throws(ThemeError) -> JSONValue {
        var lines: [Line] = []
        var started = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let stripped = try stripComment(line, line: number)
            let content = stripped.drop { $0 == " " }
            if content.isEmpty { continue }
            if stripped.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw .yaml(line: number, "tabs are not allowed in indentation")
            }
            if content.hasPrefix("%") { throw .yaml(line: number, "directives are not supported") }
            if content == "---" || content.hasPrefix("--- ") {
                if started { throw .yaml(line: number, "only one document is supported") }
                started = true
                let rest = content.dropFirst(3).drop { $0 == " " }
                if !rest.isEmpty { throw .yaml(line: number, "content after '---' is not supported") }
                continue
            }
            if content == "..." { break }
            started = true
            lines.append(Line(number: number, indent: stripped.count - content.count, text: String(content)))
        }
        guard let first = lines.first else { return .null }
        var index = 0
        let value = try block(&lines, &index, indent: first.indent)
        if index < lines.count { throw .yaml(line: lines[index].number, "unexpected indentation") }
        return value
    }

    /// The line without a trailing comment (a `#` at the start or after a space, outside quotes).
    private static func stripComment(_ line: String, line number: Int) throws(ThemeError) -> String {
        var quote: Character? = nil
        var previous: Character = " "
        var out = ""
        var escaped = false
        for c in line {
            if let q = quote {
                if escaped {
                    escaped = false
                } else if c == "\\", q == "\"" {
                    escaped = true
                } else if c == q {
                    quote = nil
                }
            } else if c == "#", previous == " " || previous == "\t" {
                break
            } else if c == "\"" || c == "'",
                previous == " " || previous == "[" || previous == "{"
                    || previous == "," || previous == ":" || out.allSatisfy({ $0 == " " || $0 == "-" })
            {
                quote = c
            }
            out.append(c)
            previous = c
        }
        while out.last == " " || out.last == "\t" { out.removeLast() }
        return out
    }

    private static func block(_ lines: inout [Line], _ index: inout Int, indent: Int) throws(ThemeError) -> JSONValue {
        let line = lines[index]
        if line.text == "-" || line.text.hasPrefix("- ") { return try sequence(&lines, &index, indent: indent) }
        if splitKey(line.text) != nil { return try mapping(&lines, &index, indent: indent) }
        index += 1
        if index < lines.count, lines[index].indent > indent {
            throw .yaml(line: lines[index].number, "multi-line scalars are not supported")
        }
        return try scalar(line.text, line: line.number)
    }

    private static func sequence(_ lines: inout [Line], _ index: inout Int, indent: Int) throws(ThemeError)
        -> JSONValue
    {
        var items: [JSONValue] = []
        while index < lines.count, lines[index].indent == indent,
            lines[index].text == "-" || lines[index].text.hasPrefix("- ")
        {
            let line = lines[index]
            let rest = line.text.dropFirst(1).drop { $0 == " " }
            if rest.isEmpty {
                index += 1
                guard index < lines.count, lines[index].indent > indent else {
                    items.append(.null)
                    continue
                }
                items.append(try block(&lines, &index, indent: lines[index].indent))
            } else {
                // "- key: value" opens a mapping whose keys line up after the dash.
                lines[index] = Line(
                    number: line.number, indent: line.text.count - rest.count + indent, text: String(rest))
                items.append(try block(&lines, &index, indent: lines[index].indent))
            }
        }
        if index < lines.count, lines[index].indent > indent {
            throw .yaml(line: lines[index].number, "unexpected indentation")
        }
        return .array(items)
    }

    private static func mapping(_ lines: inout [Line], _ index: inout Int, indent: Int) throws(ThemeError)
        -> JSONValue
    {
        var members: [(key: String, value: JSONValue)] = []
        while index < lines.count, lines[index].indent == indent {
            let line = lines[index]
            guard let (rawKey, rawValue) = splitKey(line.text) else {
                throw .yaml(line: line.number, "expected 'key: value'")
            }
            let key: String
            switch try scalar(rawKey, line: line.number) {
            case .string(let s): key = s
            case .int(let i): key = String(i)
            case .double(let d): key = String(d)
            case .bool(let b): key = b ? "True" : "False"
            case .null: key = "None"
            default: throw .yaml(line: line.number, "keys must be scalars")
            }
            if members.contains(where: { $0.key == key }) {
                // PyYAML keeps the last value of a repeated key.
                members.removeAll { $0.key == key }
            }
            index += 1
            if rawValue.isEmpty {
                if index < lines.count,
                    lines[index].indent > indent
                        || (lines[index].indent == indent
                            && (lines[index].text == "-" || lines[index].text.hasPrefix("- ")))
                {
                    members.append((key: key, value: try block(&lines, &index, indent: lines[index].indent)))
                } else {
                    members.append((key: key, value: .null))
                }
            } else {
                if index < lines.count, lines[index].indent > indent {
                    throw .yaml(line: lines[index].number, "multi-line scalars are not supported")
                }
                members.append((key: key, value: try scalar(rawValue, line: line.number)))
            }
        }
        if index < lines.count, lines[index].indent > indent {
            throw .yaml(line: lines[index].number, "unexpected indentation")
        }
        return .object(JSONObject(members))
    }

    /// `key` and `value` of a `key: value` line (the colon outside quotes and flows, followed by a space or
    /// ending the line).
    private static func splitKey(_ text: String) -> (String, String)? {
        var quote: Character? = nil
        var depth = 0
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": if i == 0 { quote = c }
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            case ":" where depth == 0 && (i + 1 == chars.count || chars[i + 1] == " "):
                let key = String(chars[..<i]).trimmingSpaces
                let value = String(chars[(i + 1)...]).trimmingSpaces
                return key.isEmpty ? nil : (key, value)
            default: break
            }
        }
        return nil
    }

    /// A scalar or flow collection.
    static func scalar(_ text: String, line: Int) throws(ThemeError) -> JSONValue {
        var reader = FlowReader(chars: Array(text), line: line)
        let value = try reader.value(inFlow: false)
        reader.skipSpaces()
        if !reader.atEnd { throw .yaml(line: line, "unexpected text after a value: '\(text)'") }
        return value
    }

    struct FlowReader {
        let chars: [Character]
        let line: Int
        var position = 0

        var atEnd: Bool { position >= chars.count }

        mutating func skipSpaces() { while position < chars.count, chars[position] == " " { position += 1 } }

        mutating func value(inFlow: Bool) throws(ThemeError) -> JSONValue {
            skipSpaces()
            guard position < chars.count else { return .null }
            switch chars[position] {
            case "[": return try flowList()
            case "{": return try flowMap()
            case "\"": return .string(try doubleQuoted())
            case "'": return .string(try singleQuoted())
            case "&", "*": throw .yaml(line: line, "anchors and aliases are not supported")
            case "|", ">": throw .yaml(line: line, "block scalars ('|', '>') are not supported")
            case "!": return try tagged(inFlow: inFlow)
            default: return Self.resolve(plain(inFlow: inFlow))
            }
        }

        private mutating func tagged(inFlow: Bool) throws(ThemeError) -> JSONValue {
            var tag = ""
            while position < chars.count, chars[position] != " " {
                tag.append(chars[position])
                position += 1
            }
            skipSpaces()
            let rest: JSONValue
            if position < chars.count, chars[position] == "\"" {
                rest = .string(try doubleQuoted())
            } else if position < chars.count, chars[position] == "'" {
                rest = .string(try singleQuoted())
            } else {
                rest = .string(plain(inFlow: inFlow))
            }
            let text: String = if case .string(let s) = rest { s } else { "" }
            switch tag {
            case "!!null": return .null
            case "!!str": return .string(text)
            case "!!int":
                guard let i = Int(text) else { throw .yaml(line: line, "'\(text)' is not an integer") }
                return .int(i)
            case "!!float":
                guard let d = Double(text) else { throw .yaml(line: line, "'\(text)' is not a float") }
                return .double(d)
            case "!!bool":
                guard case .bool(let b) = Self.resolve(text) else {
                    throw .yaml(line: line, "'\(text)' is not a boolean")
                }
                return .bool(b)
            default: throw .yaml(line: line, "unsupported tag \(tag)")
            }
        }

        private mutating func plain(inFlow: Bool) -> String {
            var out = ""
            while position < chars.count {
                let c = chars[position]
                if inFlow, c == "," || c == "]" || c == "}" { break }
                if inFlow, c == ":", position + 1 == chars.count || chars[position + 1] == " " { break }
                out.append(c)
                position += 1
            }
            return out.trimmingSpaces
        }

        private mutating func doubleQuoted() throws(ThemeError) -> String {
            position += 1
            var out = ""
            while position < chars.count {
                let c = chars[position]
                position += 1
                if c == "\"" { return out }
                guard c == "\\" else {
                    out.append(c)
                    continue
                }
                guard position < chars.count else { break }
                let e = chars[position]
                position += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "\\", "\"", "/", " ": out.append(e)
                case "x", "u", "U":
                    let count = e == "x" ? 2 : e == "u" ? 4 : 8
                    guard position + count <= chars.count,
                        let code = UInt32(String(chars[position..<position + count]), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else { throw .yaml(line: line, "bad escape in a double-quoted string") }
                    out.unicodeScalars.append(scalar)
                    position += count
                default: throw .yaml(line: line, "unknown escape \\\(e)")
                }
            }
            throw .yaml(line: line, "unterminated double-quoted string")
        }

        private mutating func singleQuoted() throws(ThemeError) -> String {
            position += 1
            var out = ""
            while position < chars.count {
                let c = chars[position]
                position += 1
                if c == "'" {
                    if position < chars.count, chars[position] == "'" {
                        out.append("'")
                        position += 1
                        continue
                    }
                    return out
                }
                out.append(c)
            }
            throw .yaml(line: line, "unterminated single-quoted string")
        }

        private mutating func flowList() throws(ThemeError) -> JSONValue {
            position += 1
            var items: [JSONValue] = []
            while true {
                skipSpaces()
                guard position < chars.count else { throw .yaml(line: line, "unterminated '['") }
                if chars[position] == "]" {
                    position += 1
                    return .array(items)
                }
                items.append(try value(inFlow: true))
                skipSpaces()
                guard position < chars.count else { throw .yaml(line: line, "unterminated '['") }
                if chars[position] == "," {
                    position += 1
                } else if chars[position] != "]" {
                    throw .yaml(line: line, "expected ',' or ']' in a flow list")
                }
            }
        }

        private mutating func flowMap() throws(ThemeError) -> JSONValue {
            position += 1
            var members: [(key: String, value: JSONValue)] = []
            while true {
                skipSpaces()
                guard position < chars.count else { throw .yaml(line: line, "unterminated '{'") }
                if chars[position] == "}" {
                    position += 1
                    return .object(JSONObject(members))
                }
                guard case .string(let key) = try value(inFlow: true) else {
                    throw .yaml(line: line, "flow map keys must be strings")
                }
                skipSpaces()
                var entry: JSONValue = .null
                if position < chars.count, chars[position] == ":" {
                    position += 1
                    entry = try value(inFlow: true)
                }
                members.removeAll { $0.key == key }
                members.append((key: key, value: entry))
                skipSpaces()
                guard position < chars.count else { throw .yaml(line: line, "unterminated '{'") }
                if chars[position] == "," {
                    position += 1
                } else if chars[position] != "}" {
                    throw .yaml(line: line, "expected ',' or '}' in a flow map")
                }
            }
        }

        /// YAML 1.1 plain scalar resolution as PyYAML's SafeLoader does it (the common forms).
        static func resolve(_ text: String) -> JSONValue {
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
            case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
            case ".nan", ".NaN", ".NAN": return .double(.nan)
            default: break
            }
            let digits = text.replacingUnderscores
            let unsigned = digits.first == "-" || digits.first == "+" ? digits.dropFirst() : Substring(digits)
            if !unsigned.isEmpty, unsigned.allSatisfy(\.isASCIIDigit) {
                if unsigned.count > 1, unsigned.first == "0" {
                    // YAML 1.1 reads a leading zero as octal.
                    if let octal = Int(unsigned, radix: 8) { return .int(digits.first == "-" ? -octal : octal) }
                    return .string(text)
                }
                if let i = Int(digits) { return .int(i) }
                return Double(digits).map(JSONValue.double) ?? .string(text)
            }
            if unsigned.hasPrefix("0x"), let hex = Int(unsigned.dropFirst(2), radix: 16) {
                return .int(digits.first == "-" ? -hex : hex)
            }
            if isYAML11Float(unsigned), let d = Double(digits) { return .double(d) }
            return .string(text)
        }

        /// `[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or `\.[0-9_]+([eE][-+][0-9]+)?` (PyYAML's float, sign off).
        private static func isYAML11Float(_ s: Substring) -> Bool {
            var rest = s[...]
            let whole = rest.prefix(while: \.isASCIIDigit)
            rest = rest.dropFirst(whole.count)
            guard rest.first == "." else { return false }
            rest = rest.dropFirst()
            let fraction = rest.prefix(while: \.isASCIIDigit)
            rest = rest.dropFirst(fraction.count)
            if whole.isEmpty && fraction.isEmpty { return false }
            if rest.isEmpty { return true }
            guard rest.first == "e" || rest.first == "E" else { return false }
            rest = rest.dropFirst()
            guard rest.first == "-" || rest.first == "+" else { return false }
            rest = rest.dropFirst()
            return !rest.isEmpty && rest.allSatisfy(\.isASCIIDigit)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    fileprivate var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
