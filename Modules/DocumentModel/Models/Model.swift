/// A Bokeh model: an id, a qualified type name and its explicitly set attributes, in order.
///
/// Any type name and attribute is accepted, as the document layer doesn't need Bokeh's class hierarchy
/// to store, apply and re-serialize documents. Typed subclasses generated from Bokeh's catalogue
/// (`Slider`, `Figure`, …) add typed accessors over the same attributes; the deserializer creates
/// them for known type names. A model belongs to at most one
/// ``Document``; while attached, setting an attribute goes through the document so events and
/// callbacks fire.
///
/// - Important: Not thread-safe. A model is confined to whatever guards its document.
public class Model {
    // Members are `final`: typed subclasses add accessors and class-level metadata, never override these.
    public final let id: String
    /// The qualified model name (`"Slider"`, `"ColumnDataSource"`, `"my_ext.Custom"`).
    public final let typeName: String
    /// Attributes in serialization order.
    public final internal(set) var attributes: [(name: String, value: Value)]
    /// The document this model is attached to, if any.
    public final internal(set) weak var document: Document?

    /// Creates a model with a fresh id from ``IDGenerator``.
    public convenience init(_ typeName: String, _ attributes: KeyValuePairs<String, Value> = [:]) {
        self.init(
            id: IDGenerator.next(), typeName: typeName, attributes: attributes.map { (name: $0.key, value: $0.value) })
    }

    public required init(id: String, typeName: String, attributes: [(name: String, value: Value)] = []) {
        self.id = id
        self.typeName = typeName
        self.attributes = attributes
    }

    deinit {
        // Models held only through this one are taken apart iteratively (a chain of any length is freed
        // without recursing once per model).
        ModelGraph.release(&attributes)
    }

    /// Values the document's ``Theme`` gives properties this model has not set (Python's `themed_values()`):
    /// they read and serialize as the model's values until the app sets its own.
    public final internal(set) var themedAttributes: [(name: String, value: Value)] = []

    /// The value of attribute `name`: the one set, else the theme's, else `nil` (Bokeh's default applies).
    public final subscript(name: String) -> Value? {
        for attribute in attributes where attribute.name == name { return attribute.value }
        for attribute in themedAttributes where attribute.name == name { return attribute.value }
        keyPathProbe?.names.append(name)
        return nil
    }

    /// Set only on the scratch instances ``Model/attributeNames(readBy:)`` reads a key path through: records the
    /// attribute names the key path's getter asks for.
    final var keyPathProbe: KeyPathProbe?

    /// What the model serializes: its attributes, then the themed values of properties it has not set.
    final var serializedAttributes: [(name: String, value: Value)] {
        if themedAttributes.isEmpty { return attributes }
        return attributes
            + themedAttributes.filter { themed in !attributes.contains { $0.name == themed.name } }
    }

    /// The `name` attribute Bokeh uses for lookups (`modelByName`); setting `nil` writes `null`.
    public final var name: String? {
        get { self["name"]?.stringValue }
        set { set("name", newValue.map { .string($0) } ?? .null) }
    }

    /// The Bokeh type name a typed subclass stands for (`"Slider"`); `"Model"` for generic models.
    public class var modelTypeName: String { "Model" }

    /// The properties a typed class declares, inherited ones first; Bokeh's `Model` base properties
    /// for generic models.
    public class var declaredProperties: [PropertySpec] { baseModelProperties }

    /// The attributes a fresh Python instance of the typed class carries (per-instance defaults such
    /// as `ColumnDataSource.selected`), serialized; `nil` when there are none.
    public class var instanceDefaultsJSON: String? { nil }

    /// Sets an attribute. When attached, the document records a ``ModelChangedEvent`` (or
    /// ``ColumnDataChangedEvent`` for a column data source's `data`) and runs callbacks.
    public final func set(_ name: String, _ value: Value, setter: Setter? = nil) {
        if let document {
            document.setAttribute(of: self, name, to: value, setter: setter)
        } else {
            store(name, value)
        }
    }

    /// Stores an attribute without notifying anyone; returns the previous value.
    @discardableResult
    final func store(_ name: String, _ value: Value) -> Value? {
        if let index = attributes.firstIndex(where: { $0.name == name }) {
            let old = attributes[index].value
            attributes[index].value = value
            return old
        }
        attributes.append((name: name, value: value))
        return nil
    }

    /// Removes an attribute of a model no document holds yet (it reads its default again).
    final func unstore(_ name: String) {
        precondition(document == nil, "unstore is for models being built")
        attributes.removeAll { $0.name == name }
    }

    /// Models referenced directly from this model's attributes.
    public final var referencedModels: [Model] {
        var result: [Model] = []
        for attribute in attributes { attribute.value.forEachModel { result.append($0) } }
        return result
    }
}

@available(*, unavailable)
extension Model: Sendable {}

extension Model: CustomStringConvertible {
    public var description: String { "\(typeName)(id: \(id))" }
}

/// What a key path's getter read, recorded on a scratch model.
final class KeyPathProbe {
    var names: [String] = []
}

extension Model {
    /// The attribute names a key path into this model's class reads (`\Slider.value` reads `"value"`), in the
    /// order it reads them; empty for key paths that don't read attributes (`\.id`).
    public func attributeNames<M: Model, T>(readBy keyPath: KeyPath<M, T>) -> [String] {
        guard let model = self as? M else { return [] }
        let scratch = type(of: model).init(id: id, typeName: typeName)
        let probe = KeyPathProbe()
        scratch.keyPathProbe = probe
        _ = scratch[keyPath: keyPath]
        var unique: [String] = []
        for name in probe.names where !unique.contains(name) { unique.append(name) }
        return unique
    }

    /// What `keyPath` read before attribute `name` changed from `old` (`nil`: it was unset): evaluated on a
    /// scratch copy of this model carrying the old value.
    func value<M: Model, T>(of keyPath: KeyPath<M, T>, whenAttribute name: String, was old: Value?) -> T? {
        guard let model = self as? M else { return nil }
        var previous = attributes.filter { $0.name != name }
        if let old { previous.append((name: name, value: old)) }
        let scratch = type(of: model).init(id: id, typeName: typeName, attributes: previous)
        scratch.themedAttributes = themedAttributes
        return scratch[keyPath: keyPath]
    }
}
