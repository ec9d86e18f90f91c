/// An attribute of a model changed (`ModelChanged`).
public struct ModelChangedEvent {
    public var model: Model
    public var attribute: String
    /// The previous value, when known (`nil` for events received from a peer before application).
    public var old: Value?
    public var new: Value
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    private var hintBox: HintBox?

    public init(
        model: Model, attribute: String, old: Value? = nil, new: Value, setter: Setter? = nil,
        hint: DocumentEvent? = nil
    ) {
        self.model = model
        self.attribute = attribute
        self.old = old
        self.new = new
        self.setter = setter
        self.hint = hint
    }

    /// A more precise description of the change (Bokeh's `hint`): a ``ColumnsStreamedEvent``,
    /// ``ColumnsPatchedEvent`` or ``ColumnDataChangedEvent`` of the same model and attribute. When set, the
    /// event is sent to peers as its hint instead of as a whole new value, as Bokeh's `to_serializable` does.
    public var hint: DocumentEvent? {
        get { hintBox?.event }
        set { hintBox = newValue.map(HintBox.init) }
    }

    /// The new value as a PATCH-DOC writes it (Bokeh's `serializable_new`): models the document holds are
    /// references, others are written in full, bytes inline.
    public var serializableNew: JSONValue {
        var serializer = Serializer(known: Set(document?.models.keys ?? [:].keys), bytesMode: .inline)
        return serializer.encode(new)
    }

    private final class HintBox {
        let event: DocumentEvent
        init(_ event: DocumentEvent) { self.event = event }
    }
}

/// Columns of a data source were replaced (`ColumnDataChanged`). `columns == nil` means all of them.
public struct ColumnDataChangedEvent {
    public var model: Model
    public var attribute: String
    /// The new contents of the changed columns.
    public var data: ValueMap
    public var columns: [String]?
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?

    public init(
        model: Model, attribute: String = "data", data: ValueMap, columns: [String]? = nil, setter: Setter? = nil
    ) {
        self.model = model
        self.attribute = attribute
        self.data = data
        self.columns = columns
        self.setter = setter
    }
}

/// Rows were appended to a data source's columns (`ColumnsStreamed`); with `rollover`, only the
/// last `rollover` rows are kept.
public struct ColumnsStreamedEvent {
    public var model: Model
    public var attribute: String
    public var data: ValueMap
    public var rollover: Int?
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?

    public init(model: Model, attribute: String = "data", data: ValueMap, rollover: Int? = nil, setter: Setter? = nil) {
        self.model = model
        self.attribute = attribute
        self.data = data
        self.rollover = rollover
        self.setter = setter
    }
}

/// Where a patch writes: one element, a slice, or per-dimension selectors for n-d columns.
public enum PatchIndex: Equatable {
    case index(Int)
    case slice(Slice)
    /// `[i, j, …]`: the first selector picks a row of the column, the rest index inside it.
    case multi([PatchIndex])
}

/// Elements of a data source's columns were replaced in place (`ColumnsPatched`).
public struct ColumnsPatchedEvent {
    public var model: Model
    public var attribute: String
    /// Per column, the patches in order.
    public var patches: [(column: String, patches: [(index: PatchIndex, value: Value)])]
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?

    public init(
        model: Model, attribute: String = "data",
        patches: [(column: String, patches: [(index: PatchIndex, value: Value)])], setter: Setter? = nil
    ) {
        self.model = model
        self.attribute = attribute
        self.patches = patches
        self.setter = setter
    }
}

/// A root was added (`RootAdded`).
public struct RootAddedEvent {
    public var model: Model
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    public init(model: Model, setter: Setter? = nil) {
        self.model = model
        self.setter = setter
    }
}

/// A root was removed (`RootRemoved`).
public struct RootRemovedEvent {
    public var model: Model
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    public init(model: Model, setter: Setter? = nil) {
        self.model = model
        self.setter = setter
    }
}

/// The document title changed (`TitleChanged`).
public struct TitleChangedEvent {
    public var title: String
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    public init(title: String, setter: Setter? = nil) {
        self.title = title
        self.setter = setter
    }
}

/// A message for document-level handlers (`MessageSent`); `msg_type` `"bokeh_event"` carries UI
/// events such as button clicks.
public struct MessageSentEvent {
    public var messageType: String
    public var data: Value
    public var setter: Setter?
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    public init(messageType: String, data: Value, setter: Setter? = nil) {
        self.messageType = messageType
        self.data = data
        self.setter = setter
    }

    /// The UI event carried by a `bokeh_event` message, if any.
    public var uiEvent: UIEvent? {
        guard messageType == "bokeh_event", case .event(let name, let values) = data else { return nil }
        return UIEvent(name: name, values: values)
    }
}

/// A UI event from the browser (`{"type":"event","name":…,"values":…}`), e.g. `button_click`.
public struct UIEvent {
    public var name: String
    public var values: Value

    public init(name: String, values: Value) {
        self.name = name
        self.values = values
    }

    /// The model the event is about (the `model` value), if any.
    public var model: Model? { member("model")?.modelValue }
}

