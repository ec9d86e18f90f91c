import Foundation

/// A theme file or theme JSON that can't be used, with where and why.
public enum ThemeError: Error, Equatable, CustomStringConvertible {
    /// The YAML is outside the subset ``Theme`` reads, or malformed.
    case yaml(line: Int, String)
    /// The JSON is malformed.
    case json(String)
    /// The content parsed but is not a theme (Python Bokeh's `theme problem: …` messages).
    case notATheme(String)
    /// The file could not be read.
    case unreadable(path: String, String)

    public var description: String {
        switch self {
        case .yaml(let line, let message): "theme YAML, line \(line): \(message)"
        case .json(let message): "theme JSON: \(message)"
        case .notATheme(let message): "theme problem: \(message)"
        case .unreadable(let path, let message): "cannot read theme file \(path): \(message)"
        }
    }
}

/// New default values for Bokeh models (Python's `bokeh.themes.Theme`): per class name, property values that
/// replace Bokeh's defaults for every model of that class or a subclass, but never a value the app set.
///
/// `attrs` blocks apply from the most basic class to the model's own (`Model`, then … `Plot`, `Figure`),
/// and `line_defaults`, `fill_defaults`, `text_defaults` apply to glyphs with those visuals, as Python applies
/// them. A document with a theme serializes its models with the themed values, so BokehJS, a client and
/// Python read the same document Python would send.
///
/// ```swift
/// document.theme = .darkMinimal
/// document.theme = try Theme(contentsOfFile: "theme.yaml")
/// document.theme = try Theme(json: ##"{"attrs": {"Plot": {"background_fill_color": "#eeeeee"}}}"##)
/// ```
///
/// Sendable: a theme's values come from JSON or YAML (numbers, strings, lists, maps: never a ``Model``) and
/// cannot change once read, so one theme may be shared by every session's document.
public struct Theme: Equatable, @unchecked Sendable {
    /// Per Python class name (`"Plot"`, `"Axis"`, `"Title"`), the property values in file order.
    public private(set) var attrs: [(className: String, values: [(name: String, value: Value)])]
    public private(set) var lineDefaults: [(name: String, value: Value)]
    public private(set) var fillDefaults: [(name: String, value: Value)]
    public private(set) var textDefaults: [(name: String, value: Value)]

    /// A theme from JSON text (the object Python's `Theme(json=...)` takes).
    public init(json: String) throws(ThemeError) {
        let parsed: JSONValue
        do {
            parsed = try JSONReader.parse(Array(json.utf8))
        } catch {
            throw .json("\(error)")
        }
        try self.init(parsed)
    }

    /// A theme from YAML text (what Python's `Theme(filename=...)` reads), in the subset Bokeh's theme files use.
    public init(yaml: String) throws(ThemeError) {
        try self.init(ThemeYAML.parse(yaml))
    }

    /// A theme file: JSON when its name ends in `.json`, YAML otherwise (as `bokeh serve` reads a
    /// directory app's `theme.yaml`).
    public init(contentsOfFile path: String) throws(ThemeError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, error.localizedDescription)
        }
        if path.lowercased().hasSuffix(".json") { try self.init(json: text) } else { try self.init(yaml: text) }
    }

    /// A theme from parsed JSON; an empty file (`null`) is an empty theme, as in Python.
    public init(_ json: JSONValue) throws(ThemeError) {
        let root: JSONObject
        switch json {
        case .null: root = JSONObject()
        case .object(let object): root = object
        default: throw .notATheme("a theme must be a mapping with an 'attrs' field, not \(json)")
        }
        attrs = []
        switch root["attrs"] {
        case nil, .null?: break
        case .object(let classes)?:
            for member in classes.members {
                guard case .object(let properties) = member.value else {
                    throw .notATheme("attrs.\(member.key) should be a dictionary of properties, not \(member.value)")
                }
                attrs.append((className: member.key, values: properties.members.map { ($0.key, Self.value($0.value)) }))
            }
        case let other?: throw .notATheme("attrs field should be a dictionary of class names, not \(other)")
        }
        func defaults(_ key: String) throws(ThemeError) -> [(name: String, value: Value)] {
            switch root[key] {
            case nil, .null?: return []
            case .object(let properties)?: return properties.members.map { ($0.key, Self.value($0.value)) }
            case let other?: throw .notATheme("\(key) should be a dictionary of properties, not \(other)")
            }
        }
        lineDefaults = try defaults("line_defaults")
        fillDefaults = try defaults("fill_defaults")
        textDefaults = try defaults("text_defaults")
    }

    /// The themed values for a model of `typeName` (a Bokeh model name), before the property types shape them.
    func values(forType typeName: String) -> [(name: String, value: Value)] {
        let lineage = Catalogue.themeLineages[typeName].map { $0.split(separator: " ").map(String.init) } ?? [typeName]
        var combined: [(name: String, value: Value)] = []
        func merge(_ values: [(name: String, value: Value)]) {
            for (name, value) in values {
                if let index = combined.firstIndex(where: { $0.name == name }) {
                    combined[index].value = value
                } else {
                    combined.append((name, value))
                }
            }
        }
        for level in lineage {
            let parts = level.split(separator: ":", maxSplits: 1)
            let className = String(parts[0])
            if parts.count == 2 {
                if parts[1].contains("l") { merge(lineDefaults) }
                if parts[1].contains("f") { merge(fillDefaults) }
                if parts[1].contains("t") { merge(textDefaults) }
            }
            for block in attrs where block.className == className { merge(block.values) }
        }
        return combined
    }

    /// Plain JSON as a property value (lists stay lists, objects become dictionaries).
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .float(d)
        case .string(let s): .string(s)
        case .array(let items): .list(items.map(value))
        case .object(let object): .dictionary(object.members.map { (key: $0.key, value: value($0.value)) })
        }
    }

    public static func == (a: Theme, b: Theme) -> Bool {
        func same(_ x: [(name: String, value: Value)], _ y: [(name: String, value: Value)]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        }
        return a.attrs.count == b.attrs.count
            && zip(a.attrs, b.attrs).allSatisfy { $0.className == $1.className && same($0.values, $1.values) }
            && same(a.lineDefaults, b.lineDefaults) && same(a.fillDefaults, b.fillDefaults)
            && same(a.textDefaults, b.textDefaults)
    }
}

