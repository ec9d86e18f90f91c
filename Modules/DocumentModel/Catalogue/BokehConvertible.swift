/// A Swift type that stands for a Bokeh property type: it converts to and from ``Value``.
///
/// Generated typed models read their attributes through this protocol, so a stored value that
/// doesn't fit the declared type (a custom or newer peer) stays in the attributes untouched.
public protocol BokehConvertible {
    /// The value as this type, or `nil` if it doesn't fit.
    static func fromBokeh(_ value: Value) -> Self?
    /// The value as stored in a model's attributes.
    var bokehValue: Value { get }
}

extension Bool: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> Bool? { value.boolValue }
    public var bokehValue: Value { .bool(self) }
}

extension Int: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> Int? {
        switch value {
        case .int(let i): i
        case .float(let d): Int(exactly: d)
        default: nil
        }
    }
    public var bokehValue: Value { .int(self) }
}

extension Double: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> Double? { value.doubleValue }
    public var bokehValue: Value { .float(self) }
}

extension String: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> String? { value.stringValue }
    public var bokehValue: Value { .string(self) }
}

extension Value: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> Value? { value }
    public var bokehValue: Value { self }
}

extension ValueMap: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> ValueMap? {
        switch value {
        case .map(let map): map
        case .dictionary(let members): ValueMap(members.map { (key: .string($0.key), value: $0.value) })
        default: nil
        }
    }
    public var bokehValue: Value { .map(self) }
}

extension Model: BokehConvertible {
    public static func fromBokeh(_ value: Value) -> Self? { value.modelValue as? Self }
    public var bokehValue: Value { .model(self) }
}

extension Optional: BokehConvertible where Wrapped: BokehConvertible {
    /// `null` is `.some(nil)`; anything else must fit `Wrapped`.
    public static func fromBokeh(_ value: Value) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.fromBokeh(value).map { .some($0) }
    }
    public var bokehValue: Value { self?.bokehValue ?? .null }
}

extension Array: BokehConvertible where Element: BokehConvertible {
    /// Lists, sets and typed or shaped arrays whose every element fits `Element`.
    public static func fromBokeh(_ value: Value) -> [Element]? {
        let items: [Value]
        switch value {
        case .list(let l), .set(let l): items = l
        case .typedArray(let t): items = t.elements
        case .ndarray(let a): items = a.storage.elements
        default: return nil
        }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let element = Element.fromBokeh(item) else { return nil }
            result.append(element)
        }
        return result
    }
    public var bokehValue: Value { .list(map(\.bokehValue)) }
}

extension Dictionary: BokehConvertible where Key == String, Value: BokehConvertible {
    /// Maps with string keys whose every value fits; written as a Bokeh map, keys sorted.
    public static func fromBokeh(_ value: DocumentModel.Value) -> [String: Value]? {
        guard let map = ValueMap.fromBokeh(value) else { return nil }
        var result: [String: Value] = [:]
        for entry in map.entries {
            guard case .string(let key) = entry.key, let item = Value.fromBokeh(entry.value) else { return nil }
            result[key] = item
        }
        return result
    }
    public var bokehValue: DocumentModel.Value {
        .map(ValueMap(keys.sorted().compactMap { key in self[key].map { (key: .string(key), value: $0.bokehValue) } }))
    }
}

/// A Bokeh enumeration generated as a Swift enum of its string values.
public protocol BokehEnum: BokehConvertible, RawRepresentable, CaseIterable, Hashable, Sendable
where RawValue == String {}

extension BokehEnum {
    public static func fromBokeh(_ value: Value) -> Self? { value.stringValue.flatMap(Self.init(rawValue:)) }
    public var bokehValue: Value { .string(rawValue) }
}
