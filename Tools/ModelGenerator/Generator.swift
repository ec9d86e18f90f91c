/// One model of the schema.
struct ModelSchema {
    let name: String
    let className: String
    let module: String
    let bases: [String]
    let abstract: Bool
    /// A property mixin (`FillProps`, `ButtonLike`): a `HasProps` in Bokeh's registry but not a `Model`.
    let mixin: Bool
    let properties: [JSON]
    let overrides: [JSON]
    let initial: String?
    /// Python class names a theme looks up, in `Theme._for_class` order; `Name:lft` marks the levels where
    /// the theme's line, fill and text glyph defaults apply.
    var themeLineage: [String] = []
}

/// A property as a class sees it: where it's declared and its effective default.
struct PropertyView {
    let name: String
    let type: JSON
    let readonly: Bool
    /// The effective default's JSON, or nil for required / per-instance defaults.
    let defaultJSON: JSON?
    /// Bokeh's `Required(...)`: no default, the user must give a value.
    var required = false
}

/// How a class exposes a property in Swift.
struct Accessor {
    let swiftName: String
    let type: SwiftType
    /// The declared Swift type (non-optional `type` made optional when there is no literal default and
    /// the property is not a required one with a zero value).
    let accessorType: SwiftType
    let declaredIn: String
    /// For a required property read non-optional: what an unset one (from a peer) reads as.
    var zero: String? = nil
}

final class Generator {
    let models: [ModelSchema]
    let byName: [String: ModelSchema]
    var mapper: TypeMapper
    let eventNames: [String]
    let namedEnums: [(String, [String])]
    private var allPropertiesCache: [String: [PropertyView]] = [:]
    private var accessors: [String: [String: Accessor]] = [:]
    /// Counts for the summary line: typed accessors, those typed as `Value`, overrides that keep the
    /// inherited accessor because the redeclared type differs in Swift.
    private(set) var accessorCount = 0
    private(set) var valueTypedCount = 0
    private(set) var keptInheritedCount = 0

    static let reservedTypeNames: Set<String> = [
        "Range", "Set", "Array", "Dictionary", "String", "Int", "Double", "Bool", "Optional", "Value", "Document",
        "Color", "Spec", "Buffer", "Slice", "DataSpec", "Dimension", "Expression", "Index", "Data", "Date",
        "Locale", "Notification", "Result", "Error", "Never", "Character", "Substring", "Sequence", "Collection",
        "Serializer", "Deserializer", "Catalogue", "PropertySpec", "PropertyKey", "EventKind", "JSONValue",
    ]

    init(schema: JSON) {
        var models: [ModelSchema] = []
        var classNames: [String: String] = [:]
        for entry in schema["models"]?.array ?? [] {
            let name = entry["name"]?.string ?? ""
            var className = name.split(separator: ".").last.map(String.init) ?? name
            if name.contains(".") {
                let module = (entry["module"]?.string ?? "").split(separator: ".").last.map(String.init) ?? ""
                let prefix = module.uppercased()
                if !className.hasPrefix(prefix) { className = prefix + className }
            }
            if name != "Model", Self.reservedTypeNames.contains(className) { className += "Model" }
            classNames[name] = className
            models.append(
                ModelSchema(
                    name: name, className: className, module: entry["module"]?.string ?? "",
                    bases: entry["bases"]?.array.compactMap(\.string) ?? [], abstract: entry["abstract"]?.bool ?? false,
                    mixin: entry["mixin"]?.bool ?? false,
                    properties: entry["properties"]?.array ?? [], overrides: entry["overrides"]?.array ?? [],
                    initial: entry["initial"]?.string,
                    themeLineage: (entry["theme_lineage"]?.array ?? []).compactMap { level in
                        if let name = level.string { return name }
                        let pair = level.array
                        guard pair.count == 2, let name = pair[0].string, let flags = pair[1].string else { return nil }
                        return name + ":" + flags
                    }))
        }
        self.models = models
        var table: [String: ModelSchema] = [:]
        for model in models { table[model.name] = model }
        byName = table
        var named: [(String, [String])] = []
        if case .object(let members)? = schema["enums"] {
            for (name, values) in members { named.append((name, values.array.compactMap(\.string))) }
        }
        namedEnums = named
        mapper = TypeMapper(
            reservedNames: Self.reservedTypeNames.union(["Model"]),
            namedEnums: Dictionary(named, uniquingKeysWith: { a, _ in a }), modelClassNames: classNames)
        eventNames = schema["events"]?.array.compactMap(\.string) ?? []
    }

