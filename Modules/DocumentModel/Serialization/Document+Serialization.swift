extension Document {
    /// The document as the `doc` value of PULL-DOC-REPLY / PUSH-DOC: every model in full, plus the
    /// buffers referenced from it. Marks every model synced (the peer now has them all).
    public func toJSON(bytesMode: Serializer.BytesMode = .buffers) -> (json: JSONValue, buffers: [Buffer]) {
        let result = encodedJSON(bytesMode: bytesMode)
        markAllSynced()
        return result
    }

    /// The document JSON without touching what the peer is known to have (standalone output).
    func encodedJSON(bytesMode: Serializer.BytesMode) -> (json: JSONValue, buffers: [Buffer]) {
        var serializer = Serializer(bytesMode: bytesMode)
        var object: JSONObject = ["version": .string(Self.bokehVersion), "title": .string(title)]
        object["config"] = serializer.encodeModel(config)
        object["roots"] = .array(roots.map { serializer.encodeModel($0) })
        if let definitions { object["defs"] = definitions }
        if let jsEventCallbacks { object["callbacks"] = serializer.encode(jsEventCallbacks) }
        return (.object(object), serializer.buffers)
    }

    /// A document from its JSON (`doc` of PULL-DOC-REPLY / PUSH-DOC) and the buffers that came with it.
    /// Every model is marked synced: the sender has them all.
    public convenience init(fromJSON json: JSONValue, buffers: [Buffer] = [], limits: DeserializerLimits = .default)
        throws(DocumentError)
    {
        let parts = try DocumentParts(json, buffers: buffers, limits: limits)
        try parts.checkNesting(limits)
        self.init(
            title: parts.title, config: parts.config ?? Document.makeConfig(), roots: parts.roots,
            callbacks: parts.callbacks, definitions: parts.definitions)
        markAllSynced()
    }

    /// Replaces the roots, title and config with those of another document's JSON, as Python's
    /// `replace_with_json` does for PUSH-DOC: `RootRemoved` for every current root, `RootAdded` for every
    /// new one, then `TitleChanged`. Decoding happens first, so malformed JSON leaves the document as it
    /// was. Callbacks stay registered; the received models are marked synced.
    public func replace(
        withJSON json: JSONValue, buffers: [Buffer] = [], setter: Setter? = nil,
        limits: DeserializerLimits = .default
    ) throws(DocumentError) {
        let parts = try DocumentParts(json, buffers: buffers, limits: limits)
        try parts.checkNesting(limits)
        clear(setter: setter)
        if let config = parts.config {
            self.config = config
            recomputeModels()
        }
        definitions = parts.definitions
        for root in parts.roots { addRoot(root, setter: setter) }
        setTitle(parts.title, setter: setter)
        markAllSynced()
    }

    /// A document from the UTF-8 text of its JSON.
    public convenience init(
        fromJSONText text: some Collection<UInt8>, buffers: [Buffer] = [], jsonLimits: JSONReaderLimits = .default,
        limits: DeserializerLimits = .default
    ) throws(DocumentError) {
        let json: JSONValue
        do { json = try JSONReader.parse(text, limits: jsonLimits) } catch { throw .json(error) }
        try self.init(fromJSON: json, buffers: buffers, limits: limits)
    }

    /// PATCH-DOC content (`{"events":[…]}`) for `events`, plus buffers. Synced models appear as bare
    /// references; models the peer hasn't seen are written in full and then marked synced.
    public func patchContent(for events: [DocumentEvent]) -> (json: JSONValue, buffers: [Buffer]) {
        var serializer = Serializer(known: synced)
        let encoded = events.filter(\.isPatchEvent).map { $0.encode(with: &serializer) }
        markSynced(serializer.emittedModels)
        return (.object(["events": .array(encoded)]), serializer.buffers)
    }

    /// The outcome of ``applyPatch(_:buffers:setter:)``.
    public enum PatchOutcome {
        /// Every event was applied, in order; these are the events as delivered to callbacks (events
        /// that changed nothing, such as setting an attribute to its current value, are left out).
        case applied([DocumentEvent])
        /// The patch referred to a model that was removed from this document earlier, so it was dropped
        /// whole (a harmless race, as in Python Bokeh).
        case ignoredStaleReference(String)
    }

    /// Applies PATCH-DOC content from a peer, atomically: every event is decoded first (unknown
    /// references, malformed values and missing buffers fail before anything changes), then applied;
    /// if applying any event fails, the document is restored and the error thrown. Callbacks run only
    /// after the whole patch applied, with events carrying `setter`. Received models are marked synced.
    @discardableResult
    public func applyPatch(
        _ content: JSONValue, buffers: [Buffer] = [], setter: Setter?, limits: DeserializerLimits = .default
    )
        throws(DocumentError) -> PatchOutcome
    {
        guard case .object(let object) = content, case .array(let items) = object["events"] else {
            throw .malformed("PATCH-DOC content", expected: "an object with an 'events' list")
        }
        var deserializer = Deserializer(references: modelsByID, buffers: buffers, limits: limits)
        var decoded: [DocumentEvent] = []
        do {
            for item in items { decoded.append(try DocumentEvent.decode(item, with: &deserializer).withSetter(setter)) }
        } catch {
            if let id = error.referenceID, everSeen.contains(id) { return .ignoredStaleReference(id) }
            throw error
        }
        let snapshot = Snapshot(self, touching: decoded)
        var performed: [DocumentEvent] = []
        do {
            for event in decoded { if let done = try perform(event) { performed.append(done) } }
            if !deserializer.newModels.isEmpty || decoded.contains(where: \.addsModels) {
                try checkModelNesting(limit: limits.maxModelNesting)
            }
        } catch {
            snapshot.restore(into: self)
            throw error
        }
        markSynced(deserializer.newModels)
        for event in decoded { if let model = event.model { markSynced([model]) } }
        for event in performed { notify(event) }
        return .applied(performed)
    }
}

