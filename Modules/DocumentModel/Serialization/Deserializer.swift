internal import Foundation

/// Limits applied while decoding Bokeh values.
public struct DeserializerLimits: Sendable, Hashable {
    /// Deepest nesting of values. Matches ``JSONReaderLimits/maxDepth`` so anything the JSON reader
    /// accepts can be decoded.
    public var maxDepth: Int
    /// Largest decompressed size of one inline (`base64(gzip)`) bytes value: 256 MiB, the largest
    /// message the server accepts.
    public var maxInlineBytes: Int
    /// Deepest nesting of models inside models a received document (or a document after a received patch)
    /// may have: 100. A peer can chain models by reference to any length; written out, each model nests
    /// three or four JSON levels inside the one referencing it, so deeper chains would make documents no
    /// reader (ours included, at 512 JSON levels) accepts. Bokeh's own layouts nest a few tens deep.
    public var maxModelNesting: Int

    public init(maxDepth: Int = 512, maxInlineBytes: Int = 256 * 1024 * 1024, maxModelNesting: Int = 100) {
        self.maxDepth = maxDepth
        self.maxInlineBytes = maxInlineBytes
        self.maxModelNesting = maxModelNesting
    }

    public static let `default` = DeserializerLimits()
}

/// Decodes Bokeh's JSON representation into ``Value``s, resolving model references and buffers.
///
/// Full objects whose id is unknown create new ``Model``s (listed in ``newModels``); a full object whose
/// id is already known yields the existing model unchanged, as Python Bokeh does.
public struct Deserializer {
    public let limits: DeserializerLimits
    private var references: [String: Model]
    private let buffers: [String: [UInt8]]
    /// Models created while decoding, in the order met.
    public private(set) var newModels: [Model] = []
    private var depth = 0

    /// - Parameters:
    ///   - references: Models the receiver already has, by id.
    ///   - buffers: Buffers that arrived with the JSON.
    public init(references: [String: Model] = [:], buffers: [Buffer] = [], limits: DeserializerLimits = .default) {
        self.references = references
        var table: [String: [UInt8]] = [:]
        for buffer in buffers { table[buffer.id] = buffer.bytes }
        self.buffers = table
        self.limits = limits
    }

    /// The model with `id`, known beforehand or created during decoding.
    public func model(id: String) -> Model? { references[id] }

