/// A Bokeh document: roots, title, configuration and every model reachable from them.
///
/// All changes go through the document so they become ``DocumentEvent``s: local changes (with an
/// optional ``Setter``) and patches from a peer (``applyPatch(_:buffers:setter:)``). Events reach
/// change callbacks immediately, or when ``unhold()`` is called while changes are held.
///
/// - Important: Not thread-safe. The server guards each document with its session's actor or lock.
public final class Document {
    /// The Bokeh version written into document JSON.
    public static let bokehVersion = "3.10.2"
    /// Python Bokeh's default title.
    public static let defaultTitle = "Bokeh Application"

    public private(set) var roots: [Model] = []
    /// The document's title (the page's `<title>`). Setting it is Python's `doc.title = ...`: it records a
    /// title change that connected peers receive.
    public var title: String {
        get { storedTitle }
        set { setTitle(newValue) }
    }
    private(set) var storedTitle: String
    /// Values for the page template (Python's `doc.template_variables`): a server renders them into the
    /// application's template, so `{% for stat in stats %}` reads an array set here. Not serialized; not sent.
    public var templateVariables: [String: JSONValue] = [:]
    /// See ``theme``.
    var currentTheme: Theme?
    /// The `DocumentConfig` model (with its `Notifications`).
    public internal(set) var config: Model
    /// `defs` from received document JSON (data model definitions), written back unchanged.
    public var definitions: JSONValue?
    /// `callbacks` from document JSON: event name → list of callback models.
    public private(set) var jsEventCallbacks: Value?

    private(set) var modelsByID: [String: Model] = [:]
    /// Ids of models the peer already has.
    var synced: Set<String> = []
    /// Ids of every model that was ever part of this document (to drop late patches for removed ones).
    var everSeen: Set<String> = []

    var holdPolicy: HoldPolicy?
    var heldEvents: [DocumentEvent] = []
    var callbacks = CallbackRegistry()
    /// See ``sessionCallbacks``.
    var storedSessionCallbacks: [SessionCallback] = []

    /// An empty document with a fresh `DocumentConfig`, as Python's `Document()` creates.
    public init(title: String = Document.defaultTitle) {
        self.storedTitle = title
        config = Self.makeConfig()
        recomputeModels()
    }

    /// A fresh `DocumentConfig` with its `Notifications`, ids minted in Python's order.
    static func makeConfig() -> Model {
        let configID = IDGenerator.next()
        let notifications = Model("Notifications")
        return Model(id: configID, typeName: "DocumentConfig", attributes: [("notifications", .model(notifications))])
    }

    init(title: String, config: Model, roots: [Model], callbacks: Value?, definitions: JSONValue?) {
        self.storedTitle = title
        self.config = config
        self.roots = roots
        self.jsEventCallbacks = callbacks
        self.definitions = definitions
        recomputeModels()
    }

    // MARK: Lookup

    /// Every model in the document, keyed by id.
    public var models: [String: Model] { modelsByID }

    public func model(id: String) -> Model? { modelsByID[id] }

    /// The first model whose `name` attribute is `name` (roots first, then in id order).
    public func model(named name: String) -> Model? {
        for root in roots where root.name == name { return root }
        return modelsByID.values.filter { $0.name == name }.min { $0.id < $1.id }
    }

    /// All models of a type name (`"Slider"`), in id order.
    public func select(type typeName: String) -> [Model] {
        modelsByID.values.filter { $0.typeName == typeName }.sorted { $0.id < $1.id }
    }

    /// Whether the peer is known to have the model.
    public func isSynced(_ model: Model) -> Bool { synced.contains(model.id) }

    /// Records that the peer now has every model in the document (after sending it in full).
    public func markAllSynced() { synced = Set(modelsByID.keys) }

    /// Records that the peer now has these models.
    public func markSynced(_ models: some Sequence<Model>) {
        for model in models where modelsByID[model.id] === model { synced.insert(model.id) }
    }

    // MARK: Local changes

