/// A property value in Bokeh's serialization model (protocol reference section 5).
///
/// Floats hold NaN and infinities directly; the serializer turns them into number reps. Columns of
/// numbers are stored as contiguous arrays in ``TypedArray``, never as lists of boxed values.
public enum Value {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// A JSON list (Python list or tuple).
    case list([Value])
    /// An ordered dictionary with arbitrary keys (`{"type":"map"}`).
    case map(ValueMap)
    /// `{"type":"set"}`; entries in the order received.
    case set([Value])
    /// Raw bytes (`{"type":"bytes"}`).
    case bytes([UInt8])
    /// A shaped array (`{"type":"ndarray"}`).
    case ndarray(NDArray)
    /// An unshaped typed array (`{"type":"typed_array"}`, what BokehJS sends for `Float64Array` etc.).
    case typedArray(TypedArray)
    /// `{"type":"slice"}`.
    case slice(Slice)
    /// A vectorized property value: `{"type":"value"|"field"|"expr"}`.
    indirect case spec(DataSpec)
    /// A model, serialized in full the first time and as a bare `{"id"}` reference afterwards.
    case model(Model)
    /// A non-model structured value: `{"type":"object","name":…,"attributes":{…}}` without `id`.
    case structure(name: String, attributes: [(name: String, value: Value)])
    /// A plain JSON object without `type` (decoders accept it; values are decoded).
    case dictionary([(key: String, value: Value)])
    /// A UI event (`{"type":"event","name":…,"values":…}`).
    indirect case event(name: String, values: Value)
}

/// An ordered map with arbitrary keys.
public struct ValueMap: ExpressibleByDictionaryLiteral {
    public var entries: [(key: Value, value: Value)]

    public init() { entries = [] }
    public init(_ entries: [(key: Value, value: Value)]) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, Value)...) {
        entries = elements.map { (key: .string($0.0), value: $0.1) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The string keys, in order (non-string keys are skipped).
    public var stringKeys: [String] {
        entries.compactMap { if case .string(let s) = $0.key { s } else { nil } }
    }

    /// The value for a string key; setting replaces in place or appends.
    public subscript(key: String) -> Value? {
        get {
            for entry in entries { if case .string(key) = entry.key { return entry.value } }
            return nil
        }
        set {
            let index = entries.firstIndex { if case .string(key) = $0.key { true } else { false } }
            if let index {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key: .string(key), value: newValue))
            }
        }
    }
}

/// A Python-style slice; `nil` bounds are open.
public struct Slice: Hashable, Sendable {
    public var start: Int?
    public var stop: Int?
    public var step: Int?

    public init(start: Int? = nil, stop: Int? = nil, step: Int? = nil) {
        self.start = start
        self.stop = stop
        self.step = step
    }

    /// The indices selected in a sequence of `count` elements, with Python's clamping rules.
    public func indices(count: Int) -> [Int] {
        let step = self.step ?? 1
        guard step != 0 else { return [] }
        func clamp(_ bound: Int?, _ defaultValue: Int) -> Int {
            guard var b = bound else { return defaultValue }
            if b < 0 { b += count }
            return step > 0 ? Swift.min(Swift.max(b, 0), count) : Swift.min(Swift.max(b, -1), count - 1)
        }
        let lower = clamp(start, step > 0 ? 0 : count - 1)
        let upper = clamp(stop, step > 0 ? count : -1)
        return Array(stride(from: lower, to: upper, by: step))
    }
}

/// A vectorized property value: a constant, a column name or an expression model, with optional
/// transform and units.
public struct DataSpec {
    public indirect enum Kind {
        case value(Value)
        case field(String)
        case expr(Value)
    }

    public var kind: Kind
    public var transform: Value?
    public var units: String?

    public init(_ kind: Kind, transform: Value? = nil, units: String? = nil) {
        self.kind = kind
        self.transform = transform
        self.units = units
    }
}

extension Value {
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int? { if case .int(let i) = self { i } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var modelValue: Model? { if case .model(let m) = self { m } else { nil } }
    public var mapValue: ValueMap? { if case .map(let m) = self { m } else { nil } }
    public var listValue: [Value]? { if case .list(let l) = self { l } else { nil } }

    /// Ints and floats as `Double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }

    /// Calls `body` for every model directly or indirectly contained in this value (not inside models).
    public func forEachModel(_ body: (Model) -> Void) {
        switch self {
        case .model(let m): body(m)
        case .list(let l), .set(let l): for v in l { v.forEachModel(body) }
        case .map(let m):
            for e in m.entries {
                e.key.forEachModel(body)
                e.value.forEachModel(body)
            }
        case .ndarray(let a): a.storage.forEachModel(body)
        case .typedArray(let t): t.forEachModel(body)
        case .spec(let s):
            switch s.kind {
            case .value(let v), .expr(let v): v.forEachModel(body)
            case .field: break
            }
            s.transform?.forEachModel(body)
        case .structure(_, let attributes): for a in attributes { a.value.forEachModel(body) }
        case .dictionary(let members): for m in members { m.value.forEachModel(body) }
        case .event(_, let values): values.forEachModel(body)
        case .null, .bool, .int, .float, .string, .bytes, .slice: break
        }
    }

    /// Whether any model is contained in this value.
    var containsModels: Bool {
        var found = false
        forEachModel { _ in found = true }
        return found
    }
}

extension Value: Equatable {
    /// Structural equality. Models compare by identity; NaN equals NaN (so decoded documents compare
    /// equal to themselves).
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.float(let a), .float(let b)): a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): a == b
        case (.list(let a), .list(let b)), (.set(let a), .set(let b)): a == b
        case (.map(let a), .map(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.ndarray(let a), .ndarray(let b)): a == b
        case (.typedArray(let a), .typedArray(let b)): a == b
        case (.slice(let a), .slice(let b)): a == b
        case (.spec(let a), .spec(let b)): a == b
        case (.model(let a), .model(let b)): a === b
        case (.structure(let n1, let a1), .structure(let n2, let a2)):
            n1 == n2 && a1.count == a2.count && zip(a1, a2).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        case (.dictionary(let a), .dictionary(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.event(let n1, let v1), .event(let n2, let v2)): n1 == n2 && v1 == v2
        default: false
        }
    }
}

extension ValueMap: Equatable {
    public static func == (lhs: ValueMap, rhs: ValueMap) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension DataSpec: Equatable {
    public static func == (lhs: DataSpec, rhs: DataSpec) -> Bool {
        let kindsEqual: Bool =
            switch (lhs.kind, rhs.kind) {
            case (.value(let a), .value(let b)), (.expr(let a), .expr(let b)): a == b
            case (.field(let a), .field(let b)): a == b
            default: false
            }
        return kindsEqual && lhs.transform == rhs.transform && lhs.units == rhs.units
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(nilLiteral: ()) { self = .null }
}
