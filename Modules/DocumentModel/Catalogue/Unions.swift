/// A Bokeh union (`Either(A, B)`): the first alternative a value fits, in declaration order.
public enum OneOf2<A: BokehConvertible, B: BokehConvertible>: BokehConvertible {
    case a(A)
    case b(B)

    public static func fromBokeh(_ value: Value) -> OneOf2? {
        if let v = A.fromBokeh(value) { return .a(v) }
        if let v = B.fromBokeh(value) { return .b(v) }
        return nil
    }

    public var bokehValue: Value {
        switch self {
        case .a(let v): v.bokehValue
        case .b(let v): v.bokehValue
        }
    }
}

/// A Bokeh union of three alternatives (`Either(A, B, C)`).
public enum OneOf3<A: BokehConvertible, B: BokehConvertible, C: BokehConvertible>: BokehConvertible {
    case a(A)
    case b(B)
    case c(C)

    public static func fromBokeh(_ value: Value) -> OneOf3? {
        if let v = A.fromBokeh(value) { return .a(v) }
        if let v = B.fromBokeh(value) { return .b(v) }
        if let v = C.fromBokeh(value) { return .c(v) }
        return nil
    }

    public var bokehValue: Value {
        switch self {
        case .a(let v): v.bokehValue
        case .b(let v): v.bokehValue
        case .c(let v): v.bokehValue
        }
    }
}

/// A Bokeh tuple of two items (`Tuple(A, B)`), written as a two-element list.
public struct Tuple2<A: BokehConvertible, B: BokehConvertible>: BokehConvertible {
    public var first: A
    public var second: B

    public init(_ first: A, _ second: B) {
        self.first = first
        self.second = second
    }

    public static func fromBokeh(_ value: Value) -> Tuple2? {
        guard case .list(let items) = value, items.count == 2, let a = A.fromBokeh(items[0]),
            let b = B.fromBokeh(items[1])
        else { return nil }
        return Tuple2(a, b)
    }

    public var bokehValue: Value { .list([first.bokehValue, second.bokehValue]) }
}

extension OneOf2: ExpressibleByUnicodeScalarLiteral, ExpressibleByExtendedGraphemeClusterLiteral,
    ExpressibleByStringLiteral
where A == String {
    public init(stringLiteral value: String) { self = .a(value) }
}

extension OneOf3: ExpressibleByUnicodeScalarLiteral, ExpressibleByExtendedGraphemeClusterLiteral,
    ExpressibleByStringLiteral
where A == String {
    public init(stringLiteral value: String) { self = .a(value) }
}
