/// A UI event with typed values, decoded from a ``UIEvent`` (Python's `bokeh.events` classes).
public protocol BokehEvent {
    /// The typed event, or `nil` if `event` lacks a value the type needs.
    init?(_ event: UIEvent)
}

/// `button_click`: a ``Button`` was pressed.
public struct ButtonClickEvent: BokehEvent {
    public let model: Model?
    public init?(_ event: UIEvent) { model = event.model }
}

/// `menu_item_click`: an item of a ``Dropdown`` menu was chosen.
public struct MenuItemClickEvent: BokehEvent {
    public let model: Model?
    public let item: String?
    public init?(_ event: UIEvent) {
        model = event.model
        item = event.member("item")?.stringValue
    }
}

/// `value_submit`: Enter was pressed in a ``TextInput``.
public struct ValueSubmitEvent: BokehEvent {
    public let model: Model?
    public let value: String
    public init?(_ event: UIEvent) {
        guard let value = event.member("value")?.stringValue else { return nil }
        model = event.model
        self.value = value
    }
}

/// A pointer event on a plot (`tap`, `doubletap`, `press`, `mousemove`, `pan`, `pinch`, `wheel`, …):
/// screen (`sx`, `sy`) and data (`x`, `y`) coordinates, plus the gesture's amounts when it has them.
public struct PointEvent: BokehEvent {
    public let model: Model?
    public let sx: Double
    public let sy: Double
    public let x: Double
    public let y: Double
    /// `pan`: movement; `wheel`: `delta`; `pinch`: `scale`.
    public let deltaX: Double?
    public let deltaY: Double?
    public let delta: Double?
    public let scale: Double?

    public init?(_ event: UIEvent) {
        guard let sx = event.number("sx"), let sy = event.number("sy"), let x = event.number("x"),
            let y = event.number("y")
        else { return nil }
        model = event.model
        (self.sx, self.sy, self.x, self.y) = (sx, sy, x, y)
        deltaX = event.number("delta_x")
        deltaY = event.number("delta_y")
        delta = event.number("delta")
        scale = event.number("scale")
    }
}

/// `rangesupdate`: a plot's ranges changed.
public struct RangesUpdateEvent: BokehEvent {
    public let model: Model?
    public let x0: Double?
    public let x1: Double?
    public let y0: Double?
    public let y1: Double?

    public init?(_ event: UIEvent) {
        model = event.model
        (x0, x1) = (event.number("x0"), event.number("x1"))
        (y0, y1) = (event.number("y0"), event.number("y1"))
    }
}

extension Document {
    /// Calls `callback` with the typed event for UI events of `kind` (optionally only those about `model`);
    /// events that don't decode as `E` are skipped.
    @discardableResult
    public func onEvent<E: BokehEvent>(
        _ kind: EventKind, of model: Model? = nil, as type: E.Type, _ callback: @escaping (E) -> Void
    ) -> CallbackToken {
        onEvent(kind.rawValue, of: model) { event in
            if let typed = E(event) { callback(typed) }
        }
    }
}

/// An event that carries only the model it is about: `reset` (a plot's ranges were reset),
/// `document_ready` (BokehJS finished rendering the document; no model), `mouseenter`/`mouseleave`,
/// `lodstart`/`lodend`, `panstart`/`panend` and the other gesture boundaries.
public struct ModelEvent: BokehEvent {
    public let model: Model?
    public init?(_ event: UIEvent) { model = event.model }
}

/// `selectiongeometry`: a selection tool selected a region. `geometry` is Bokeh's geometry object
/// (`type` is `"rect"`, `"poly"`, `"point"` or `"span"`, with data coordinates `x0`, `x1`, `y0`, `y1` or
/// `x`, `y` lists as the type has them); `final` is false while the selection is still being drawn.
public struct SelectionGeometryEvent: BokehEvent {
    public let model: Model?
    public let geometry: ValueMap
    public let final: Bool

    public init?(_ event: UIEvent) {
        guard let geometry = event.member("geometry").flatMap(ValueMap.fromBokeh) else { return nil }
        model = event.model
        self.geometry = geometry
        final = event.member("final")?.boolValue ?? true
    }

    /// The geometry's type (`"rect"`, `"poly"`, …).
    public var type: String? { geometry["type"]?.stringValue }
    /// A number of the geometry (`"x0"`, `"y1"`, `"x"` for a point).
    public func number(_ key: String) -> Double? { geometry[key]?.doubleValue }
}

/// `legend_item_click`: an item of an interactive legend was clicked.
public struct LegendItemClickEvent: BokehEvent {
    public let model: Model?
    public let item: Model?
    public init?(_ event: UIEvent) {
        model = event.model
        item = event.member("item")?.modelValue
    }
}

/// `axis_click`: an axis was clicked at `value` (data units).
public struct AxisClickEvent: BokehEvent {
    public let model: Model?
    public let value: Double?
    public init?(_ event: UIEvent) {
        model = event.model
        value = event.number("value")
    }
}