    var enumCount: Int { mapper.enums.count }

    // MARK: Property resolution

    /// Every property of a model, bases first (in base order), then its own, each with its effective default.
    func allProperties(_ name: String) -> [PropertyView] {
        if let cached = allPropertiesCache[name] { return cached }
        guard let model = byName[name] else { return [] }
        var result: [PropertyView] = []
        func put(_ view: PropertyView) {
            if let index = result.firstIndex(where: { $0.name == view.name }) {
                result[index] = view
            } else {
                result.append(view)
            }
        }
        // Python's MRO: the first base that has a property wins; order of first appearance.
        for base in model.bases {
            for view in allProperties(base) where !result.contains(where: { $0.name == view.name }) {
                result.append(view)
            }
        }
        for property in model.properties {
            put(
                PropertyView(
                    name: property["name"]?.string ?? "", type: property["type"] ?? .null,
                    readonly: property["readonly"]?.bool ?? false, defaultJSON: property["value"],
                    required: property["required"]?.bool ?? false))
        }
        for override in model.overrides {
            guard let pname = override["name"]?.string, let index = result.firstIndex(where: { $0.name == pname })
            else { continue }
            let old = result[index]
            result[index] = PropertyView(
                name: old.name, type: old.type, readonly: old.readonly, defaultJSON: override["value"],
                required: old.required && override["value"] == nil)
        }
        allPropertiesCache[name] = result
        return result
    }

    func className(_ name: String) -> String { byName[name]?.className ?? name }

    static let swiftKeywords: Set<String> = [
        "default", "in", "is", "as", "for", "if", "else", "switch", "case", "return", "class", "struct", "enum",
        "protocol", "extension", "func", "var", "let", "import", "operator", "repeat", "while", "do", "break",
        "continue", "where", "self", "Self", "super", "init", "deinit", "subscript", "static", "public", "private",
        "internal", "fileprivate", "open", "true", "false", "nil", "throw", "throws", "try", "catch", "guard",
        "defer", "inout", "typealias", "associatedtype", "fallthrough", "rethrows", "Type", "Any", "some", "any",
    ]
    static let modelMembers: Set<String> = [
        "id", "typeName", "attributes", "document", "description", "set", "store", "referencedModels",
        "modelTypeName", "declaredProperties", "validate", "attribute", "setAttribute", "bokehValue", "fromBokeh",
        "make",
    ]

    static func camel(_ snake: String) -> String {
        var parts = snake.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard !parts.isEmpty else { return "value" }
        let first = parts.removeFirst()
        var name =
            first.prefix(1).lowercased() + first.dropFirst()
            + parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if let c = name.first, c.isNumber { name = "_" + name }
        return name
    }

    static func pascal(_ snake: String) -> String {
        let c = camel(snake)
        return c.prefix(1).uppercased() + c.dropFirst()
    }

    static func escaped(_ name: String) -> String { swiftKeywords.contains(name) ? "`\(name)`" : name }

    func swiftPropertyName(_ bokehName: String) -> String {
        let name = Self.camel(bokehName)
        return Self.modelMembers.contains(name) ? "bokeh" + Self.pascal(bokehName) : name
    }

    func enumCase(_ enumName: String, _ value: String) -> String? {
        guard let values = mapper.enums.first(where: { $0.name == enumName })?.values else { return nil }
        return enumCases(enumName, values)[value]
    }

    /// Swift case names of an enumeration's values. Symbol abbreviations (`HatchPatternAbbreviation`:
    /// ".", "o", "-") take the names of the enumeration they abbreviate, which lists the same patterns in
    /// the same order.
    func enumCases(_ enumName: String, _ values: [String]) -> [String: String] {
        if enumName.hasSuffix("Abbreviation"),
            let full = namedEnums.first(where: { $0.0 + "Abbreviation" == enumName })?.1, full.count == values.count
        {
            let names = Self.caseNames(full)
            return Dictionary(uniqueKeysWithValues: zip(values, full.map { names[$0] ?? $0 }))
        }
        return Self.caseNames(values)
    }

    static func caseNames(_ values: [String]) -> [String: String] {
        var result: [String: String] = [:]
        var used: Set<String> = []
        for (index, value) in values.enumerated() {
            var name = camel(value)
            if value.allSatisfy({ !$0.isLetter && !$0.isNumber }) { name = "value\(index)" }
            if name == "none" { name = "noneValue" }
            while used.contains(name) { name += "_" }
            used.insert(name)
            result[value] = escaped(name)
        }
        return result
    }

