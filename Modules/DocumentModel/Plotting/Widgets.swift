/// Typed forms of the widget values Bokeh declares loosely (`Select.value` is `AnyRef`, its `options` a
/// list of strings, of `(value, label)` pairs, or groups of either).
extension Select {
    /// The selected value as a string (`""` while nothing is selected or the value is not a string).
    public var selectedValue: String {
        get { value.stringValue ?? "" }
        set { value = .string(newValue) }
    }
    /// `value` as a string, for typed change callbacks: `onChange(of: select, Select.selectedValue)`.
    public static var selectedValue: PropertyKey<String> { PropertyKey("value") }

    /// The values a user can choose: the strings, the values of `(value, label)` pairs, and both inside
    /// groups (`{"group": [...]}`), in order. Setting it stores a plain list of strings.
    public var optionValues: [String] {
        get { Self.values(of: options) }
        set { options = .list(newValue.map(Value.string)) }
    }

    private static func values(of options: Value) -> [String] {
        switch options {
        case .list(let items):
            return items.compactMap { item in
                if let s = item.stringValue { return s }
                if let pair = item.listValue, pair.count == 2 { return pair[0].stringValue }
                return nil
            }
        case .map(let groups): return groups.entries.flatMap { values(of: $0.value) }
        case .dictionary(let groups): return groups.flatMap { values(of: $0.value) }
        default: return []
        }
    }
}

extension Setting where Root: Select {
    /// Options as strings: `.options(["red", "green"])`.
    public static func options(_ values: [String]) -> Self { Self { $0.optionValues = values } }
    /// Options as `(value, label)` pairs: the label is shown, the value is what `value` becomes.
    public static func options(_ pairs: [(value: String, label: String)]) -> Self {
        Self { $0.options = .list(pairs.map { .list([.string($0.value), .string($0.label)]) }) }
    }
    /// Grouped string options (`<optgroup>`s), in order.
    public static func options(groups: KeyValuePairs<String, [String]>) -> Self {
        Self { select in
            select.options = .map(
                ValueMap(groups.map { (key: .string($0.key), value: .list($0.value.map(Value.string))) }))
        }
    }
    /// The selected value.
    public static func value(_ value: String) -> Self { Self { $0.selectedValue = value } }
}

extension SettingsInitializable where Self: Select {
    /// A `Select` offering `options` with `value` selected, and any other properties as settings:
    /// `Select(options: ["a", "b"], value: "a", .title("letter"))`.
    public init(options: [String], value: String, _ settings: Setting<Self>...) {
        self.init(id: IDGenerator.next(), typeName: Self.modelTypeName)
        applyInstanceDefaults()
        optionValues = options
        selectedValue = value
        for setting in settings { setting.apply(to: self) }
    }
}
