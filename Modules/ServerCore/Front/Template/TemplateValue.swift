// TemplateValue.swift — the values a template context holds, with Python/Jinja2-compatible
// printing (str/repr), truthiness, equality and ordering.
//
// Part of the Jinja2-subset template engine (see Template.swift).

import Foundation

/// A value in a template context, mirroring the Python objects Jinja2 templates operate on.
///
/// Callers normally build `.none`, `.bool`, `.int`, `.double`, `.string`, `.list`, `.dict`,
/// `.function` and `.template`. The engine itself also produces:
/// - `.markup` — a string marked safe (markupsafe's `Markup`), produced by `safe`, `escape`/`e`
///   and `tojson`; `escape` leaves it unchanged, and `+` with a plain string escapes the plain side.
///   Callers may pass it too, to hand the template pre-escaped HTML.
/// - `.undefined` — Jinja's default `Undefined`: prints as "", is false, iterates as empty, and
///   raises its message when called, indexed, or used in arithmetic.
/// - `.macro` — a `{% macro %}` definition (imported with `{% from ... import ... %}` or defined inline).
///
/// Dictionaries have no insertion order in Swift; wherever Jinja would iterate a dict in insertion
/// order (`for k in d`, `d.items()`, printing), this engine uses ascending key order.
indirect enum TemplateValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    /// Attribute access `a.b` and subscription `a['b']` both look up keys.
    case dict([String: TemplateValue])
    /// A callable, e.g. Bokeh's `embed(root)`. Called with positional arguments only.
    case function(@Sendable ([TemplateValue]) throws -> TemplateValue)
    /// A template, usable in `{% extends base %}`, `{% include t %}` and `{% from t import m %}`.
    case template(Template)
    /// A string already safe for HTML (markupsafe `Markup`).
    case markup(String)
    /// An undefined value; the associated text is the error raised when it is used.
    case undefined(String)
    /// A macro defined by `{% macro %}`.
    case macro(TemplateMacro)

    /// An undefined value for a missing variable `name`, as Jinja reports it.
    static func undefinedName(_ name: String) -> TemplateValue {
        .undefined("\(pyRepr(name)) is undefined")
    }
}