    public mutating func decode(_ json: JSONValue) throws(DocumentError) -> Value {
        depth += 1
        defer { depth -= 1 }
        if depth > limits.maxDepth { throw .tooDeeplyNested(limit: limits.maxDepth) }
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try decode(item)) }
            return .list(values)
        case .object(let object):
            guard let typeValue = object["type"] else {
                if object["id"] != nil { return .model(try resolveReference(object)) }
                var members: [(key: String, value: Value)] = []
                for member in object.members { members.append((key: member.key, value: try decode(member.value))) }
                return .dictionary(members)
            }
            guard case .string(let type) = typeValue else { throw .malformed("object", expected: "a string 'type'") }
            return try decodeTyped(type, object)
        }
    }

    private mutating func decodeTyped(_ type: String, _ object: JSONObject) throws(DocumentError) -> Value {
        switch type {
        case "ref": return .model(try resolveReference(object))
        case "object":
            if object["id"] != nil { return .model(try decodeModel(object)) }
            let name = try string(object, "name", in: "object")
            return .structure(name: name, attributes: try decodeAttributes(object["attributes"]))
        case "number": return try decodeNumber(object)
        case "array":
            return .list(try entries(object, in: "array").map { (e) throws(DocumentError) in try decode(e) })
        case "set":
            return .set(try entries(object, in: "set").map { (e) throws(DocumentError) in try decode(e) })
        case "map":
            var map = ValueMap()
            for entry in try entries(object, in: "map") {
                guard case .array(let pair) = entry, pair.count == 2 else {
                    throw .malformed("map entry", expected: "a [key, value] pair")
                }
                map.entries.append((key: try decode(pair[0]), value: try decode(pair[1])))
            }
            return .map(map)
        case "bytes": return .bytes(try decodeBytes(object))
        case "slice":
            return .slice(
                Slice(
                    start: try optionalInt(object, "start"), stop: try optionalInt(object, "stop"),
                    step: try optionalInt(object, "step")))
        case "ndarray", "typed_array": return try decodeArray(object, typed: type == "typed_array")
        case "value", "field", "expr":
            let kind: DataSpec.Kind
            switch type {
            case "value":
                guard let v = object["value"] else { throw .malformed("value spec", expected: "'value'") }
                kind = .value(try decode(v))
            case "field": kind = .field(try string(object, "field", in: "field spec"))
            default:
                guard let e = object["expr"] else { throw .malformed("expr spec", expected: "'expr'") }
                kind = .expr(try decode(e))
            }
            var transform: Value?
            if let t = object["transform"] { transform = try decode(t) }
            var units: String?
            if object["units"] != nil { units = try string(object, "units", in: "spec") }
            return .spec(DataSpec(kind, transform: transform, units: units))
        case "event":
            let name = try string(object, "name", in: "event")
            return .event(name: name, values: try decode(object["values"] ?? .null))
        default:
            throw .unknownValueType(type)
        }
    }

    private mutating func decodeModel(_ object: JSONObject) throws(DocumentError) -> Model {
        let id = try string(object, "id", in: "object")
        let name = try string(object, "name", in: "object")
        if let existing = references[id] { return existing }
        let model = Model.make(id: id, typeName: name)
        references[id] = model
        newModels.append(model)
        model.attributes = try decodeAttributes(object["attributes"])
        return model
    }

    private mutating func decodeAttributes(_ json: JSONValue?) throws(DocumentError) -> [(name: String, value: Value)] {
        guard let json else { return [] }
        guard case .object(let attributes) = json else { throw .malformed("attributes", expected: "an object") }
        var result: [(name: String, value: Value)] = []
        result.reserveCapacity(attributes.count)
        for member in attributes.members { result.append((name: member.key, value: try decode(member.value))) }
        return result
    }

    private func resolveReference(_ object: JSONObject) throws(DocumentError) -> Model {
        let id = try string(object, "id", in: "reference")
        guard let model = references[id] else { throw .unknownReference(id) }
        return model
    }

    private func decodeNumber(_ object: JSONObject) throws(DocumentError) -> Value {
        switch object["value"] {
        case .string("nan"): return .float(.nan)
        case .string("+inf"), .string("inf"): return .float(.infinity)
        case .string("-inf"): return .float(-.infinity)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        default: throw .malformed("number", expected: "\"nan\", \"+inf\", \"-inf\" or a number")
        }
    }

    private func decodeBytes(_ object: JSONObject) throws(DocumentError) -> [UInt8] {
        switch object["data"] {
        case .object(let reference):
            let id = try string(reference, "id", in: "bytes reference")
            guard let bytes = buffers[id] else { throw .unknownBuffer(id) }
            return bytes
        case .string(let base64):
            guard let data = Data(base64Encoded: base64) else { throw .inlineData("not base64") }
            return try Gzip.decompress([UInt8](data), maxOutput: limits.maxInlineBytes)
        default:
            throw .malformed("bytes", expected: "'data' as a buffer reference or base64 string")
        }
    }

    private mutating func decodeArray(_ object: JSONObject, typed: Bool) throws(DocumentError) -> Value {
        let kind = typed ? "typed_array" : "ndarray"
        let dtype = try string(object, "dtype", in: kind)
        var bigEndian = false
        if let order = object["order"] {
            switch order {
            case .string("little"): bigEndian = false
            case .string("big"): bigEndian = true
            default: throw .malformed(kind, expected: "order \"little\" or \"big\"")
            }
        }
        let storage: TypedArray
        switch object["array"] {
        case .object(let rep) where rep["type"] == .string("bytes"):
            storage = try TypedArray(bytes: try decodeBytes(rep), dtype: dtype, bigEndian: bigEndian)
        case .array(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try decode(item)) }
            storage = TypedArray.promoting(values)
        default:
            throw .malformed(kind, expected: "'array' as bytes or a list")
        }
        if typed { return .typedArray(storage) }
        guard case .array(let dims) = object["shape"] else { throw .malformed("ndarray", expected: "a 'shape' list") }
        var shape: [Int] = []
        for dim in dims {
            guard case .int(let n) = dim else { throw .malformed("ndarray shape", expected: "integers") }
            shape.append(n)
        }
        return .ndarray(try NDArray(storage, shape: shape))
    }

    private func entries(_ object: JSONObject, in what: String) throws(DocumentError) -> [JSONValue] {
        switch object["entries"] {
        case nil: return []
        case .array(let items): return items
        default: throw .malformed(what, expected: "'entries' as a list")
        }
    }
}

func string(_ object: JSONObject, _ key: String, in what: String) throws(DocumentError) -> String {
    guard case .string(let s) = object[key] else { throw .malformed(what, expected: "a string '\(key)'") }
    return s
}

func optionalInt(_ object: JSONObject, _ key: String) throws(DocumentError) -> Int? {
    switch object[key] {
    case nil, .null: return nil
    case .int(let i): return i
    default: throw .malformed("slice", expected: "an integer or null '\(key)'")
    }
}