    // MARK: Emission

    func files() -> [String: String] {
        var groups: [String: [String]] = [:]
        var modelExtension = ""
        for model in models {
            if model.name == "Model" {
                modelExtension = emitBaseModel(model)
                continue
            }
            let parts = model.module.split(separator: ".").map(String.init)
            let group = parts.count > 2 ? Self.pascal(parts[2]) : "Core"
            groups[group, default: []].append(emitClass(model))
        }
        var files: [String: String] = [:]
        let header =
            "// Generated by Tools/ModelGenerator from Tools/models/schema.json (Bokeh 3.10.2). Do not edit.\n\n"
        for (group, classes) in groups {
            files["Models+\(group).swift"] = header + classes.joined(separator: "\n")
        }
        files["Model+Base.swift"] = header + modelExtension
        files["Catalogue.swift"] = header + emitCatalogue()
        files["Enums.swift"] = header + emitEnums()
        return files
    }

    private func primaryBase(_ model: ModelSchema) -> String? { model.bases.first { $0 != "Model" } }

    /// Whether a class up the Swift superclass chain has per-instance defaults (which would be inherited).
    private func ancestorHasInstanceDefaults(_ model: ModelSchema) -> Bool {
        var current = primaryBase(model).flatMap { byName[$0] }
        while let base = current {
            if let initial = base.initial, initial != "{}" { return true }
            current = primaryBase(base).flatMap { byName[$0] }
        }
        return false
    }

    /// The accessors a class inherits through its Swift superclass chain.
    private func chainAccessors(_ model: ModelSchema) -> [String: Accessor] {
        guard let base = primaryBase(model) else { return accessors["Model"] ?? [:] }
        return accessors[base] ?? [:]
    }

    private func resolveAccessors(_ model: ModelSchema) {
        if accessors[model.name] != nil { return }
        for base in model.bases { if let b = byName[base] { resolveAccessors(b) } }
        var own = chainAccessors(model)
        let context = model.className
        for view in allProperties(model.name) where own[view.name] == nil {
            let type = mapper.map(view.type, context: context + Self.pascal(view.name))
            let literal = view.defaultJSON.flatMap { Literal.make($0, type, enumCases: enumCase) }
            let zero = view.required && literal == nil && !view.readonly ? type.zero : nil
            own[view.name] = Accessor(
                swiftName: swiftPropertyName(view.name), type: type,
                accessorType: literal == nil && zero == nil ? type.optionalized : type, declaredIn: model.name,
                zero: zero)
        }
        accessors[model.name] = own
    }

    private func emitBaseModel(_ model: ModelSchema) -> String {
        resolveAccessors(model)
        var out = "extension Model {\n"
        var specs: [String] = []
        for view in allProperties(model.name) {
            guard let accessor = accessors["Model"]?[view.name] else { continue }
            specs.append(propertySpec(view, accessor))
            if view.name == "name" { continue }
            out += property(view, accessor, override: false, readonly: view.readonly)
        }
        out += "    static var baseModelProperties: [PropertySpec] {\n        [\n"
        out += specs.map { "            \($0),\n" }.joined()
        out += "        ]\n    }\n}\n"
        out += settings(
            for: "Model",
            allProperties(model.name).compactMap { view in
                guard view.name != "name", !view.readonly, let accessor = accessors["Model"]?[view.name] else {
                    return nil
                }
                return (view, accessor)
            })
        return out
    }

    private func propertySpec(_ view: PropertyView, _ accessor: Accessor) -> String {
        let literal = view.defaultJSON.flatMap { Literal.make($0, accessor.type, enumCases: enumCase) }
        let type = accessor.accessorType.rendered
        guard let literal else { return "PropertySpec(\(Literal.quote(view.name)), \(type).self)" }
        // A null default is a default (`.some(nil)`), not the absence of one.
        if literal == "nil" { return "PropertySpec(\(Literal.quote(view.name)), \(type).self, default: .some(nil))" }
        return "PropertySpec(\(Literal.quote(view.name)), \(type).self, default: \(literal))"
    }

