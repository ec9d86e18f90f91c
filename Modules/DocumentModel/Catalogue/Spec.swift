/// A typed vectorized property (Bokeh's `NumberSpec`, `ColorSpec`, …): a constant, a column name or an
/// expression model, with an optional transform and units.
public struct Spec<T: BokehConvertible> {
    public enum Kind {
        case value(T)
        case field(String)
        case expr(Model)
    }

    public var kind: Kind
    public var transform: Model?
    public var units: String?

    public init(_ kind: Kind, transform: Model? = nil, units: String? = nil) {
        self.kind = kind
        self.transform = transform
        self.units = units
    }

    /// A constant (`{"type":"value"}`).
    public static func value(_ value: T) -> Spec { Spec(.value(value)) }
    /// A column of the glyph's data source (`{"type":"field"}`).
    public static func field(_ name: String, transform: Model? = nil) -> Spec {
        Spec(.field(name), transform: transform)
    }
    /// An expression model (`{"type":"expr"}`).
    public static func expr(_ model: Model) -> Spec { Spec(.expr(model)) }
}

extension Spec: BokehConvertible {
    /// Accepts the spec forms and, as Python Bokeh does for defaults, a bare value (a constant) or a
    /// bare string that isn't a valid constant (a field name).
    public static func fromBokeh(_ value: Value) -> Spec? {
        guard case .spec(let spec) = value else {
            if let constant = T.fromBokeh(value) { return .value(constant) }
            if case .string(let field) = value { return .field(field) }
            return nil
        }
        let transform: Model?
        switch spec.transform {
        case nil, .null?: transform = nil
        case .model(let model)?: transform = model
        default: return nil
        }
        switch spec.kind {
        case .value(let v):
            guard let constant = T.fromBokeh(v) else { return nil }
            return Spec(.value(constant), transform: transform, units: spec.units)
        case .field(let f): return Spec(.field(f), transform: transform, units: spec.units)
        case .expr(let e):
            guard case .model(let model) = e else { return nil }
            return Spec(.expr(model), transform: transform, units: spec.units)
        }
    }

    public var bokehValue: Value {
        let kind: DataSpec.Kind =
            switch self.kind {
            case .value(let v): .value(v.bokehValue)
            case .field(let f): .field(f)
            case .expr(let m): .expr(.model(m))
            }
        return .spec(DataSpec(kind, transform: transform.map { .model($0) }, units: units))
    }
}

extension Spec: ExpressibleByIntegerLiteral where T == Double {
    public init(integerLiteral value: Int) { self.init(.value(Double(value))) }
}

extension Spec: ExpressibleByFloatLiteral where T == Double {
    public init(floatLiteral value: Double) { self.init(.value(value)) }
}
