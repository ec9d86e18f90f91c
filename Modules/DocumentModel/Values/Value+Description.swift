/// Short, bounded descriptions of values, for messages and logs.
///
/// A value can come from a peer and nest hundreds of levels deep; the default (reflection) description
/// would walk all of it, deeply enough to overflow a thread's stack. These stop at ``maxDepth`` levels and
/// about ``maxLength`` characters.
enum BoundedDescription {
    static let maxDepth = 6
    static let maxLength = 200
    static let maxItems = 8

    /// Appends to `text` unless it is already over the length limit.
    struct Writer {
        var text = ""
        var full: Bool { text.utf8.count >= BoundedDescription.maxLength }

        mutating func write(_ s: String) {
            guard !full else { return }
            text += s
        }

        func finished() -> String {
            guard text.utf8.count > BoundedDescription.maxLength else { return text }
            return String(text.prefix(BoundedDescription.maxLength)) + "…"
        }

        /// `open items close`, at most ``maxItems`` of them, each written by `item`.
        mutating func sequence<C: Collection>(
            _ open: String, _ items: C, _ close: String, item: (inout Writer, C.Element) -> Void
        ) {
            write(open)
            for (i, element) in items.prefix(BoundedDescription.maxItems).enumerated() {
                if full { break }
                if i > 0 { write(", ") }
                item(&self, element)
            }
            if items.count > BoundedDescription.maxItems { write(", …") }
            write(close)
        }
    }

    static func quoted(_ s: String) -> String {
        let short = s.count > 60 ? String(s.prefix(60)) + "…" : s
        var out = "'"
        for c in short { out += c == "'" ? "\\'" : String(c) }
        return out + "'"
    }

    static func write(_ value: Value, depth: Int, to w: inout Writer) {
        guard depth < maxDepth else { return w.write("…") }
        switch value {
        case .null: w.write("None")
        case .bool(let b): w.write(b ? "True" : "False")
        case .int(let i): w.write(String(i))
        case .float(let d): w.write(PythonFloat.repr(d))
        case .string(let s): w.write(quoted(s))
        case .list(let items): w.sequence("[", items, "]") { write($1, depth: depth + 1, to: &$0) }
        case .set(let items): w.sequence("{", items, "}") { write($1, depth: depth + 1, to: &$0) }
        case .map(let map):
            w.sequence("{", map.entries, "}") { w, entry in
                write(entry.key, depth: depth + 1, to: &w)
                w.write(": ")
                write(entry.value, depth: depth + 1, to: &w)
            }
        case .dictionary(let members):
            w.sequence("{", members, "}") { w, member in
                w.write(quoted(member.key) + ": ")
                write(member.value, depth: depth + 1, to: &w)
            }
        case .structure(let name, let attributes):
            w.sequence("\(name)(", attributes, ")") { w, attribute in
                w.write(attribute.name + "=")
                write(attribute.value, depth: depth + 1, to: &w)
            }
        case .bytes(let bytes): w.write("bytes(\(bytes.count))")
        case .ndarray(let array): w.write("ndarray(\(array.storage.dtype), shape=\(array.shape.prefix(8)))")
        case .typedArray(let typed): w.write("typed_array(\(typed.dtype), \(typed.count))")
        case .slice(let s):
            w.write("slice(\(s.start.map(String.init) ?? "None"), \(s.stop.map(String.init) ?? "None"), ")
            w.write("\(s.step.map(String.init) ?? "None"))")
        case .spec(let spec):
            switch spec.kind {
            case .value(let v):
                w.write("value(")
                write(v, depth: depth + 1, to: &w)
                w.write(")")
            case .field(let f): w.write("field(\(quoted(f)))")
            case .expr(let e):
                w.write("expr(")
                write(e, depth: depth + 1, to: &w)
                w.write(")")
            }
        case .model(let model): w.write(model.description)
        case .event(let name, let values):
            w.write("event(\(quoted(name)), ")
            write(values, depth: depth + 1, to: &w)
            w.write(")")
        }
    }

    static func write(_ value: JSONValue, depth: Int, to w: inout Writer) {
        guard depth < maxDepth else { return w.write("…") }
        switch value {
        case .null: w.write("null")
        case .bool(let b): w.write(b ? "true" : "false")
        case .int(let i): w.write(String(i))
        case .double(let d): w.write(PythonFloat.repr(d))
        case .string(let s): w.write("\"" + (s.count > 60 ? String(s.prefix(60)) + "…" : s) + "\"")
        case .array(let items): w.sequence("[", items, "]") { write($1, depth: depth + 1, to: &$0) }
        case .object(let object):
            w.sequence("{", object.members, "}") { w, member in
                w.write("\"\(member.key)\": ")
                write(member.value, depth: depth + 1, to: &w)
            }
        }
    }
}

extension Value: CustomStringConvertible, CustomDebugStringConvertible {
    /// A short Python-like rendering, at most about 200 characters and 6 levels deep.
    public var description: String {
        var w = BoundedDescription.Writer()
        BoundedDescription.write(self, depth: 0, to: &w)
        return w.finished()
    }

    public var debugDescription: String { description }
}

extension JSONValue: CustomStringConvertible, CustomDebugStringConvertible {
    /// A short JSON-like rendering, at most about 200 characters and 6 levels deep.
    public var description: String {
        var w = BoundedDescription.Writer()
        BoundedDescription.write(self, depth: 0, to: &w)
        return w.finished()
    }

    public var debugDescription: String { description }
}

extension ValueMap: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { Value.map(self).description }
    public var debugDescription: String { description }
}

extension JSONObject: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { JSONValue.object(self).description }
    public var debugDescription: String { description }
}