    /// Adds a root (no-op if it already is one).
    public func addRoot(_ model: Model, setter: Setter? = nil) {
        try? apply(.rootAdded(RootAddedEvent(model: model, setter: setter)))
    }

    /// Removes a root. Throws if `model` is not a root.
    public func removeRoot(_ model: Model, setter: Setter? = nil) throws(DocumentError) {
        try apply(.rootRemoved(RootRemovedEvent(model: model, setter: setter)))
    }

    /// Lets go of everything, as Python's `Document.destroy` does when a session ends: callbacks, held
    /// events, roots, and every attribute of every model it held, so that models referencing each other
    /// (a `CustomJS` whose `args` name the widget it is attached to) are freed too. No events are sent;
    /// the document is left empty, with a new config.
    public func destroy() {
        callbacks = CallbackRegistry()
        forgetSessionCallbacks()
        heldEvents = []
        holdPolicy = nil
        let held = Array(modelsByID.values)
        roots = []
        jsEventCallbacks = nil
        modelsByID = [:]
        synced = []
        everSeen = []
        for model in held {
            if model.document === self { model.document = nil }
            model.attributes = []
        }
        config = Self.makeConfig()
        recomputeModels()
    }

    /// Removes every root (Python's `doc.clear()`); the title stays.
    public func clear(setter: Setter? = nil) {
        while let root = roots.first {
            try? apply(.rootRemoved(RootRemovedEvent(model: root, setter: setter)))
        }
    }

    public func setTitle(_ title: String, setter: Setter? = nil) {
        try? apply(.titleChanged(TitleChangedEvent(title: title, setter: setter)))
    }

    /// Sets `model.name = value` as a ``ModelChangedEvent``. Models not in this document are updated
    /// without events.
    public func setAttribute(of model: Model, _ name: String, to value: Value, setter: Setter? = nil) {
        guard modelsByID[model.id] === model else {
            model.store(name, value)
            return
        }
        try? apply(.modelChanged(ModelChangedEvent(model: model, attribute: name, new: value, setter: setter)))
    }

    /// Appends rows to a data source's columns (`source.stream(data, rollover)`). A negative `rollover` is
    /// refused.
    public func stream(to source: Model, _ data: ValueMap, rollover: Int? = nil, setter: Setter? = nil)
        throws(DocumentError)
    {
        if let rollover, rollover < 0 { throw .malformed("rollover", expected: "a non-negative integer") }
        try apply(.columnsStreamed(ColumnsStreamedEvent(model: source, data: data, rollover: rollover, setter: setter)))
    }

    /// Replaces elements of a data source's columns in place (`source.patch(patches)`).
    public func patch(
        _ source: Model, _ patches: [(column: String, patches: [(index: PatchIndex, value: Value)])],
        setter: Setter? = nil
    ) throws(DocumentError) {
        try apply(.columnsPatched(ColumnsPatchedEvent(model: source, patches: patches, setter: setter)))
    }

    /// Replaces a data source's columns: all of them (`columns == nil`, like `source.data = …`) or only
    /// the named ones (like `source.data.update(…)`), keeping the other columns as BokehJS does when it
    /// applies a `ColumnDataChanged` with `cols`.
    public func setColumnData(of source: Model, _ data: ValueMap, columns: [String]? = nil, setter: Setter? = nil)
        throws(DocumentError)
    {
        try apply(
            .columnDataChanged(ColumnDataChangedEvent(model: source, data: data, columns: columns, setter: setter)))
    }

    /// Sends a message to document-level handlers (`MessageSent`), e.g. a UI event.
    public func send(messageType: String, data: Value, setter: Setter? = nil) {
        try? apply(.messageSent(MessageSentEvent(messageType: messageType, data: data, setter: setter)))
    }