// MARK: - Literal conveniences

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(floatLiteral value: Double) { self = .double(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    init(nilLiteral: ()) { self = .none }
    init(dictionaryLiteral elements: (String, TemplateValue)...) {
        var d: [String: TemplateValue] = [:]
        for (k, v) in elements { d[k] = v }
        self = .dict(d)
    }
}

// MARK: - Python semantics

extension TemplateValue {
    /// Python's type name, as used in error messages ("int", "str", "dict", ...).
    var pyTypeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .list: return "list"
        case .dict: return "dict"
        case .function: return "function"
        case .template: return "Template"
        case .undefined: return "Undefined"
        case .macro: return "Macro"
        }
    }

    /// Jinja's `object_type_repr`, used in "'dict object' has no attribute 'x'" messages.
    var objectTypeRepr: String {
        switch self {
        case .none: return "None"
        case .markup: return "markupsafe.Markup object"
        case .template: return "jinja2.environment.Template object"
        case .undefined: return "jinja2.runtime.Undefined object"
        case .macro: return "jinja2.runtime.Macro object"
        default: return "\(pyTypeName) object"
        }
    }

    /// Python truthiness (`bool(x)`); undefined is false.
    var isTruthy: Bool {
        switch self {
        case .none, .undefined: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s), .markup(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .dict(let d): return !d.isEmpty
        case .function, .template, .macro: return true
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }
    var isMarkup: Bool { if case .markup = self { return true } else { return false } }

    /// The string content of a `.string` or `.markup`, else nil.
    var stringContent: String? {
        switch self {
        case .string(let s), .markup(let s): return s
        default: return nil
        }
    }

    /// Python `str(x)`: how `{{ x }}` prints a value.
    var pyStr: String {
        switch self {
        case .string(let s), .markup(let s): return s
        case .undefined: return ""
        default: return pyReprString
        }
    }

    /// Python `repr(x)`, used for values nested in printed lists and dicts.
    var pyReprString: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return pyFloatRepr(d)
        case .string(let s): return pyRepr(s)
        case .markup(let s): return "Markup(\(pyRepr(s)))"
        case .list(let l): return "[" + l.map(\.pyReprString).joined(separator: ", ") + "]"
        case .dict(let d):
            return "{"
                + d.keys.sorted(by: pyLess).map { "\(pyRepr($0)): \(d[$0]?.pyReprString ?? "None")" }
                .joined(separator: ", ") + "}"
        case .function: return "<function>"
        case .template(let t): return "<Template \(pyRepr(t.file))>"
        case .undefined: return "Undefined"
        case .macro(let m): return "<Macro \(pyRepr(m.name))>"
        }
    }

    /// A numeric view (bool counts as int, as in Python), or nil for non-numbers.
    var numeric: Numeric? {
        switch self {
        case .bool(let b): return .int(b ? 1 : 0)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        default: return nil
        }
    }

    enum Numeric {
        case int(Int), double(Double)
        var asDouble: Double {
            switch self {
            case .int(let i): return Double(i)
            case .double(let d): return d
            }
        }
    }

    /// Python `==`.
    func pyEquals(_ other: TemplateValue) -> Bool {
        if let a = numeric, let b = other.numeric {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x == y
            default: return a.asDouble == b.asDouble
            }
        }
        switch (self, other) {
        case (.none, .none), (.undefined, .undefined): return true
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pyEquals($1) }
        case (.dict(let a), .dict(let b)):
            return a.count == b.count && a.allSatisfy { k, v in b[k].map { v.pyEquals($0) } ?? false }
        case (.template(let a), .template(let b)): return a === b
        case (.macro(let a), .macro(let b)): return a === b
        default:
            if let a = stringContent, let b = other.stringContent {
                return a.unicodeScalars.elementsEqual(b.unicodeScalars)
            }
            return false
        }
    }

    /// Python `<`; nil when Python would raise TypeError (unorderable types).
    func pyLessThan(_ other: TemplateValue) -> Bool? {
        if let a = numeric, let b = other.numeric {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x < y
            default: return a.asDouble < b.asDouble
            }
        }
        if let a = stringContent, let b = other.stringContent { return pyLess(a, b) }
        if case .list(let a) = self, case .list(let b) = other {
            for (x, y) in zip(a, b) where !x.pyEquals(y) { return x.pyLessThan(y) }
            return a.count < b.count
        }
        return nil
    }
}

/// Python string ordering: lexicographic by code point (not Swift's grapheme-aware ordering).
func pyLess(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}

// MARK: - Formatting helpers

/// Python's `repr()` of a string: single quotes unless the text contains ' and no ".
func pyRepr(_ s: String) -> String {
    let quote: Unicode.Scalar = (s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"")) ? "\"" : "'"
    var out = String(quote)
    for c in s.unicodeScalars {
        switch c {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if c == quote {
                out += "\\" + String(c)
            } else if isPyPrintable(c) {
                out.unicodeScalars.append(c)
            } else if c.value < 0x100 {
                out += "\\x" + templateHex(c.value, width: 2)
            } else if c.value < 0x10000 {
                out += "\\u" + templateHex(c.value, width: 4)
            } else {
                out += "\\U" + templateHex(c.value, width: 8)
            }
        }
    }
    out.unicodeScalars.append(quote)
    return out
}

/// Approximates Python's `str.isprintable()` for one code point.
private func isPyPrintable(_ c: Unicode.Scalar) -> Bool {
    if c == " " { return true }
    switch c.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default:
        return true
    }
}