    private func property(_ view: PropertyView, _ accessor: Accessor, override: Bool, readonly: Bool) -> String {
        let literal = view.defaultJSON.flatMap { Literal.make($0, accessor.type, enumCases: enumCase) }
        let name = Literal.quote(view.name)
        // Plain generic calls with the type spelled out keep type-checking cheap (no `??` overloads).
        let type = accessor.type.rendered
        let getter =
            if let literal {
                "attribute(\(name), as: \(type).self, default: \(literal))"
            } else if let zero = accessor.zero {
                "attribute(\(name), as: \(type).self, default: \(zero))"
            } else if accessor.type.isOptional {
                "attribute(\(name), as: \(type).self, default: nil)"
            } else {
                "attribute(\(name), as: \(type).self)"
            }
        // Python drops a set that equals the current value, so setting a default leaves the attribute
        // unset. Vectorized defaults that are fields (`x = field("x")`) are never equal to the strings the
        // plotting API passes in Python, so those are always stored.
        let defaultIsField = ["field", "expr"].contains(view.defaultJSON?["type"]?.string ?? "")
        let setter =
            if let literal, !defaultIsField {
                "setAttribute(\(name), newValue, unlessDefault: \(literal))"
            } else {
                "setAttribute(\(name), newValue)"
            }
        var out = "    /// Bokeh `\(view.name)`"
        if let literal { out += " (default `\(literal)`)" }
        if literal == nil, accessor.zero != nil { out += " (required; reads `\(accessor.zero ?? "")` while unset)" }
        out +=
            ".\n    \(override ? "override " : "")public var \(Self.escaped(accessor.swiftName)): \(accessor.accessorType.rendered) {\n"
        if readonly {
            out += "        \(getter)\n    }\n"
        } else {
            out += "        get { \(getter) }\n        set { \(setter) }\n    }\n"
        }
        if !override {
            out +=
                "    public static var \(Self.escaped(accessor.swiftName)): PropertyKey<\(accessor.type.rendered)> { PropertyKey(\(name)) }\n"
        }
        return out
    }

    private func emitClass(_ model: ModelSchema) -> String {
        resolveAccessors(model)
        let chain = chainAccessors(model)
        let superclass = primaryBase(model).map(className) ?? "Model"
        let mine = accessors[model.name] ?? [:]
        let parentViews = primaryBase(model).map { allProperties($0) } ?? allProperties("Model")
        var body = ""
        var specs: [String] = []
        for view in allProperties(model.name) {
            guard let accessor = mine[view.name] else { continue }
            if let inherited = chain[view.name] {
                // Redeclared or overridden: emit an override only when the default changed and the
                // inherited accessor lives in a class body with the same Swift type.
                let parentDefault = parentViews.first { $0.name == view.name }?.defaultJSON
                guard inherited.declaredIn != "Model", parentDefault != view.defaultJSON else { continue }
                let newType = mapper.map(view.type, context: model.className + Self.pascal(view.name))
                guard newType == inherited.type else {
                    keptInheritedCount += 1
                    continue
                }
                body += property(view, inherited, override: true, readonly: view.readonly)
                // The redeclared default is the one `declaredProperties` reports (the last spec of a name wins).
                specs.append(propertySpec(view, inherited))
            } else {
                accessorCount += 1
                if accessor.type == .value { valueTypedCount += 1 }
                specs.append(propertySpec(view, accessor))
                body += property(view, accessor, override: false, readonly: view.readonly)
            }
        }
        var out = "/// Bokeh `\(model.name)` (`\(model.module)`)\(model.abstract ? ", abstract" : "").\n"
        out += "public class \(model.className): \(superclass) {\n"
        out += "    override public class var modelTypeName: String { \(Literal.quote(model.name)) }\n"
        if let initial = model.initial, initial != "{}" {
            out +=
                "    override public class var instanceDefaultsJSON: String? {\n        ###\"\(initial)\"###\n    }\n"
        } else if ancestorHasInstanceDefaults(model) {
            out += "    override public class var instanceDefaultsJSON: String? { nil }\n"
        }
        if !specs.isEmpty {
            out += "    override public class var declaredProperties: [PropertySpec] {\n"
            out += "        let own: [PropertySpec] = [\n"
            out += specs.map { "            \($0),\n" }.joined()
            out += "        ]\n        return super.declaredProperties + own\n    }\n"
        }
        out += body
        if !model.abstract { out += initializer(model, mine) }
        out += "}\n"
        out += settings(
            for: model.className,
            allProperties(model.name).compactMap { view in
                mine[view.name].flatMap { chain[view.name] == nil && !view.readonly ? (view, $0) : nil }
            })
        if !model.abstract { out += requiredInitializer(model, mine) }
        return out
    }

