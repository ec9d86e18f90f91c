/// One property of a model, for the initializers that take properties in any order:
/// `Slider(start: 0, end: 10, value: 3, .title("n"), .step(1))`, `Div(.text("hello"), .width(200))`.
///
/// Every typed property has a factory of the same name (`.title(_:)`, `.xRangeName(_:)`, …) on the classes
/// that have the property; a union property also takes each of its model, number, string and list
/// members directly (`.format(NumeralTickFormatter())` as well as `.format("0.0")`).
public struct Setting<Root: Model> {
    private let body: (Root) -> Void

    /// A setting that runs `body` on the new model (any change a typed property allows).
    public init(_ body: @escaping (Root) -> Void) { self.body = body }

    /// Applies the setting to `model`.
    public func apply(to model: Root) { body(model) }
}

extension Setting {
    /// Sets the model's `name`.
    public static func name(_ value: String?) -> Self { Self { $0.name = value } }
}

/// Models built from settings in any order (every ``Model`` class).
public protocol SettingsInitializable {}

extension Model: SettingsInitializable {}

extension SettingsInitializable where Self: Model {
    /// A new model with a fresh id, the per-instance defaults a new Python instance has, and the given
    /// properties in any order: `Div(.text("hello"), .width(200))`.
    public init(_ first: Setting<Self>, _ more: Setting<Self>...) {
        self.init(id: IDGenerator.next(), typeName: Self.modelTypeName)
        applyInstanceDefaults()
        first.apply(to: self)
        for setting in more { setting.apply(to: self) }
    }

    /// Sets the given properties, in order (Python's `model.update(**kwargs)`). Settings take a union's member
    /// types directly, so this also assigns a union from a variable: `plot.title?.update(.text(newTitle))`.
    public func update(_ settings: Setting<Self>...) {
        for setting in settings { setting.apply(to: self) }
    }
}
