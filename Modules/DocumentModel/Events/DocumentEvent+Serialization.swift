extension DocumentEvent {
    /// This event as a PATCH-DOC event object (field order as Python Bokeh writes it).
    /// A ``ModelChangedEvent`` with a ``ModelChangedEvent/hint`` is written as its hint. Events that are not
    /// patches (``isPatchEvent`` false) are written as their `kind` alone; peers don't receive them.
    public func encode(with serializer: inout Serializer) -> JSONValue {
        var object: JSONObject = ["kind": .string(kind)]
        switch self {
        case .modelChanged(let e) where e.hint?.isPatchEvent == true:
            return e.hint?.encode(with: &serializer) ?? .null
        case .modelChanged(let e):
            object["model"] = .object(["id": .string(e.model.id)])
            object["attr"] = .string(e.attribute)
            object["new"] = serializer.encode(e.new)
        case .columnDataChanged(let e):
            object["model"] = .object(["id": .string(e.model.id)])
            object["attr"] = .string(e.attribute)
            object["data"] = serializer.encode(.map(e.data))
            object["cols"] = e.columns.map { .array($0.map { .string($0) }) } ?? .null
        case .columnsStreamed(let e):
            object["model"] = .object(["id": .string(e.model.id)])
            object["attr"] = .string(e.attribute)
            object["data"] = serializer.encode(.map(e.data))
            object["rollover"] = e.rollover.map { .int($0) } ?? .null
        case .columnsPatched(let e):
            object["model"] = .object(["id": .string(e.model.id)])
            object["attr"] = .string(e.attribute)
            var map = ValueMap()
            for column in e.patches {
                let list: [Value] = column.patches.map { .list([$0.index.value, $0.value]) }
                map.entries.append((key: .string(column.column), value: .list(list)))
            }
            object["patches"] = serializer.encode(.map(map))
        case .rootAdded(let e):
            object["model"] = serializer.encodeModel(e.model)
        case .rootRemoved(let e):
            object["model"] = .object(["id": .string(e.model.id)])
        case .titleChanged(let e):
            object["title"] = .string(e.title)
        case .messageSent(let e):
            object["msg_type"] = .string(e.messageType)
            object["msg_data"] = serializer.encode(e.data)
        case .sessionCallbackAdded, .sessionCallbackRemoved:
            break
        }
        return .object(object)
    }

    /// Decodes one PATCH-DOC event object. References resolve through `deserializer`; the setter is
    /// attached by the caller.
    public static func decode(_ json: JSONValue, with deserializer: inout Deserializer) throws(DocumentError)
        -> DocumentEvent
    {
        guard case .object(let object) = json else { throw .malformed("event", expected: "an object") }
        let kind = try string(object, "kind", in: "event")
        func model() throws(DocumentError) -> Model {
            guard let json = object["model"] else { throw .malformed("\(kind) event", expected: "'model'") }
            guard case .model(let m) = try deserializer.decode(json) else {
                throw .malformed("\(kind) event", expected: "a model reference in 'model'")
            }
            return m
        }
        func attribute() throws(DocumentError) -> String { try string(object, "attr", in: "\(kind) event") }
        func map(_ key: String) throws(DocumentError) -> ValueMap {
            guard let json = object[key] else { throw .malformed("\(kind) event", expected: "'\(key)'") }
            switch try deserializer.decode(json) {
            case .map(let m): return m
            case .dictionary(let members): return ValueMap(members.map { (key: .string($0.key), value: $0.value) })
            default: throw .malformed("\(kind) event", expected: "a map in '\(key)'")
            }
        }
        switch kind {
        case "ModelChanged":
            let target = try model()
            let attr = try attribute()
            guard let new = object["new"] else { throw .malformed("ModelChanged event", expected: "'new'") }
            return .modelChanged(ModelChangedEvent(model: target, attribute: attr, new: try deserializer.decode(new)))
        case "ColumnDataChanged":
            let target = try model()
            let attr = try attribute()
            let data = try map("data")
            var columns: [String]?
            switch object["cols"] {
            case nil, .null: columns = nil
            case .array(let items):
                columns = try items.map { (item) throws(DocumentError) in
                    guard case .string(let s) = item else { throw .malformed("cols", expected: "strings") }
                    return s
                }
            default: throw .malformed("ColumnDataChanged event", expected: "'cols' as a list or null")
            }
            return .columnDataChanged(
                ColumnDataChangedEvent(model: target, attribute: attr, data: data, columns: columns))
        case "ColumnsStreamed":
            let target = try model()
            let attr = try attribute()
            let data = try map("data")
            let rollover: Int?
            switch object["rollover"] {
            case nil, .null: rollover = nil
            case .int(let n) where n >= 0: rollover = n
            default: throw .malformed("ColumnsStreamed event", expected: "'rollover' as a non-negative integer or null")
            }
            return .columnsStreamed(
                ColumnsStreamedEvent(model: target, attribute: attr, data: data, rollover: rollover))
        case "ColumnsPatched":
            let target = try model()
            let attr = try attribute()
            var patches: [(column: String, patches: [(index: PatchIndex, value: Value)])] = []
            for entry in try map("patches").entries {
                guard case .string(let column) = entry.key, case .list(let items) = entry.value else {
                    throw .malformed("patches", expected: "column name → list of [index, value]")
                }
                var list: [(index: PatchIndex, value: Value)] = []
                for item in items {
                    guard case .list(let pair) = item, pair.count == 2 else {
                        throw .malformed("patch", expected: "an [index, value] pair")
                    }
                    list.append((index: try PatchIndex(pair[0]), value: pair[1]))
                }
                patches.append((column: column, patches: list))
            }
            return .columnsPatched(ColumnsPatchedEvent(model: target, attribute: attr, patches: patches))
        case "RootAdded": return .rootAdded(RootAddedEvent(model: try model()))
        case "RootRemoved": return .rootRemoved(RootRemovedEvent(model: try model()))
        case "TitleChanged":
            return .titleChanged(TitleChangedEvent(title: try string(object, "title", in: "TitleChanged event")))
        case "MessageSent":
            let type = try string(object, "msg_type", in: "MessageSent event")
            return .messageSent(
                MessageSentEvent(messageType: type, data: try deserializer.decode(object["msg_data"] ?? .null)))
        default:
            throw .malformed("event", expected: "a known kind, not '\(kind)'")
        }
    }
}

extension PatchIndex {
    init(_ value: Value) throws(DocumentError) {
        switch value {
        case .int(let i): self = .index(i)
        case .slice(let s): self = .slice(s)
        case .list(let items):
            guard !items.isEmpty else { throw .malformed("patch index", expected: "a non-empty index list") }
            var parts: [PatchIndex] = []
            for item in items {
                let part = try PatchIndex(item)
                if case .multi = part { throw .malformed("patch index", expected: "integers or slices in a list") }
                parts.append(part)
            }
            self = .multi(parts)
        default: throw .malformed("patch index", expected: "an integer, a slice or a list of them")
        }
    }

    var value: Value {
        switch self {
        case .index(let i): .int(i)
        case .slice(let s): .slice(s)
        case .multi(let parts): .list(parts.map(\.value))
        }
    }
}