func templateHex(_ v: UInt32, width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

/// Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents in
/// [-4, 16), otherwise scientific with a signed, at least two-digit exponent (1e+20, 1.5e-07).
func pyFloatRepr(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    // Swift's description also prints the shortest round-trip digits; re-lay them out Python's way.
    let desc = "\(abs(d))"
    var mantissa = Substring(desc)
    var exp10 = 0
    if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = desc[..<e]
        exp10 = Int(desc[desc.index(after: e)...]) ?? 0
    }
    var digits = ""
    var pointPos = 0  // digits before the decimal point in `mantissa`
    var seenPoint = false
    for ch in mantissa {
        if ch == "." { seenPoint = true; continue }
        digits.append(ch)
        if !seenPoint { pointPos += 1 }
    }
    // Normalise: strip leading zeros (adjusting the point) and trailing zeros.
    var decpt = pointPos + exp10
    while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); decpt -= 1 }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let n = digits.count
    let sign = d < 0 ? "-" : ""
    let x = decpt - 1
    if x < -4 || x >= 16 {
        var s = String(digits.prefix(1))
        if n > 1 { s += "." + digits.dropFirst() }
        let ax = abs(x)
        s += "e" + (x < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + String(ax)
        return sign + s
    }
    if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + digits }
    if decpt >= n { return sign + digits + String(repeating: "0", count: decpt - n) + ".0" }
    return sign + digits.prefix(decpt) + "." + digits.dropFirst(decpt)
}

/// markupsafe's `escape()`: & < > " ' become &amp; &lt; &gt; &#34; &#39;.
func markupEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&#34;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// Python's `str.isspace()` for one code point (also what `\s` matches in Python regexes).
func isPyWhitespace(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        return true
    default:
        return false
    }
}

/// Python's `str.strip()` / `lstrip()` / `rstrip()`; `chars` nil means whitespace.
func pyStrip(_ s: String, chars: String? = nil, leading: Bool = true, trailing: Bool = true) -> String {
    let set = chars.map { Set($0.unicodeScalars) }
    let strip: (Unicode.Scalar) -> Bool = { c in set.map { $0.contains(c) } ?? isPyWhitespace(c) }
    var scalars = Array(s.unicodeScalars)[...]
    if leading { while let f = scalars.first, strip(f) { scalars.removeFirst() } }
    if trailing { while let l = scalars.last, strip(l) { scalars.removeLast() } }
    var out = ""
    out.unicodeScalars.append(contentsOf: scalars)
    return out
}

/// Python's `str.splitlines()` (without keepends).
func pySplitLines(_ s: String) -> [String] {
    var lines: [String] = []
    var current = String.UnicodeScalarView()
    let scalars = Array(s.unicodeScalars)
    var i = 0
    while i < scalars.count {
        let c = scalars[i]
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
            lines.append(String(current))
            current = String.UnicodeScalarView()
            if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
        default:
            current.append(c)
        }
        i += 1
    }
    if !current.isEmpty { lines.append(String(current)) }
    return lines
}

/// Python's `json.dumps(value, sort_keys=True[, indent=n])` (ensure_ascii on, default separators).
func pyJSONDumps(_ value: TemplateValue, indent: Int? = nil, level: Int = 0) throws -> String {
    func newline(_ lvl: Int) -> String {
        guard let indent else { return "" }
        return "\n" + String(repeating: " ", count: indent * lvl)
    }
    let itemSep = indent == nil ? ", " : ","
    switch value {
    case .none: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d):
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return pyFloatRepr(d)
    case .string(let s), .markup(let s): return templateJSONString(s)
    case .list(let l):
        if l.isEmpty { return "[]" }
        let items = try l.map { newline(level + 1) + (try pyJSONDumps($0, indent: indent, level: level + 1)) }
        return "[" + items.joined(separator: itemSep) + newline(level) + "]"
    case .dict(let d):
        if d.isEmpty { return "{}" }
        let items = try d.keys.sorted(by: pyLess).map { k in
            newline(level + 1) + templateJSONString(k) + ": "
                + (try pyJSONDumps(d[k] ?? .none, indent: indent, level: level + 1))
        }
        return "{" + items.joined(separator: itemSep) + newline(level) + "}"
    default:
        throw EvalError("Object of type \(value.pyTypeName) is not JSON serializable")
    }
}

private func templateJSONString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        default:
            if c.value < 0x20 || c.value > 0x7F {
                if c.value > 0xFFFF {
                    let v = c.value - 0x10000
                    out +=
                        "\\u" + templateHex(0xD800 + (v >> 10), width: 4) + "\\u"
                        + templateHex(0xDC00 + (v & 0x3FF), width: 4)
                } else {
                    out += "\\u" + templateHex(c.value, width: 4)
                }
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    return out + "\""
}

/// An evaluation failure without a location yet; the renderer attaches file:line.
struct EvalError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
