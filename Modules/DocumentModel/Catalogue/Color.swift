/// A Bokeh color: a CSS name or hex string (`"navy"`, `"#ff8800"`), or RGB(A) components.
public enum Color: Hashable, Sendable, ExpressibleByStringLiteral {
    case css(String)
    case rgb(Int, Int, Int)
    case rgba(Int, Int, Int, Double)

    public init(stringLiteral value: String) { self = .css(value) }

    /// Whether `text` is a color Bokeh accepts as a string: a named color, `#RGB[A]`/`#RRGGBB[AA]`, or a
    /// CSS `rgb(…)`/`rgba(…)`/`hsl(…)`/`hsla(…)` function.
    public static func isValid(_ text: String) -> Bool {
        if NamedColor(rawValue: text.lowercased()) != nil { return true }
        if text.hasPrefix("#") {
            let digits = text.dropFirst()
            return [3, 4, 6, 8].contains(digits.count) && digits.allSatisfy(\.isHexDigit)
        }
        let lower = text.lowercased()
        return ["rgb(", "rgba(", "hsl(", "hsla("].contains { lower.hasPrefix($0) } && lower.hasSuffix(")")
    }
}

extension Color: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> Color? {
        switch value {
        case .string(let s): return isValid(s) ? .css(s) : nil
        case .list(let items) where items.count == 3 || items.count == 4:
            let rgb = items.prefix(3).compactMap { Int.fromBokeh($0) }
            guard rgb.count == 3, rgb.allSatisfy({ (0...255).contains($0) }) else { return nil }
            guard items.count == 4 else { return .rgb(rgb[0], rgb[1], rgb[2]) }
            guard let alpha = items[3].doubleValue else { return nil }
            return .rgba(rgb[0], rgb[1], rgb[2], alpha)
        default: return nil
        }
    }

    public var bokehValue: Value {
        switch self {
        case .css(let s): .string(s)
        case .rgb(let r, let g, let b): .list([.int(r), .int(g), .int(b)])
        case .rgba(let r, let g, let b, let a): .list([.int(r), .int(g), .int(b), .float(a)])
        }
    }
}
