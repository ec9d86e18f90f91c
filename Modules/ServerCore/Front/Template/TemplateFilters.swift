// TemplateFilters.swift — Jinja2's built-in filters and tests (the supported subset), plus the
// Python methods reachable as attributes (`d.items()`, `s.upper()`, ...), each following the
// jinja2/filters.py, jinja2/tests.py and markupsafe implementations.

import Foundation

/// Binds positional and keyword arguments to named parameters, Python style.
private struct BoundArgs {
    private var slots: [TemplateValue?]

    init(_ what: String, _ params: [String], _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]) throws {
        guard args.count <= params.count else {
            throw EvalError("\(what) takes at most \(params.count) argument(s) (\(args.count) given)")
        }
        slots = Array(repeating: nil, count: params.count)
        for (i, a) in args.enumerated() { slots[i] = a }
        for (k, v) in kwargs {
            guard let i = params.firstIndex(of: k) else {
                throw EvalError("\(what) got an unexpected keyword argument \(pyRepr(k))")
            }
            guard slots[i] == nil else { throw EvalError("\(what) got multiple values for argument \(pyRepr(k))") }
            slots[i] = v
        }
    }

    subscript(_ i: Int) -> TemplateValue? {
        guard i < slots.count, let v = slots[i] else { return nil }
        return v
    }

    func bool(_ i: Int, _ def: Bool) -> Bool { self[i]?.isTruthy ?? def }

    func int(_ i: Int, _ def: Int, _ what: String) throws -> Int {
        guard let v = self[i] else { return def }
        switch v {
        case .int(let n): return n
        case .bool(let b): return b ? 1 : 0
        default: throw EvalError("\(what): expected an integer, got \(v.pyTypeName)")
        }
    }
}

enum Filters {
    /// `str(value)` keeping Markup (Jinja's `soft_str`); undefined gives "".
    private static func softStr(_ v: TemplateValue) -> (String, Bool) {
        switch v {
        case .markup(let s): return (s, true)
        case .undefined: return ("", false)
        default: return (v.pyStr, false)
        }
    }

    private static func wrap(_ s: String, markup: Bool) -> TemplateValue { markup ? .markup(s) : .string(s) }

    private static func failIfUndefined(_ v: TemplateValue) throws {
        if case .undefined(let message) = v { throw EvalError(message) }
    }