/// Any change to a document.
public enum DocumentEvent {
    case modelChanged(ModelChangedEvent)
    case columnDataChanged(ColumnDataChangedEvent)
    case columnsStreamed(ColumnsStreamedEvent)
    case columnsPatched(ColumnsPatchedEvent)
    case rootAdded(RootAddedEvent)
    case rootRemoved(RootRemovedEvent)
    case titleChanged(TitleChangedEvent)
    case messageSent(MessageSentEvent)
    /// A session callback was added (Bokeh's `SessionCallbackAdded`). Not a patch: never sent to peers.
    case sessionCallbackAdded(SessionCallbackAddedEvent)
    /// A session callback was removed, or a one-shot one is about to run (Bokeh's `SessionCallbackRemoved`).
    /// Not a patch: never sent to peers.
    case sessionCallbackRemoved(SessionCallbackRemovedEvent)

    /// Who made the change; `nil` for changes made by local code (callbacks, the application).
    public var setter: Setter? {
        switch self {
        case .modelChanged(let e): e.setter
        case .columnDataChanged(let e): e.setter
        case .columnsStreamed(let e): e.setter
        case .columnsPatched(let e): e.setter
        case .rootAdded(let e): e.setter
        case .rootRemoved(let e): e.setter
        case .titleChanged(let e): e.setter
        case .messageSent(let e): e.setter
        case .sessionCallbackAdded, .sessionCallbackRemoved: nil
        }
    }

    /// The document the event happened in: set when a document delivers the event to its callbacks.
    public var document: Document? {
        switch self {
        case .modelChanged(let e): e.document
        case .columnDataChanged(let e): e.document
        case .columnsStreamed(let e): e.document
        case .columnsPatched(let e): e.document
        case .rootAdded(let e): e.document
        case .rootRemoved(let e): e.document
        case .titleChanged(let e): e.document
        case .messageSent(let e): e.document
        case .sessionCallbackAdded(let e): e.document
        case .sessionCallbackRemoved(let e): e.document
        }
    }

    /// Whether the event changes the document's content and so goes to peers in a PATCH-DOC (Bokeh's
    /// `DocumentPatchedEvent`). Session callback events are not patches.
    public var isPatchEvent: Bool {
        switch self {
        case .sessionCallbackAdded, .sessionCallbackRemoved: false
        default: true
        }
    }

    /// The PATCH-DOC `kind`.
    public var kind: String {
        switch self {
        case .modelChanged: "ModelChanged"
        case .columnDataChanged: "ColumnDataChanged"
        case .columnsStreamed: "ColumnsStreamed"
        case .columnsPatched: "ColumnsPatched"
        case .rootAdded: "RootAdded"
        case .rootRemoved: "RootRemoved"
        case .titleChanged: "TitleChanged"
        case .messageSent: "MessageSent"
        case .sessionCallbackAdded: "SessionCallbackAdded"
        case .sessionCallbackRemoved: "SessionCallbackRemoved"
        }
    }

    /// The model whose attribute the event changes, for model-level events.
    public var model: Model? {
        switch self {
        case .modelChanged(let e): e.model
        case .columnDataChanged(let e): e.model
        case .columnsStreamed(let e): e.model
        case .columnsPatched(let e): e.model
        case .rootAdded(let e): e.model
        case .rootRemoved(let e): e.model
        case .titleChanged, .messageSent, .sessionCallbackAdded, .sessionCallbackRemoved: nil
        }
    }

    func withSetter(_ setter: Setter?) -> DocumentEvent {
        switch self {
        case .modelChanged(var e): e.setter = setter; return .modelChanged(e)
        case .columnDataChanged(var e): e.setter = setter; return .columnDataChanged(e)
        case .columnsStreamed(var e): e.setter = setter; return .columnsStreamed(e)
        case .columnsPatched(var e): e.setter = setter; return .columnsPatched(e)
        case .rootAdded(var e): e.setter = setter; return .rootAdded(e)
        case .rootRemoved(var e): e.setter = setter; return .rootRemoved(e)
        case .titleChanged(var e): e.setter = setter; return .titleChanged(e)
        case .messageSent(var e): e.setter = setter; return .messageSent(e)
        case .sessionCallbackAdded, .sessionCallbackRemoved: return self
        }
    }

    func withDocument(_ document: Document) -> DocumentEvent {
        switch self {
        case .modelChanged(var e): e.document = document; return .modelChanged(e)
        case .columnDataChanged(var e): e.document = document; return .columnDataChanged(e)
        case .columnsStreamed(var e): e.document = document; return .columnsStreamed(e)
        case .columnsPatched(var e): e.document = document; return .columnsPatched(e)
        case .rootAdded(var e): e.document = document; return .rootAdded(e)
        case .rootRemoved(var e): e.document = document; return .rootRemoved(e)
        case .titleChanged(var e): e.document = document; return .titleChanged(e)
        case .messageSent(var e): e.document = document; return .messageSent(e)
        case .sessionCallbackAdded(var e): e.document = document; return .sessionCallbackAdded(e)
        case .sessionCallbackRemoved(var e): e.document = document; return .sessionCallbackRemoved(e)
        }
    }
}
