internal import Foundation

/// Encodes ``Value``s into Bokeh's JSON representation plus binary buffers, by Python Bokeh's rules
/// (protocol reference section 5).
///
/// Models are written in full the first time they are met and as bare `{"id"}` references afterwards,
/// and models in `known` (those the receiver already has) are always references.
public struct Serializer {
    /// Where raw bytes go.
    public enum BytesMode: Sendable {
        /// As ``Buffer``s referenced by id (the server protocol).
        case buffers
        /// Inline as `base64(gzip(bytes))` (standalone output, `to_json(deferred=False)`).
        case inline
    }

    public let bytesMode: BytesMode
    private var known: Set<String>
    /// Buffers emitted so far, in reference order.
    public private(set) var buffers: [Buffer] = []
    /// Models written in full so far, in order.
    public private(set) var emittedModels: [Model] = []
    /// Ids of models written as references because they were known. With ``emittedModels`` this is all the
    /// output depends on: a serializer whose known set agrees on these ids writes the same JSON.
    public private(set) var knownReferences: [String] = []
    /// Whether a model nested deeper than ``maxModelNesting`` was met and written as a bare reference
    /// instead (the output is then incomplete; documents received through ``DeserializerLimits`` never nest
    /// that deep, so this only guards the stack against graphs built some other way).
    public private(set) var exceededNesting = false
    /// Models nested deeper than this inside one value are not written in full.
    public static let maxModelNesting = 256
    private var nesting = 0

    public init(known: Set<String> = [], bytesMode: BytesMode = .buffers) {
        self.known = known
        self.bytesMode = bytesMode
    }

    /// The largest integer Python Bokeh writes as a JSON integer (2^53 − 1); beyond it, a float.
    static let maxSafeInteger = 9_007_199_254_740_991

    public mutating func encode(_ value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i):
            // trap-safe: constant
            return i.magnitude <= UInt(Self.maxSafeInteger) ? .int(i) : .double(Double(i))
        case .float(let d): return encodeFloat(d)
        case .string(let s): return .string(s)
        case .list(let items): return .array(items.map { encode($0) })
        case .map(let map):
            var object: JSONObject = ["type": "map"]
            if !map.isEmpty {
                object["entries"] = .array(map.entries.map { .array([encode($0.key), encode($0.value)]) })
            }
            return .object(object)
        case .set(let items):
            var object: JSONObject = ["type": "set"]
            if !items.isEmpty { object["entries"] = .array(items.map { encode($0) }) }
            return .object(object)
        case .bytes(let bytes): return encodeBytes(bytes)
        case .ndarray(let array): return encodeArray(array.storage, shape: array.shape)
        case .typedArray(let typed): return encodeArray(typed, shape: nil)
        case .slice(let s):
            return .object([
                "type": "slice", "start": s.start.map { .int($0) } ?? .null,
                "stop": s.stop.map { .int($0) } ?? .null, "step": s.step.map { .int($0) } ?? .null,
            ])
        case .spec(let spec):
            var object: JSONObject
            switch spec.kind {
            case .value(let v): object = ["type": "value", "value": encode(v)]
            case .field(let f): object = ["type": "field", "field": .string(f)]
            case .expr(let e): object = ["type": "expr", "expr": encode(e)]
            }
            if let transform = spec.transform { object["transform"] = encode(transform) }
            if let units = spec.units { object["units"] = .string(units) }
            return .object(object)
        case .model(let model): return encodeModel(model)
        case .structure(let name, let attributes):
            var object: JSONObject = ["type": "object", "name": .string(name)]
            if !attributes.isEmpty {
                object["attributes"] = .object(JSONObject(attributes.map { (key: $0.name, value: encode($0.value)) }))
            }
            return .object(object)
        case .dictionary(let members):
            return .object(JSONObject(members.map { (key: $0.key, value: encode($0.value)) }))
        case .event(let name, let values):
            return .object(["type": "event", "name": .string(name), "values": encode(values)])
        }
    }

    /// A model in full (`{"type":"object","name","id","attributes"}`) or, if already known, `{"id"}`.
    public mutating func encodeModel(_ model: Model) -> JSONValue {
        if known.contains(model.id) {
            knownReferences.append(model.id)
            return .object(["id": .string(model.id)])
        }
        guard nesting < Self.maxModelNesting else {
            exceededNesting = true
            return .object(["id": .string(model.id)])
        }
        known.insert(model.id)
        emittedModels.append(model)
        var object: JSONObject = ["type": "object", "name": .string(model.typeName), "id": .string(model.id)]
        let attributes = model.serializedAttributes
        if !attributes.isEmpty {
            nesting += 1
            defer { nesting -= 1 }
            object["attributes"] = .object(JSONObject(attributes.map { (key: $0.name, value: encode($0.value)) }))
        }
        return .object(object)
    }

    private func encodeFloat(_ d: Double) -> JSONValue {
        if d.isNaN { return .object(["type": "number", "value": "nan"]) }
        if d.isInfinite { return .object(["type": "number", "value": d > 0 ? "+inf" : "-inf"]) }
        return .double(d)
    }

    private mutating func encodeBytes(_ bytes: [UInt8]) -> JSONValue {
        switch bytesMode {
        case .buffers:
            let id = IDGenerator.next()
            buffers.append(Buffer(id: id, bytes: bytes))
            return .object(["type": "bytes", "data": .object(["id": .string(id)])])
        case .inline:
            return .object(["type": "bytes", "data": .string(Data(Gzip.compress(bytes)).base64EncodedString())])
        }
    }

    private mutating func encodeArray(_ storage: TypedArray, shape: [Int]?) -> JSONValue {
        let array: JSONValue
        let dtype: String
        if bytesMode == .buffers, let shared = storage.sharedBufferStorage {
            // The buffer shares the column's storage: no copy until (unless) someone asks for bytes.
            let id = IDGenerator.next()
            buffers.append(Buffer(id: id, storage: shared.storage))
            array = .object(["type": "bytes", "data": .object(["id": .string(id)])])
            dtype = shared.dtype
        } else if let binary = storage.binaryRepresentation {
            array = encodeBytes(binary.bytes)
            dtype = binary.dtype
        } else {
            array = .array(storage.elements.map { encode($0) })
            dtype = "object"
        }
        guard let shape else {
            return .object(["type": "typed_array", "array": array, "order": "little", "dtype": .string(dtype)])
        }
        return .object([
            "type": "ndarray", "array": array, "shape": .array(shape.map { .int($0) }), "dtype": .string(dtype),
            "order": "little",
        ])
    }
}
