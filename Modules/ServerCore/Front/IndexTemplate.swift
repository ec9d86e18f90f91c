import Foundation

/// The `--index` page: a template rendered with `prefix` and `items` (the sorted application paths), as
/// Bokeh's root handler renders it.
///
/// Bokeh's index is a Tornado template (`{% for item in items %} … {% end %}`, `{{ item[1:] }}` escaped).
/// Both that dialect and Jinja's (`{% endfor %}`) are read: Tornado's `{% end %}` closes whichever `for`,
/// `if`, `while` or `block` is open, `{{ … }}` is HTML-escaped as Tornado escapes it, `{% raw x %}` is not,
/// and `{% comment … %}` is dropped. Tornado's other tags (`module`, `try`, `apply`, ...) are refused.
struct IndexTemplate: Sendable {
    private let template: Template

    /// Parses the file at `path`. Throws ``TemplateError`` (with its line) or an unreadable-file error.
    init(contentsOfFile path: String) throws {
        let source: String
        do { source = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TemplateError(file: path, line: 1, message: "cannot read the index template: \(error)")
        }
        try self.init(source: source, file: path)
    }

    init(source: String, file: String) throws {
        let translated = try Self.fromTornado(source, file: file)
        template = try Template(source: translated, file: file)
    }

    func render(prefix: String, items: [String]) throws -> String {
        try template.render(["prefix": .string(prefix), "items": .list(items.map { .string($0) })])
    }

    /// Tornado's template syntax as the Jinja our engine reads. Jinja's own block tags pass through.
    static func fromTornado(_ source: String, file: String) throws -> String {
        var out = ""
        var open: [String] = []
        var rest = Substring(source)
        var line = 1
        while let start = rest.range(of: "{") {
            out += rest[..<start.lowerBound]
            line += rest[..<start.lowerBound].count { $0 == "\n" }
            let after = rest[start.upperBound...]
            guard let kind = after.first, kind == "{" || kind == "%" || kind == "#" else {
                out += "{"
                rest = after
                continue
            }
            let closer = kind == "{" ? "}}" : kind == "%" ? "%}" : "#}"
            let bodyStart = after.index(after: after.startIndex)
            guard let end = after[bodyStart...].range(of: closer) else {
                throw TemplateError(file: file, line: line, message: "unclosed '{\(kind)' tag")
            }
            let body = after[bodyStart..<end.lowerBound]
            let inner = body.trimmingCharacters(in: .whitespacesAndNewlines)
            line += body.count { $0 == "\n" }
            rest = after[end.upperBound...]
            switch kind {
            case "{":
                // `{{! … }}` is Tornado's escape for a literal `{{`.
                if inner.hasPrefix("!") {
                    out += "{{ '{{' }}" + inner.dropFirst() + "}}"
                } else {
                    out += "{{ (\(inner))|e }}"
                }
            case "#":
                out += "{#" + body.replacingOccurrences(of: "#}", with: "") + "#}"
            default:
                let word = inner.prefix { !$0.isWhitespace }
                let argument = inner.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
                switch word {
                case "end":
                    guard let tag = open.popLast() else {
                        throw TemplateError(file: file, line: line, message: "'end' without an open block")
                    }
                    out += "{% end\(tag) %}"
                case "for", "if", "while", "block":
                    if word == "while" {
                        throw TemplateError(file: file, line: line, message: "'while' is not supported")
                    }
                    open.append(String(word))
                    out += "{% \(inner) %}"
                case "endfor", "endif", "endblock":
                    _ = open.popLast()
                    out += "{% \(inner) %}"
                case "elif", "else", "set", "extends", "include", "import", "from", "macro", "endmacro", "with",
                    "endwith":
                    if word == "macro" || word == "with" { open.append(String(word)) }
                    if word == "endmacro" || word == "endwith" { _ = open.popLast() }
                    out += "{% \(inner) %}"
                case "raw":
                    guard !argument.isEmpty else {
                        throw TemplateError(
                            file: file, line: line,
                            message: "write Tornado's '{% raw expression %}' for unescaped output")
                    }
                    out += "{{ \(argument) }}"
                case "comment":
                    break
                case "autoescape", "whitespace":
                    break  // the index is always escaped; whitespace is kept as written
                default:
                    throw TemplateError(
                        file: file, line: line, message: "the '\(word)' tag is not supported in an index template")
                }
            }
        }
        out += rest
        if let tag = open.last {
            throw TemplateError(file: file, line: line, message: "'\(tag)' is never closed")
        }
        return out
    }
}