extension Theme {
    /// Bokeh's built-in themes by the names Python uses (`"caliber"`, `"dark_minimal"`, `"light_minimal"`,
    /// `"night_sky"`, `"contrast"`, `"carbon"`).
    public static func builtIn(_ name: String) -> Theme? {
        guard let json = builtInThemeJSON[name] else { return nil }
        return try? Theme(json: json)
    }

    /// The names of Bokeh's built-in themes.
    public static var builtInNames: [String] { builtInThemeJSON.keys.sorted() }

    public static var caliber: Theme { builtIn("caliber") ?? .empty }
    public static var darkMinimal: Theme { builtIn("dark_minimal") ?? .empty }
    public static var lightMinimal: Theme { builtIn("light_minimal") ?? .empty }
    public static var nightSky: Theme { builtIn("night_sky") ?? .empty }
    public static var contrast: Theme { builtIn("contrast") ?? .empty }
    public static var carbon: Theme { builtIn("carbon") ?? .empty }

    /// No themed values (Python's default theme).
    public static var empty: Theme { Theme(empty: ()) }

    private init(empty: Void) {
        attrs = []
        lineDefaults = []
        fillDefaults = []
        textDefaults = []
    }
}

extension Model {
    /// Replaces the model's themed values with `theme`'s for its class; returns the properties (not set by
    /// the app) whose value changed, with old and new values (`nil`: Bokeh's default).
    func applyTheme(_ theme: Theme?) -> [(name: String, old: Value?, new: Value?)] {
        let specs = Catalogue.modelClass(named: typeName)?.declaredProperties
        var themed: [(name: String, value: Value)] = []
        for (name, value) in theme?.values(forType: typeName) ?? [] {
            guard let specs else {
                themed.append((name, value))
                continue
            }
            // A typed model takes only the properties its class has (Python's theme would fail on others);
            // the value is shaped as the property stores it.
            guard let spec = specs.last(where: { $0.name == name }) else { continue }
            themed.append((name, spec.shaped(value)))
        }
        let old = themedAttributes
        themedAttributes = themed
        var changes: [(name: String, old: Value?, new: Value?)] = []
        var names: [String] = old.map(\.name)
        for entry in themed where !names.contains(entry.name) { names.append(entry.name) }
        for name in names where !attributes.contains(where: { $0.name == name }) {
            let before = old.first { $0.name == name }?.value
            let after = themed.first { $0.name == name }?.value
            if before != after { changes.append((name, before, after)) }
        }
        return changes
    }
}

extension Document {
    /// The document's theme (Python's `doc.theme`); `nil` is Bokeh's default theme. Setting it re-themes every
    /// model and reports each changed value as a ``ModelChangedEvent`` (peers of a session receive them);
    /// models added later take the theme when they join. Values the app set are never replaced.
    public var theme: Theme? {
        get { currentTheme }
        set {
            currentTheme = newValue
            for model in models.values.sorted(by: { $0.id < $1.id }) {
                for change in model.applyTheme(newValue) {
                    let specs = Catalogue.modelClass(named: model.typeName)?.declaredProperties
                    guard let new = change.new ?? specs?.last(where: { $0.name == change.name })?.defaultValue
                    else { continue }
                    notify(
                        .modelChanged(
                            ModelChangedEvent(model: model, attribute: change.name, old: change.old, new: new)))
                }
            }
        }
    }
}