    /// Applies the filter `name` (validated at parse time) to `value`.
    static func apply(
        _ name: String, _ value: TemplateValue, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]
    ) throws -> TemplateValue {
        func bind(_ params: [String]) throws -> BoundArgs {
            try BoundArgs("filter \(pyRepr(name))", params, args, kwargs)
        }
        switch name {
        case "safe":
            _ = try bind([])
            return value.isMarkup ? value : .markup(value.pyStr)
        case "e", "escape":
            _ = try bind([])
            return value.isMarkup ? value : .markup(markupEscape(value.pyStr))
        case "forceescape":
            _ = try bind([])
            return .markup(markupEscape(value.pyStr))
        case "indent":
            let a = try bind(["width", "first", "blank"])
            return try indent(value, width: a[0] ?? .int(4), first: a.bool(1, false), blank: a.bool(2, false))
        case "tojson":
            let a = try bind(["indent"])
            var indent: Int? = nil
            if let i = a[0], !i.isNone { indent = try a.int(0, 0, "tojson indent") }
            let json = try pyJSONDumps(value, indent: indent)
            return .markup(
                json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
                    .replacingOccurrences(of: "&", with: "\\u0026").replacingOccurrences(of: "'", with: "\\u0027"))
        case "default", "d":
            let a = try bind(["default_value", "boolean"])
            if value.isUndefined || (a.bool(1, false) && !value.isTruthy) { return a[0] ?? .string("") }
            return value
        case "length", "count":
            _ = try bind([])
            return .int(try length(value))
        case "upper", "lower":
            _ = try bind([])
            let (s, m) = softStr(value)
            return wrap(name == "upper" ? s.uppercased() : s.lowercased(), markup: m)
        case "capitalize":
            _ = try bind([])
            let (s, m) = softStr(value)
            guard let first = s.unicodeScalars.first else { return wrap(s, markup: m) }
            return wrap(
                first.properties.titlecaseMapping + String(s.unicodeScalars.dropFirst()).lowercased(), markup: m)
        case "title":
            _ = try bind([])
            return .string(title(softStr(value).0))
        case "trim":
            let a = try bind(["chars"])
            let (s, m) = softStr(value)
            let chars = a[0].flatMap { $0.isNone ? nil : $0.pyStr }
            return wrap(pyStrip(s, chars: chars), markup: m)
        case "center":
            let a = try bind(["width"])
            let (s, m) = softStr(value)
            let width = try a.int(0, 80, "center width")
            let n = s.unicodeScalars.count
            guard width > n else { return wrap(s, markup: m) }
            let marg = width - n
            let left = marg / 2 + (marg & width & 1)
            return wrap(String(repeating: " ", count: left) + s + String(repeating: " ", count: marg - left), markup: m)
        case "join":
            let a = try bind(["d", "attribute"])
            let sep = a[0]?.pyStr ?? ""
            var items = try Renderer.iterate(value)
            if let attr = a[1], !attr.isNone { items = try items.map { try attribute($0, attr) } }
            return .string(items.map(\.pyStr).joined(separator: sep))
        case "replace":
            let a = try bind(["old", "new", "count"])
            guard let old = a[0], let new = a[1] else {
                throw EvalError("filter 'replace' requires the arguments 'old' and 'new'")
            }
            let count = (a[2]?.isNone ?? true) ? -1 : try a.int(2, -1, "replace count")
            return .string(pyReplace(value.pyStr, old.pyStr, new.pyStr, count: count))
        case "int":
            let a = try bind(["default", "base"])
            return try toInt(value, default: a[0] ?? .int(0), base: try a.int(1, 10, "int base"))
        case "float":
            let a = try bind(["default"])
            return try toFloat(value, default: a[0] ?? .double(0))
        case "string":
            _ = try bind([])
            let (s, m) = softStr(value)
            return wrap(s, markup: m)
        case "first":
            _ = try bind([])
            return try Renderer.iterate(value).first ?? .undefined("No first item, sequence was empty.")
        case "last":
            _ = try bind([])
            return try Renderer.iterate(value).last ?? .undefined("No last item, sequence was empty.")
        case "list":
            _ = try bind([])
            return .list(try Renderer.iterate(value))
        case "reverse":
            _ = try bind([])
            if case .string(let s) = value {
                return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            }
            if case .markup(let s) = value {
                return .markup(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            }
            return .list(try Renderer.iterate(value).reversed())
        case "round":
            let a = try bind(["precision", "method"])
            return try round(value, precision: try a.int(0, 0, "round precision"), method: a[1]?.pyStr ?? "common")
        case "abs":
            _ = try bind([])
            try failIfUndefined(value)
            switch value.numeric {
            case .int(let i)?:
                guard i != Int.min else { throw EvalError("integer overflow") }
                return .int(Swift.abs(i))
            case .double(let d)?: return .double(Swift.abs(d))
            case nil: throw EvalError("bad operand type for abs(): \(pyRepr(value.pyTypeName))")
            }
        case "sum":
            let a = try bind(["attribute", "start"])
            var total = a[1] ?? .int(0)
            for item in try Renderer.iterate(value) {
                let v = try a[0].map { $0.isNone ? item : try attribute(item, $0) } ?? item
                total = try Renderer.binary(.add, total, v)
            }
            return total
        case "attr":
            let a = try bind(["name"])
            try failIfUndefined(value)
            guard let attr = a[0]?.stringContent else { throw EvalError("filter 'attr' requires an attribute name") }
            return Methods.bound(value, attr)
                ?? .undefined("\(pyRepr(value.objectTypeRepr)) has no attribute \(pyRepr(attr))")
        case "items":
            _ = try bind([])
            switch value {
            case .undefined: return .list([])
            case .dict(let d): return .list(d.keys.sorted(by: pyLess).map { .list([.string($0), d[$0] ?? .none]) })
            default: throw EvalError("Can only get item pairs from a mapping.")
            }
        default:
            throw EvalError("No filter named \(pyRepr(name)).")
        }
    }

    /// `len(value)`.
    static func length(_ value: TemplateValue) throws -> Int {
        switch value {
        case .string(let s), .markup(let s): return s.unicodeScalars.count
        case .list(let l): return l.count
        case .dict(let d): return d.count
        case .undefined: return 0
        default: throw EvalError("object of type \(pyRepr(value.pyTypeName)) has no len()")
        }
    }

    /// Jinja's attribute getter for `join(attribute=...)` / `sum(attribute=...)`: dotted getitem.
    private static func attribute(_ item: TemplateValue, _ attr: TemplateValue) throws -> TemplateValue {
        guard let path = attr.stringContent else { return try Renderer.getitem(item, attr) }
        var v = item
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key: TemplateValue = Int(part).map { .int($0) } ?? .string(String(part))
            v = try Renderer.getitem(v, key)
        }
        return v
    }

    /// `do_indent` (Jinja 3): the first line and blank lines are not indented unless asked.
    private static func indent(_ value: TemplateValue, width: TemplateValue, first: Bool, blank: Bool) throws
        -> TemplateValue
    {
        try failIfUndefined(value)
        guard let s = value.stringContent else {
            throw EvalError("unsupported operand type(s) for +=: \(pyRepr(value.pyTypeName)) and 'str'")
        }
        let indention: String
        switch width {
        case .string(let w), .markup(let w): indention = w
        case .int(let n): indention = String(repeating: " ", count: max(0, n))
        case .bool(let b): indention = b ? " " : ""
        default: throw EvalError("indent width must be an integer or a string")
        }
        var lines = pySplitLines(s + "\n")
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indention)
        } else {
            rv = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                rv += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n")
            }
        }
        if first { rv = indention + rv }
        return value.isMarkup ? .markup(rv) : .string(rv)
    }

    /// `do_title`: upper-case the first character of each word (words split on `[-\s({\[<]+`).
    private static func title(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s.unicodeScalars {
            let isDelimiter = c == "-" || c == "(" || c == "{" || c == "[" || c == "<" || isPyWhitespace(c)
            if isDelimiter {
                out.unicodeScalars.append(c)
                atWordStart = true
            } else if atWordStart {
                out += c.properties.uppercaseMapping
                atWordStart = false
            } else {
                out += c.properties.lowercaseMapping
            }
        }
        return out
    }

    /// Python `str.replace(old, new, count)`.
    static func pyReplace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        let hay = Array(s.unicodeScalars), needle = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var remaining = count < 0 ? Int.max : count
        if needle.isEmpty {
            for c in hay {
                if remaining > 0 { out.append(contentsOf: new.unicodeScalars); remaining -= 1 }
                out.append(c)
            }
            if remaining > 0 { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        var i = 0
        while i < hay.count {
            if remaining > 0, i + needle.count <= hay.count, hay[i..<i + needle.count].elementsEqual(needle) {
                out.append(contentsOf: new.unicodeScalars)
                i += needle.count
                remaining -= 1
            } else {
                out.append(hay[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Python `int(s, base)` for strings: whitespace, sign, `_` between digits, optional base prefix.
    static func parsePyInt(_ text: String, base: Int) -> Int? {
        var s = pyStrip(text).lowercased()
        var negative = false
        if s.hasPrefix("-") || s.hasPrefix("+") {
            negative = s.hasPrefix("-")
            s.removeFirst()
        }
        let prefixes = [16: "0x", 8: "0o", 2: "0b"]
        if let p = prefixes[base], s.hasPrefix(p) {
            s.removeFirst(2)
            if s.hasPrefix("_") { s.removeFirst() }
        }
        guard !s.isEmpty, !s.hasPrefix("_"), !s.hasSuffix("_"), !s.contains("__") else { return nil }
        s = s.replacingOccurrences(of: "_", with: "")
        guard (2...36).contains(base), let v = Int(s, radix: base) else { return nil }
        return negative ? -v : v
    }

    /// Python `float(s)` for strings.
    static func parsePyFloat(_ text: String) -> Double? {
        var s = pyStrip(text).lowercased()
        var sign = 1.0
        if s.hasPrefix("-") || s.hasPrefix("+") {
            if s.hasPrefix("-") { sign = -1 }
            s.removeFirst()
        }
        if s == "inf" || s == "infinity" { return sign * .infinity }
        if s == "nan" { return .nan }
        guard !s.isEmpty, s.unicodeScalars.allSatisfy({ "0123456789._e+-".unicodeScalars.contains($0) }) else {
            return nil
        }
        // Underscores only between digits.
        let chars = Array(s)
        for (i, c) in chars.enumerated() where c == "_" {
            guard i > 0, i + 1 < chars.count, chars[i - 1].isNumber, chars[i + 1].isNumber else { return nil }
        }
        s = s.replacingOccurrences(of: "_", with: "")
        guard s.contains(where: \.isNumber), let d = Double(s) else { return nil }
        return sign * d
    }

    /// `do_int`.
    private static func toInt(_ value: TemplateValue, default def: TemplateValue, base: Int) throws -> TemplateValue {
        func fromDouble(_ d: Double) throws -> TemplateValue? {
            if d.isNaN { return nil }
            if d.isInfinite { throw EvalError("cannot convert float infinity to integer") }
            guard let i = Int(exactly: d.rounded(.towardZero)) else { throw EvalError("integer too large") }
            return .int(i)
        }
        switch value {
        case .undefined(let message): throw EvalError(message)
        case .int: return value
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d): return try fromDouble(d) ?? def
        case .string(let s), .markup(let s):
            if let i = parsePyInt(s, base: base) { return .int(i) }
            if let d = parsePyFloat(s), d.isFinite { return try fromDouble(d) ?? def }
            return def
        default: return def
        }
    }

    /// `do_float`.
    private static func toFloat(_ value: TemplateValue, default def: TemplateValue) throws -> TemplateValue {
        switch value {
        case .undefined(let message): throw EvalError(message)
        case .int(let i): return .double(Double(i))
        case .bool(let b): return .double(b ? 1 : 0)
        case .double: return value
        case .string(let s), .markup(let s): return parsePyFloat(s).map { .double($0) } ?? def
        default: return def
        }
    }

    /// `do_round`: Python's round-half-even on the exact binary value for "common".
    private static func round(_ value: TemplateValue, precision: Int, method: String) throws -> TemplateValue {
        try failIfUndefined(value)
        guard ["common", "ceil", "floor"].contains(method) else {
            throw EvalError("method must be common, ceil or floor")
        }
        guard let n = value.numeric else { throw EvalError("type \(value.pyTypeName) doesn't define __round__ method") }
        if method != "common" {
            let scale = Foundation.pow(10.0, Double(precision))
            let x = n.asDouble * scale
            return .double((method == "ceil" ? x.rounded(.up) : x.rounded(.down)) / scale)
        }
        switch n {
        case .int(let i):
            guard precision < 0 else { return .int(i) }
            let scale = Foundation.pow(10.0, Double(-precision))
            // Rounding can leave Int's range (Int.max to the nearest ten) or be NaN (a huge scale): then a float.
            let rounded = (Double(i) / scale).rounded(.toNearestOrEven) * scale
            if rounded.isNaN { return .int(0) }
            guard let whole = Int(exactly: rounded) else { return .double(rounded) }
            return .int(whole)
        case .double(let d):
            if !d.isFinite { return .double(d) }
            if precision < 0 {
                let scale = Foundation.pow(10.0, Double(-precision))
                return .double((d / scale).rounded(.toNearestOrEven) * scale)
            }
            // glibc's printf rounds the exact binary value half-to-even, as CPython's round() does.
            let text = String(format: "%.\(min(precision, 340))f", d)
            return .double(Double(text) ?? d)
        }
    }

    // MARK: Tests

    /// Evaluates the test `name` (validated at parse time): `value is name(args)`.
    static func test(
        _ name: String, _ value: TemplateValue, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]
    ) throws -> Bool {
        let needsArg: Set<String> = [
            "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "gt",
            "greaterthan", ">", "le", "<=", "ge", ">=", "in", "sameas",
        ]
        let a = try BoundArgs("test \(pyRepr(name))", needsArg.contains(name) ? ["other"] : [], args, kwargs)
        let other: TemplateValue
        if needsArg.contains(name) {
            guard let o = a[0] else { throw EvalError("test \(pyRepr(name)) requires an argument") }
            other = o
        } else {
            other = .none
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number": return value.numeric != nil
        case "string": return value.stringContent != nil
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable", "sequence":
            switch value {
            case .list, .dict, .string, .markup, .undefined: return true
            default: return false
            }
        case "callable":
            switch value {
            case .function, .macro, .undefined: return true
            default: return false
            }
        case "even": return try Renderer.binary(.mod, value, .int(2)).pyEquals(.int(0))
        case "odd": return try Renderer.binary(.mod, value, .int(2)).pyEquals(.int(1))
        case "divisibleby": return try Renderer.binary(.mod, value, other).pyEquals(.int(0))
        case "eq", "equalto", "==": return value.pyEquals(other)
        case "ne", "!=": return !value.pyEquals(other)
        case "lt", "lessthan", "<": return try Renderer.compare(.lt, value, other)
        case "gt", "greaterthan", ">": return try Renderer.compare(.gt, value, other)
        case "le", "<=": return try Renderer.compare(.le, value, other)
        case "ge", ">=": return try Renderer.compare(.ge, value, other)
        case "in": return try Renderer.contains(other, value)
        case "lower", "upper":
            var cased = false
            for c in value.pyStr.unicodeScalars {
                let p = c.properties
                if p.isLowercase { if name == "upper" { return false }; cased = true }
                if p.isUppercase || p.generalCategory == .titlecaseLetter {
                    if name == "lower" { return false }; cased = true
                }
            }
            return cased
        case "escaped": return value.isMarkup
        case "sameas":
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.template(let x), .template(let y)): return x === y
            case (.macro(let x), .macro(let y)): return x === y
            default: return false
            }
        default:
            throw EvalError("No test named \(pyRepr(name)).")
        }
    }
}

extension TemplateValue {
    /// True for `.none` (Python's None).
    var isNone: Bool { if case .none = self { return true } else { return false } }
}

/// Python methods reachable as attributes: `dict.items/keys/values/get`, a few `str` methods.
enum Methods {
    /// The bound method `name` of `value`, or nil if the type has no such method.
    static func bound(_ value: TemplateValue, _ name: String) -> TemplateValue? {
        switch value {
        case .dict(let d):
            let keys = d.keys.sorted(by: pyLess)
            switch name {
            case "items": return .function { _ in .list(keys.map { .list([.string($0), d[$0] ?? .none]) }) }
            case "keys": return .function { _ in .list(keys.map { .string($0) }) }
            case "values": return .function { _ in .list(keys.map { d[$0] ?? .none }) }
            case "get":
                return .function { args in
                    guard (1...2).contains(args.count) else {
                        throw EvalError("get expected 1 or 2 arguments, got \(args.count)")
                    }
                    return args[0].stringContent.flatMap { d[$0] } ?? (args.count == 2 ? args[1] : .none)
                }
            default: return nil
            }
        case .string(let s), .markup(let s):
            let markup = value.isMarkup
            @Sendable func str(_ r: String) -> TemplateValue { markup ? .markup(r) : .string(r) }
            switch name {
            case "upper": return .function { _ in str(s.uppercased()) }
            case "lower": return .function { _ in str(s.lowercased()) }
            case "strip", "lstrip", "rstrip":
                return .function { args in
                    let chars = args.first.flatMap { $0.isNone ? nil : $0.pyStr }
                    return str(pyStrip(s, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
                }
            case "startswith", "endswith":
                return .function { args in
                    guard args.count == 1, let p = args[0].stringContent else {
                        throw EvalError("\(name) expects one string argument")
                    }
                    let a = Array(s.unicodeScalars), b = Array(p.unicodeScalars)
                    return .bool(name == "startswith" ? a.starts(with: b) : a.reversed().starts(with: b.reversed()))
                }
            case "replace":
                return .function { args in
                    guard args.count >= 2 else { throw EvalError("replace expected at least 2 arguments") }
                    let count =
                        args.count > 2
                        ? (args[2].numeric.map { if case .int(let i) = $0 { return i } else { return -1 } } ?? -1) : -1
                    return .string(Filters.pyReplace(s, args[0].pyStr, args[1].pyStr, count: count))
                }
            case "split":
                return .function { args in
                    if let sep = args.first, !sep.isNone {
                        let sepStr = sep.pyStr
                        guard !sepStr.isEmpty else { throw EvalError("empty separator") }
                        return .list(s.components(separatedBy: sepStr).map { .string($0) })
                    }
                    var parts: [TemplateValue] = []
                    var cur = String.UnicodeScalarView()
                    for c in s.unicodeScalars {
                        if isPyWhitespace(c) {
                            if !cur.isEmpty { parts.append(.string(String(cur))); cur = String.UnicodeScalarView() }
                        } else {
                            cur.append(c)
                        }
                    }
                    if !cur.isEmpty { parts.append(.string(String(cur))) }
                    return .list(parts)
                }
            default: return nil
            }
        default:
            return nil
        }
    }
}