    /// `Setting` factories for the properties a class declares: `.title("n")`, and for a union one per
    /// member type that a plain Swift value picks unambiguously (`.format(NumeralTickFormatter())`).
    private func settings(for className: String, _ properties: [(PropertyView, Accessor)]) -> String {
        guard !properties.isEmpty else { return "" }
        var out =
            className == "Model" ? "\nextension Setting {\n" : "\nextension Setting where Root: \(className) {\n"
        for (view, accessor) in properties {
            let name = Self.escaped(accessor.swiftName)
            let type = accessor.accessorType.rendered
            out += "    /// Sets Bokeh `\(view.name)`.\n"
            out += "    public static func \(name)(_ value: \(type)) -> Self { Self { $0.\(name) = value } }\n"
            var inner = accessor.type
            if case .optional(let wrapped) = inner { inner = wrapped }
            switch inner {
            case .oneOf(let options):
                for (index, option) in options.enumerated() where option.isPlainSwiftValue {
                    let letter = ["a", "b", "c"][index]
                    out +=
                        "    public static func \(name)\(Self.parameter(option)) -> Self { Self { $0.\(name) = .\(letter)(\(Self.argument(option))) } }\n"
                }
            case .spec(let valueType) where valueType == .double || valueType == .int:
                out +=
                    "    public static func \(name)\(Self.parameter(valueType)) -> Self { Self { $0.\(name) = .value(\(Self.argument(valueType))) } }\n"
            default: break
            }
        }
        return out + "}\n"
    }

    /// A member overload's parameter list. Numbers are generic (`some BinaryFloatingPoint`) so that a
    /// literal still picks the property's own type (a spec or a union) and a variable picks this one.
    private static func parameter(_ type: SwiftType) -> String {
        switch type {
        case .double: "(_ value: some BinaryFloatingPoint)"
        case .int: "(_ value: some BinaryInteger)"
        default: "(_ value: \(type.rendered))"
        }
    }

    private static func argument(_ type: SwiftType) -> String {
        switch type {
        case .double: "Double(value)"
        case .int: "Int(clamping: value)"
        default: "value"
        }
    }

    /// For a class with required properties that read non-optional: an initializer that demands them and
    /// takes any other property as a `Setting`, in any order.
    private func requiredInitializer(_ model: ModelSchema, _ mine: [String: Accessor]) -> String {
        let required = allProperties(model.name).compactMap { view in
            mine[view.name].flatMap { $0.zero != nil ? $0 : nil }
        }
        guard !required.isEmpty else { return "" }
        let params = required.map { "\(Self.escaped($0.swiftName)): \($0.accessorType.rendered)" }
        let labels = required.map { "`\($0.swiftName):`" }.joined(separator: ", ")
        let example = required.map { "\($0.swiftName): …" }.joined(separator: ", ")
        var out = "\nextension SettingsInitializable where Self: \(model.className) {\n"
        out += "    /// A new `\(model.name)` with Bokeh's required \(labels) and any other properties as settings,\n"
        out += "    /// in any order: `\(model.className)(\(example), .name(\"…\"))`.\n"
        out += "    public init(\(params.joined(separator: ", ")), _ settings: Setting<Self>...) {\n"
        out += "        self.init(id: IDGenerator.next(), typeName: Self.modelTypeName)\n"
        out += "        applyInstanceDefaults()\n"
        for accessor in required {
            let name = Self.escaped(accessor.swiftName)
            out += "        self.\(name) = \(name)\n"
        }
        out += "        for setting in settings { setting.apply(to: self) }\n    }\n}\n"
        return out
    }

    private func initializer(_ model: ModelSchema, _ mine: [String: Accessor]) -> String {
        var params: [String] = []
        var assignments: [String] = []
        for view in allProperties(model.name) where !view.readonly {
            guard let accessor = mine[view.name] else { continue }
            let name = Self.escaped(accessor.swiftName)
            params.append("        \(name): \(accessor.accessorType.optionalized.rendered) = nil")
            assignments.append("        if let \(name) { self.\(name) = \(name) }")
        }
        var out =
            "    /// A new `\(model.name)` with a fresh id, the per-instance defaults a new Python instance has,\n"
        out += "    /// and the given properties set.\n"
        out +=
            params.isEmpty
            ? "    public convenience init() {\n"
            : "    public convenience init(\n\(params.joined(separator: ",\n"))\n    ) {\n"
        out += "        self.init(id: IDGenerator.next(), typeName: Self.modelTypeName)\n"
        out += "        applyInstanceDefaults()\n"
        out += assignments.map { $0 + "\n" }.joined()
        out += "    }\n"
        return out
    }