    /// Applies one event and notifies callbacks. Throws (leaving the document unchanged) if the event
    /// doesn't fit the document. Setting an attribute to the value it already has changes nothing and
    /// notifies no one, as in Python Bokeh.
    public func apply(_ event: DocumentEvent) throws(DocumentError) {
        if case .columnsStreamed(let e) = event, try streamInPlace(e) {
            notify(event)
            return
        }
        let snapshot = Snapshot(self, touching: [event])
        let performed: DocumentEvent?
        do {
            performed = try perform(event)
        } catch {
            snapshot.restore(into: self)
            throw error
        }
        if let performed { notify(performed) }
    }

    // MARK: Mutation core

    /// Mutates the document for `event` without notifying; returns the event with `old` filled in, or
    /// `nil` when the event changes nothing (an attribute set to its current value).
    func perform(_ event: DocumentEvent) throws(DocumentError) -> DocumentEvent? {
        switch event {
        case .modelChanged(var e):
            try requireAttached(e.model)
            if let current = e.model[e.attribute], current == e.new { return nil }
            e.old = e.model.store(e.attribute, e.new)
            if e.new.containsModels || (e.old?.containsModels ?? false) { recomputeModels() }
            return .modelChanged(e)
        case .columnDataChanged(let e):
            try requireAttached(e.model)
            var data = try columnData(of: e.model, e.attribute)
            if let columns = e.columns {
                for column in columns {
                    guard let value = e.data[column] else {
                        throw .notApplicable("ColumnDataChanged names column '\(column)' but carries no data for it")
                    }
                    data[column] = value
                }
            } else {
                data = e.data
            }
            e.model.store(e.attribute, .map(data))
            if e.data.entries.contains(where: { $0.value.containsModels }) { recomputeModels() }
            return event
        case .columnsStreamed(let e):
            try requireAttached(e.model)
            var data = try columnData(of: e.model, e.attribute)
            for entry in e.data.entries {
                guard case .string(let column) = entry.key, let existing = data[column] else {
                    throw .notApplicable("cannot stream to missing column \(entry.key) of \(e.model)")
                }
                data[column] = try ColumnOperations.append(entry.value, to: existing, rollover: e.rollover)
            }
            e.model.store(e.attribute, .map(data))
            return event
        case .columnsPatched(let e):
            try requireAttached(e.model)
            var data = try columnData(of: e.model, e.attribute)
            for column in e.patches {
                guard var value = data[column.column] else {
                    throw .notApplicable("cannot patch missing column '\(column.column)' of \(e.model)")
                }
                for patch in column.patches { try ColumnOperations.patch(&value, at: patch.index, with: patch.value) }
                data[column.column] = value
            }
            e.model.store(e.attribute, .map(data))
            return event
        case .rootAdded(let e):
            if roots.contains(where: { $0 === e.model }) { return nil }
            if let other = e.model.document, other !== self {
                throw .notApplicable("\(e.model) already belongs to another document")
            }
            roots.append(e.model)
            recomputeModels()
            return event
        case .rootRemoved(let e):
            guard let index = roots.firstIndex(where: { $0 === e.model }) else {
                throw .notApplicable("\(e.model) is not a root of this document")
            }
            roots.remove(at: index)
            recomputeModels()
            return event
        case .titleChanged(let e):
            if e.title == title { return nil }
            storedTitle = e.title
            return event
        case .messageSent:
            return event
        case .sessionCallbackAdded(let e):
            if storedSessionCallbacks.contains(where: { $0 === e.callback }) || e.callback.isRemoved { return nil }
            e.callback.document = self
            storedSessionCallbacks.append(e.callback)
            return event
        case .sessionCallbackRemoved(let e):
            guard let index = storedSessionCallbacks.firstIndex(where: { $0 === e.callback }) else {
                throw .callbackNotFound(e.callback.id)
            }
            storedSessionCallbacks.remove(at: index)
            e.callback.remove()
            return event
        }
    }

    private func requireAttached(_ model: Model) throws(DocumentError) {
        guard modelsByID[model.id] === model else { throw .unknownModel(model.id) }
    }