extension Document {
    /// Throws when the document's models nest deeper than `limit`.
    func checkModelNesting(limit: Int) throws(DocumentError) {
        var starts = [config] + roots
        jsEventCallbacks?.forEachModel { starts.append($0) }
        if ModelGraph.nesting(from: starts, limit: limit) > limit { throw .modelsTooDeeplyNested(limit: limit) }
    }
}

extension DocumentEvent {
    /// Whether applying the event can link models in new ways (a model-valued attribute or column).
    var addsModels: Bool {
        switch self {
        case .modelChanged(let e): e.new.containsModels
        case .columnDataChanged(let e): e.data.entries.contains { $0.value.containsModels }
        case .columnsStreamed(let e): e.data.entries.contains { $0.value.containsModels }
        case .columnsPatched(let e): e.patches.contains { $0.patches.contains { $0.value.containsModels } }
        case .rootAdded: true
        default: false
        }
    }
}

/// The pieces of document JSON, decoded but not yet attached to any document.
struct DocumentParts {
    func checkNesting(_ limits: DeserializerLimits) throws(DocumentError) {
        var starts = roots
        if let config { starts.append(config) }
        callbacks?.forEachModel { starts.append($0) }
        if ModelGraph.nesting(from: starts, limit: limits.maxModelNesting) > limits.maxModelNesting {
            throw .modelsTooDeeplyNested(limit: limits.maxModelNesting)
        }
    }

    var title: String
    var config: Model?
    var roots: [Model] = []
    var callbacks: Value?
    var definitions: JSONValue?

    init(_ json: JSONValue, buffers: [Buffer], limits: DeserializerLimits) throws(DocumentError) {
        guard case .object(let object) = json else { throw .malformed("document", expected: "an object") }
        var deserializer = Deserializer(buffers: buffers, limits: limits)
        switch object["title"] {
        case nil: title = Document.defaultTitle
        case .string(let t): title = t
        default: throw .malformed("document", expected: "a string 'title'")
        }
        if let configJSON = object["config"], !configJSON.isNull {
            guard case .model(let m) = try deserializer.decode(configJSON) else {
                throw .malformed("document config", expected: "a model")
            }
            config = m
        }
        switch object["roots"] {
        case nil: break
        case .array(let items):
            for item in items {
                guard case .model(let m) = try deserializer.decode(item) else {
                    throw .malformed("document roots", expected: "models")
                }
                if !roots.contains(where: { $0 === m }) { roots.append(m) }
            }
        default: throw .malformed("document", expected: "a 'roots' list")
        }
        if let callbacksJSON = object["callbacks"] { callbacks = try deserializer.decode(callbacksJSON) }
        definitions = object["defs"]
    }
}