    private func emitCatalogue() -> String {
        var out = "/// Every Bokeh 3.10.2 model: its qualified name and typed class.\n"
        out += "public enum Catalogue {\n"
        out +=
            "    /// The qualified names of every model in Bokeh's `Model.model_class_reverse_map` (\(models.count)).\n"
        out += "    public static let modelNames: [String] = [\n"
        out += models.map { "        \(Literal.quote($0.name)),\n" }.joined()
        out += "    ]\n\n"
        out +=
            "    /// The models Bokeh marks abstract (base classes such as `Glyph`, `Range`; BokehJS can't create them).\n"
        out += "    public static let abstractModelNames: Set<String> = [\n"
        out += models.filter(\.abstract).map { "        \(Literal.quote($0.name)),\n" }.joined()
        out += "    ]\n\n"
        out +=
            "    /// Property mixins in Bokeh's registry that aren't models (`FillProps`, `ButtonLike`): typed here as\n"
        out += "    /// bases, but never sent as models.\n"
        out += "    public static let mixinNames: Set<String> = [\n"
        out += models.filter(\.mixin).map { "        \(Literal.quote($0.name)),\n" }.joined()
        out += "    ]\n\n"
        out += "    /// The typed class for a qualified model name.\n"
        out += "    public static func modelClass(named name: String) -> Model.Type? { classesByName[name] }\n\n"
        out += "    private static let classesByName: [String: Model.Type] = Dictionary(\n"
        out += "        uniqueKeysWithValues: zip(modelNames, classes))\n\n"
        out +=
            "    /// For each model name, the Python classes a theme's `attrs` apply by, base first, space-separated\n"
        out += "    /// (`Name:lft`: the theme's line, fill and text glyph defaults apply at that level).\n"
        out += "    static let themeLineages: [String: String] = [\n"
        out += models.filter { !$0.themeLineage.isEmpty }.map {
            "        \(Literal.quote($0.name)): \(Literal.quote($0.themeLineage.joined(separator: " "))),\n"
        }.joined()
        out += "    ]\n\n"
        out += "    /// The typed classes, in ``modelNames`` order.\n"
        out += "    private static let classes: [Model.Type] = [\n"
        out += models.map { "        \($0.className).self,\n" }.joined()
        out += "    ]\n}\n\n"
        out += "extension Model {\n"
        out += "    /// A model of the typed class for `typeName` (a generic ``Model`` for unknown names).\n"
        out += "    public static func make(id: String, typeName: String) -> Model {\n"
        out +=
            "        guard let type = Catalogue.modelClass(named: typeName) else { return Model(id: id, typeName: typeName) }\n"
        out += "        return type.init(id: id, typeName: typeName, attributes: [])\n    }\n\n"
        out +=
            "    /// A new model of `typeName` with a fresh id and the per-instance defaults a new Python instance has\n"
        out += "    /// (a generic ``Model`` without attributes for unknown names).\n"
        out += "    public static func instantiate(_ typeName: String) -> Model {\n"
        out += "        let model = make(id: IDGenerator.next(), typeName: typeName)\n"
        out += "        model.applyInstanceDefaults()\n        return model\n    }\n}\n"
        return out
    }

    private func emitEnums() -> String {
        if !mapper.enums.contains(where: { $0.name == "NamedColor" }),
            let named = namedEnums.first(where: { $0.0 == "NamedColor" })
        {
            mapper.enums.append((name: "NamedColor", values: named.1))
        }
        var out = ""
        for (name, values) in mapper.enums.sorted(by: { $0.name < $1.name }) {
            out += "/// Bokeh enumeration `\(name)`.\npublic enum \(name): String, BokehEnum {\n"
            let cases = enumCases(name, values)
            for value in values { out += "    case \(cases[value] ?? value) = \(Literal.quote(value))\n" }
            out += "}\n\n"
        }
        out +=
            "/// The UI events BokehJS sends (`bokeh.events`), by event name.\npublic enum EventKind: String, CaseIterable, Sendable {\n"
        let cases = Self.caseNames(eventNames)
        for name in eventNames { out += "    case \(cases[name] ?? name) = \(Literal.quote(name))\n" }
        out += "}\n"
        return out
    }
}