    /// The common stream, 1-D array columns receiving rows of their own element type, done without copying
    /// the columns: everything is checked first, then the rows are appended in place. False (nothing done)
    /// for any other shape of data; ``perform(_:)`` handles those.
    private func streamInPlace(_ e: ColumnsStreamedEvent) throws(DocumentError) -> Bool {
        try requireAttached(e.model)
        if let rollover = e.rollover, rollover < 0 { return false }  // perform(_:) refuses it
        guard let index = e.model.attributes.firstIndex(where: { $0.name == e.attribute }),
            case .map(var data) = e.model.attributes[index].value
        else { return false }
        var plan: [(entry: Int, rows: TypedArray)] = []
        for entry in e.data.entries {
            guard case .string(let column) = entry.key,
                let i = data.entries.firstIndex(where: { if case .string(column) = $0.key { true } else { false } }),
                case .ndarray(let old) = data.entries[i].value, old.shape.count == 1, old.storage.count > 0,
                case .ndarray(let new) = entry.value, new.shape.count == 1,
                old.storage.dtype == new.storage.dtype, old.storage.dtype != "object"
            else { return false }
            plan.append((i, new.storage))
        }
        // Nothing can fail from here on. Take the data out of the model so that the columns are not shared.
        e.model.attributes[index].value = .null
        for (i, rows) in plan {
            guard case .ndarray(var array) = data.entries[i].value else { continue }
            data.entries[i].value = .null
            _ = array.storage.appendInPlace(rows, keepingLast: e.rollover)
            array.shape = [array.storage.count]
            data.entries[i].value = .ndarray(array)
        }
        e.model.attributes[index].value = .map(data)
        return true
    }

    private func columnData(of model: Model, _ attribute: String) throws(DocumentError) -> ValueMap {
        switch model[attribute] {
        case .map(let map): return map
        case nil: return ValueMap()
        case .dictionary(let members): return ValueMap(members.map { (key: .string($0.key), value: $0.value) })
        default: throw .notApplicable("\(model).\(attribute) is not column data")
        }
    }

    /// Recomputes the reachable models from config, roots and callbacks; attaches new ones and detaches
    /// (and un-syncs) those no longer reachable.
    func recomputeModels() {
        var reachable: [String: Model] = [:]
        var stack: [Model] = [config] + roots
        jsEventCallbacks?.forEachModel { stack.append($0) }
        while let model = stack.popLast() {
            guard reachable[model.id] == nil else { continue }
            reachable[model.id] = model
            for attribute in model.attributes { attribute.value.forEachModel { stack.append($0) } }
        }
        for (id, model) in modelsByID where reachable[id] !== model {
            if model.document === self {
                model.document = nil
                if !model.themedAttributes.isEmpty { _ = model.applyTheme(nil) }
            }
            synced.remove(id)
        }
        for (id, model) in reachable {
            // A model joining the document takes its theme (Python's `_attach_document`).
            if modelsByID[id] !== model, let currentTheme { _ = model.applyTheme(currentTheme) }
            model.document = self
            everSeen.insert(id)
        }
        modelsByID = reachable
    }
}

@available(*, unavailable)
extension Document: Sendable {}

/// The state a set of events can change, for restoring the document when applying them fails.
struct Snapshot {
    let roots: [Model]
    let title: String
    let attributes: [(Model, [(name: String, value: Value)])]

    init(_ document: Document, touching events: [DocumentEvent]) {
        roots = document.roots
        title = document.title
        var seen: Set<ObjectIdentifier> = []
        var saved: [(Model, [(name: String, value: Value)])] = []
        for event in events {
            if let model = event.model, seen.insert(ObjectIdentifier(model)).inserted {
                saved.append((model, model.attributes))
            }
        }
        attributes = saved
    }

    func restore(into document: Document) {
        for (model, attributes) in self.attributes { model.attributes = attributes }
        document.restore(roots: roots, title: title)
    }
}

extension Document {
    fileprivate func restore(roots: [Model], title: String) {
        self.roots = roots
        self.storedTitle = title
        recomputeModels()
    }
}
