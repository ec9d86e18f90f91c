/// The Swift type a Bokeh property type maps to, and how to write a default of it as a literal.
indirect enum SwiftType: Equatable {
    case bool, int, double, string, value, columnData, color
    case enumeration(String)
    case model(String)
    case optional(SwiftType)
    case array(SwiftType)
    case dictionary(SwiftType)
    case tuple2(SwiftType, SwiftType)
    case oneOf([SwiftType])
    case spec(SwiftType)

    var rendered: String {
        switch self {
        case .bool: "Bool"
        case .int: "Int"
        case .double: "Double"
        case .string: "String"
        case .value: "Value"
        case .columnData: "ColumnData"
        case .color: "Color"
        case .enumeration(let name), .model(let name): name
        case .optional(let inner): inner.rendered + "?"
        case .array(let item): "[\(item.rendered)]"
        case .dictionary(let item): "[String: \(item.rendered)]"
        case .tuple2(let a, let b): "Tuple2<\(a.rendered), \(b.rendered)>"
        case .oneOf(let options): "OneOf\(options.count)<\(options.map(\.rendered).joined(separator: ", "))>"
        case .spec(let inner): "Spec<\(inner.rendered)>"
        }
    }

    /// Whether some strings decode as this type (so a union's order decides between it and `String`).
    var takesStrings: Bool {
        switch self {
        case .enumeration, .color, .value, .spec: true
        case .optional(let inner): inner.takesStrings
        default: false
        }
    }

    var isOptional: Bool { if case .optional = self { true } else { false } }

    /// Whether a plain Swift value of this type picks it among a union's members without ambiguity (no
    /// string or number literal of another member's type could also mean it).
    var isPlainSwiftValue: Bool {
        switch self {
        case .bool, .int, .double, .string, .model, .array: true
        default: false
        }
    }

    /// What a required property of this type reads while unset, for the types that have an obvious one.
    var zero: String? {
        switch self {
        case .int, .double: "0"
        case .string: "\"\""
        case .array: "[]"
        default: nil
        }
    }

    /// The type with one level of optionality added unless it already has it.
    var optionalized: SwiftType { isOptional ? self : .optional(self) }
}

/// Maps schema type descriptions to ``SwiftType``s, collecting the enumerations used.
struct TypeMapper {
    /// Enum values (joined) → Swift enum name.
    var enumNames: [[String]: String] = [:]
    /// Swift enum name → values, in first-use order.
    var enums: [(name: String, values: [String])] = []
    let reservedNames: Set<String>
    let namedEnums: [String: [String]]
    let modelClassNames: [String: String]

    mutating func map(_ type: JSON, context: String) -> SwiftType {
        switch type["kind"]?.string ?? "any" {
        case "bool": return .bool
        case "int": return .int
        case "float": return .double
        case "string": return .string
        case "color": return .color
        // A datetime or time delta travels as milliseconds (Bokeh converts `datetime`s before sending).
        case "any" where ["Datetime", "TimeDelta"].contains(type["bokeh"]?.string ?? ""): return .double
        case "columnData": return .columnData
        case "enum":
            let values = type["values"]?.array.compactMap(\.string) ?? []
            guard values.count == type["values"]?.array.count, !values.isEmpty else { return .value }
            return .enumeration(enumName(values, bokehName: type["name"]?.string, context: context))
        case "instance":
            guard let name = type["model"]?.string, let className = modelClassNames[name] else { return .value }
            return .model(className)
        case "nullable":
            let inner = map(type["inner"] ?? .null, context: context)
            return inner.optionalized
        case "list":
            let item = map(type["item"] ?? .null, context: context)
            return item == .value ? .value : .array(item)
        case "dict":
            guard type["key"]?["kind"]?.string == "string" else { return .value }
            let item = map(type["value"] ?? .null, context: context)
            return item == .value ? .value : .dictionary(item)
        case "tuple":
            let items = type["items"]?.array ?? []
            guard items.count == 2 else { return .value }
            let a = map(items[0], context: context)
            let b = map(items[1], context: context)
            return a == .value || b == .value ? .value : .tuple2(a, b)
        case "spec":
            return .spec(map(type["value"] ?? .null, context: context))
        case "either":
            return mapEither(type["options"]?.array ?? [], context: context)
        default: return .value
        }
    }

