/// A typed model's declared property: its Bokeh name and a check that a value fits its type.
public struct PropertySpec {
    public let name: String
    /// The Swift type of the typed accessor (`"Spec<Double>"`, `"Anchor"`).
    public let typeDescription: String
    private let accepts: (Value) -> Bool
    private let shape: (Value) -> Value

    /// Bokeh's default for the property, when it is a constant (not per-instance, not required).
    public let defaultValue: Value?

    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public init<T: BokehConvertible>(_ name: String, _ type: T.Type, default defaultValue: T? = nil) {
        self.name = name
        typeDescription = String(describing: type)
        accepts = { T.fromBokeh($0) != nil }
        shape = { T.fromBokeh($0)?.bokehValue ?? $0 }
        self.defaultValue = defaultValue?.bokehValue
    }

    /// Whether `value` fits the property's type.
    public func accepts(_ value: Value) -> Bool { accepts(value) }

    /// `value` as the typed property stores it (a bare constant or field name becomes a spec, as Python's
    /// serializer writes a themed value); values that don't fit are returned unchanged.
    func shaped(_ value: Value) -> Value { shape(value) }
}

/// Names a typed property of a model class, for typed change callbacks:
/// `document.onChange(of: slider, Slider.value) { old, new in … }`.
public struct PropertyKey<T: BokehConvertible>: Sendable, Hashable {
    public let name: String

    public init(_ name: String) { self.name = name }
}

/// A problem ``Model/validate()`` found.
public struct ValidationIssue: Hashable, Sendable, CustomStringConvertible {
    public let modelID: String
    public let typeName: String
    public let attribute: String
    public let message: String

    public var description: String { "\(typeName)(id: \(modelID)).\(attribute): \(message)" }
}
