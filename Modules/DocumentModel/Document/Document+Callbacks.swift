/// How held changes are delivered by ``Document/unhold()``.
public enum HoldPolicy: Sendable, Hashable {
    /// Later changes of the same model attribute replace earlier held ones (Bokeh's `"combine"`).
    case combine
    /// Every held event is delivered in order (Bokeh's `"collect"`).
    case collect
}

/// Identifies a registered callback, for removing it.
public struct CallbackToken: Hashable, Sendable {
    let rawValue: UInt64
}

struct CallbackRegistry {
    typealias ChangeCallback = (DocumentEvent) -> Void
    /// `old` is `.some(nil)` when the attribute was unset, `nil` when the document keeps no old value
    /// (streamed, patched or column-data-changed columns).
    typealias PropertyCallback = (_ attribute: String, _ old: Value??, _ new: Value) -> Void
    typealias EventCallback = (UIEvent) -> Void

    var nextToken: UInt64 = 1
    var change: [(CallbackToken, ChangeCallback)] = []
    var property: [(CallbackToken, modelID: String, attribute: String, PropertyCallback)] = []
    var uiEvent: [(CallbackToken, name: String, modelID: String?, EventCallback)] = []

    mutating func token() -> CallbackToken {
        defer { nextToken += 1 }
        return CallbackToken(rawValue: nextToken)
    }
}

extension Document {
    /// Calls `callback` for every change of the document, local or applied from a peer. This is what a
    /// server uses to forward changes, skipping the connection whose setter made them.
    @discardableResult
    public func onChange(_ callback: @escaping (DocumentEvent) -> Void) -> CallbackToken {
        let token = callbacks.token()
        callbacks.change.append((token, callback))
        return token
    }

    /// Calls `callback` when `attribute` of `model` changes (Bokeh's `model.on_change(attr, cb)`).
    /// Column data events (stream, patch, column data changes) report the whole new column data.
    @discardableResult
    public func onChange(
        of model: Model, attribute: String,
        _ callback: @escaping (_ attribute: String, _ old: Value?, _ new: Value) -> Void
    ) -> CallbackToken {
        let token = callbacks.token()
        callbacks.property.append((token, modelID: model.id, attribute: attribute, { callback($0, $1 ?? nil, $2) }))
        return token
    }

    /// Calls `callback` with the typed old and new values of a property when it changes:
    /// `document.onChange(of: slider, \.value) { old, new in … }` (Bokeh's `slider.on_change("value", cb)`).
    /// Both read as the property reads (an unset property reads its default). `old` is `nil` only for
    /// column data that was streamed or patched, as the document keeps no copy of the columns before.
    /// A key path that reads several attributes calls `callback` when any of them changes; one that reads
    /// none (`\.id`) never calls it.
    @discardableResult
    public func onChange<M: Model, T>(
        of model: M, _ keyPath: KeyPath<M, T>, _ callback: @escaping (_ old: T?, _ new: T) -> Void
    ) -> CallbackToken {
        let token = callbacks.token()
        for name in model.attributeNames(readBy: keyPath) {
            callbacks.property.append(
                (
                    token, modelID: model.id, attribute: name,
                    { [weak model] attribute, old, _ in
                        guard let model else { return }
                        let previous = old.flatMap { model.value(of: keyPath, whenAttribute: attribute, was: $0) }
                        callback(previous, model[keyPath: keyPath])
                    }
                ))
        }
        return token
    }

    /// Calls `callback` for UI events named `name` (`"button_click"`), optionally only those about `model`
    /// (Bokeh's `model.on_event(name, cb)`).
    @discardableResult
    public func onEvent(_ name: String, of model: Model? = nil, _ callback: @escaping (UIEvent) -> Void)
        -> CallbackToken
    {
        let token = callbacks.token()
        callbacks.uiEvent.append((token, name: name, modelID: model?.id, callback))
        return token
    }

    public func removeCallback(_ token: CallbackToken) {
        callbacks.change.removeAll { $0.0 == token }
        callbacks.property.removeAll { $0.0 == token }
        callbacks.uiEvent.removeAll { $0.0 == token }
    }

    // MARK: Holding

    /// Starts holding change notifications until ``unhold()``. Holding again keeps the first policy.
    public func hold(_ policy: HoldPolicy = .combine) {
        if holdPolicy == nil { holdPolicy = policy }
    }

    /// Whether changes are currently held.
    public var isHolding: Bool { holdPolicy != nil }

    /// Stops holding and delivers the held events.
    public func unhold() {
        guard holdPolicy != nil else { return }
        holdPolicy = nil
        let events = heldEvents
        heldEvents = []
        for event in events { dispatch(event) }
    }

    // MARK: Delivery

    func notify(_ event: DocumentEvent) {
        let event = event.withDocument(self)
        // Session callback events are delivered whatever the hold: they start and stop timers, which a hold
        // must not delay (Bokeh holds them too, so a callback added while holding waits for the unhold).
        guard let policy = holdPolicy, event.isPatchEvent else {
            dispatch(event)
            return
        }
        if policy == .combine, case .modelChanged(let new) = event,
            let index = heldEvents.firstIndex(where: {
                if case .modelChanged(let held) = $0 {
                    held.model === new.model && held.attribute == new.attribute && held.setter == new.setter
                } else {
                    false
                }
            }), case .modelChanged(var held) = heldEvents[index]
        {
            held.new = new.new
            heldEvents[index] = .modelChanged(held)
            return
        }
        heldEvents.append(event)
    }

    /// Calls the ``onEvent(_:of:_:)`` callbacks for a UI event raised on the server side (Bokeh's
    /// `doc.callbacks.trigger_event`, as its server does with `ConnectionLost`). Nothing is sent to peers.
    public func triggerEvent(_ event: UIEvent) {
        let modelID = event.model?.id
        for entry in callbacks.uiEvent
        where entry.name == event.name && (entry.modelID == nil || entry.modelID == modelID) {
            entry.3(event)
        }
    }

    private func dispatch(_ event: DocumentEvent) {
        for (_, callback) in callbacks.change { callback(event) }
        switch event {
        case .modelChanged(let e): firePropertyCallbacks(e.model, e.attribute, old: .some(e.old), new: e.new)
        case .columnDataChanged(let e):
            firePropertyCallbacks(e.model, e.attribute, old: nil, new: e.model[e.attribute] ?? .null)
        case .columnsStreamed(let e):
            firePropertyCallbacks(e.model, e.attribute, old: nil, new: e.model[e.attribute] ?? .null)
        case .columnsPatched(let e):
            firePropertyCallbacks(e.model, e.attribute, old: nil, new: e.model[e.attribute] ?? .null)
        case .messageSent(let e):
            guard let ui = e.uiEvent else { return }
            triggerEvent(ui)
        case .rootAdded, .rootRemoved, .titleChanged, .sessionCallbackAdded, .sessionCallbackRemoved: break
        }
    }

    private func firePropertyCallbacks(_ model: Model, _ attribute: String, old: Value??, new: Value) {
        for entry in callbacks.property where entry.modelID == model.id && entry.attribute == attribute {
            entry.3(attribute, old, new)
        }
    }
}