    private mutating func mapEither(_ options: [JSON], context: String) -> SwiftType {
        var nullable = false
        var mapped: [SwiftType] = []
        func add(_ t: SwiftType) {
            if case .optional(let inner) = t {
                nullable = true
                add(inner)
            } else if case .oneOf(let inner) = t {
                inner.forEach(add)
            } else if !mapped.contains(t) {
                mapped.append(t)
            }
        }
        for option in options {
            if option["kind"]?.string == "null" { nullable = true } else { add(map(option, context: context)) }
        }
        if mapped.contains(.double) { mapped.removeAll { $0 == .int } }
        // A plain string goes first (so string literals work) unless another option also takes strings.
        if mapped.contains(.string), !mapped.contains(where: \.takesStrings) {
            mapped.removeAll { $0 == .string }
            mapped.insert(.string, at: 0)
        }
        let result: SwiftType
        if mapped.contains(.value) || mapped.isEmpty || mapped.count > 3 {
            result = .value
        } else if mapped.count == 1 {
            result = mapped[0]
        } else {
            result = .oneOf(mapped)
        }
        return nullable && result != .value ? .optional(result) : result
    }

    private mutating func enumName(_ values: [String], bokehName: String?, context: String) -> String {
        if let known = enumNames[values] { return known }
        var name = bokehName ?? (values == ["auto"] ? "Auto" : context)
        if reservedNames.contains(name) || modelClassNames.values.contains(name) { name += "Enum" }
        while enums.contains(where: { $0.name == name }) { name += "Values" }
        enumNames[values] = name
        enums.append((name: name, values: values))
        return name
    }
}

/// Swift literals for schema defaults; `nil` when a default can't be written as a literal of the type.
enum Literal {
    static func make(_ json: JSON, _ type: SwiftType, enumCases: (String, String) -> String?) -> String? {
        switch type {
        case .bool: if case .bool(let b) = json { return "\(b)" }
        case .int: if case .int(let i) = json { return "\(i)" }
        case .double:
            switch json {
            case .int(let i): return "\(i)"
            case .double(let d): return "\(d)"
            case .object:
                switch json["value"]?.string {
                case "nan": return ".nan"
                case "+inf", "inf": return ".infinity"
                case "-inf": return "-.infinity"
                default: return nil
                }
            default: return nil
            }
        case .string: if case .string(let s) = json { return quote(s) }
        case .value: return value(json)
        case .columnData:
            if json["type"]?.string == "map", json["entries"] == nil { return "ColumnData()" }
        case .color:
            switch json {
            case .string(let s): return ".css(\(quote(s)))"
            case .array(let items) where items.count == 3:
                let parts = items.compactMap { make($0, .int, enumCases: enumCases) }
                return parts.count == 3 ? ".rgb(\(parts.joined(separator: ", ")))" : nil
            default: return nil
            }
        case .enumeration(let name):
            if case .string(let s) = json, let c = enumCases(name, s) { return "." + c }
        case .model: return nil
        case .optional(let inner):
            if case .null = json { return "nil" }
            return make(json, inner, enumCases: enumCases)
        case .array(let item):
            guard case .array(let items) = json else { return nil }
            let parts = items.compactMap { make($0, item, enumCases: enumCases) }
            return parts.count == items.count ? "[\(parts.joined(separator: ", "))]" : nil
        case .dictionary(let item):
            guard json["type"]?.string == "map" else { return nil }
            var parts: [String] = []
            for entry in json["entries"]?.array ?? [] {
                let pair = entry.array
                guard pair.count == 2, let key = pair[0].string, let v = make(pair[1], item, enumCases: enumCases)
                else { return nil }
                parts.append("\(quote(key)): \(v)")
            }
            return parts.isEmpty ? "[:]" : "[\(parts.joined(separator: ", "))]"
        case .tuple2(let a, let b):
            let items = json.array
            guard items.count == 2, let x = make(items[0], a, enumCases: enumCases),
                let y = make(items[1], b, enumCases: enumCases)
            else { return nil }
            return "Tuple2(\(x), \(y))"
        case .oneOf(let options):
            for (index, option) in options.enumerated() {
                if let v = make(json, option, enumCases: enumCases) {
                    return ".\(["a", "b", "c"][index])(\(v))"
                }
            }
        case .spec(let inner):
            switch json["type"]?.string {
            case "value":
                return (json["value"]).flatMap { make($0, inner, enumCases: enumCases) }.map { ".value(\($0))" }
            case "field": return json["field"]?.string.map { ".field(\(quote($0)))" }
            default:
                if let v = make(json, inner, enumCases: enumCases) { return ".value(\(v))" }
                if case .string(let s) = json { return ".field(\(quote(s)))" }
            }
        }
        return nil
    }

    static func value(_ json: JSON) -> String? {
        switch json {
        case .null: return ".null"
        case .bool(let b): return ".bool(\(b))"
        case .int(let i): return ".int(\(i))"
        case .double(let d): return ".float(\(d))"
        case .string(let s): return ".string(\(quote(s)))"
        case .array(let items):
            let parts = items.compactMap(value)
            return parts.count == items.count ? ".list([\(parts.joined(separator: ", "))])" : nil
        case .object: return nil
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
