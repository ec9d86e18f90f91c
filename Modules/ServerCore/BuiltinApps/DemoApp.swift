import DocumentModel

extension Application {
    /// The browser harness's demo application: a scatter plot, a slider, a button and a status `Div`
    /// (see the shared `demo_app.md`). Slider changes set `status.text = "slider=<v>"`; each button click
    /// counts, sets `status.text = "clicks=<n>"` and streams the point `(5 + n, 1 + 3n mod 10)`.
    public static func demo() -> Application {
        Application { document, context in
            let source = Model(
                "ColumnDataSource",
                [
                    "name": .string("source"),
                    "selected": .model(Model("Selection", ["indices": .list([]), "line_indices": .list([])])),
                    "selection_policy": .model(Model("UnionRenderers")),
                    "data": .map([
                        "x": .list([1, 2, 3, 4, 5].map { .int($0) }), "y": .list([6, 7, 2, 4, 5].map { .int($0) }),
                    ]),
                ])
            let plot = DemoFigure.make(source: source)
            let slider = Model(
                "Slider",
                [
                    "name": .string("slider"), "start": .int(0), "end": .int(10), "value": .int(1), "step": .int(1),
                    "title": .string("Value"),
                ])
            let button = Model(
                "Button", ["name": .string("button"), "label": .string("Add point"), "button_type": .string("success")])
            let status = Model("Div", ["name": .string("status"), "text": .string("ready")])
            let layout = Model(
                "Column",
                [
                    "name": .string("layout"),
                    "children": .list([.model(plot), .model(slider), .model(button), .model(status)]),
                ])
            document.addRoot(layout)
            document.setTitle("Bokeh browser harness demo")

            context.onChange(of: slider, attribute: "value") { _, _, new in
                status.set("text", .string("slider=" + formatNumber(new)))
            }
            var clicks = 0
            context.onEvent("button_click", of: button) { _ in
                clicks += 1
                let n = clicks
                status.set("text", .string("clicks=\(n)"))
                try document.stream(to: source, ["x": .list([.int(5 + n)]), "y": .list([.int(1 + (3 * n) % 10)])])
            }
        }
    }
}

/// An integral number without a fraction (`7`), otherwise the shortest decimal form (`7.5`).
func formatNumber(_ value: Value) -> String {
    switch value {
    case .int(let i): return String(i)
    case .float(let d):
        // trap-safe: finite, integral, below 1e18
        if d.isFinite, d == d.rounded(), abs(d) < 1e18 { return String(Int(d)) }
        return "\(d)"
    default: return "\(value)"
    }
}

/// The models `bokeh.plotting.figure(...)` plus one `scatter` call create.
enum DemoFigure {
    static func make(source: Model, title: String = "demo") -> Model {
        func value(_ v: Value) -> Value { .spec(DataSpec(.value(v))) }
        let glyph = Model(
            "Scatter",
            [
                "x": .spec(DataSpec(.field("x"))), "y": .spec(DataSpec(.field("y"))), "size": value(.int(14)),
                "line_color": value(.string("navy")), "line_alpha": value(.float(0.7)),
                "fill_color": value(.string("navy")), "fill_alpha": value(.float(0.7)),
                "hatch_color": value(.string("navy")), "hatch_alpha": value(.float(0.7)),
            ])
        let renderer = Model(
            "GlyphRenderer",
            [
                "name": .string("points"), "data_source": .model(source),
                "view": .model(Model("CDSView", ["filter": .model(Model("AllIndices"))])), "glyph": .model(glyph),
            ])
        let xTicker = Model("BasicTicker", ["mantissas": .list([.int(1), .int(2), .int(5)])])
        let yTicker = Model("BasicTicker", ["mantissas": .list([.int(1), .int(2), .int(5)])])
        func axis(_ ticker: Model) -> Model {
            Model(
                "LinearAxis",
                [
                    "ticker": .model(ticker), "formatter": .model(Model("BasicTickFormatter")),
                    "major_label_policy": .model(Model("AllLabels")),
                ])
        }
        let tools: [Model] = [
            Model("PanTool"), Model("WheelZoomTool", ["renderers": .string("auto")]), Model("ResetTool"),
        ]
        return Model(
            "Figure",
            [
                "name": .string("plot"), "width": .int(500), "height": .int(350),
                "x_range": .model(Model("Range1d", ["end": .int(12)])),
                "y_range": .model(Model("Range1d", ["end": .int(12)])),
                "x_scale": .model(Model("LinearScale")), "y_scale": .model(Model("LinearScale")),
                "title": .model(Model("Title", ["text": .string(title)])),
                "renderers": .list([.model(renderer)]),
                "toolbar": .model(Model("Toolbar", ["tools": .list(tools.map { .model($0) })])),
                "left": .list([.model(axis(yTicker))]),
                "below": .list([.model(axis(xTicker))]),
                "center": .list([
                    .model(Model("Grid", ["axis": .null, "ticker": .model(xTicker)])),
                    .model(Model("Grid", ["dimension": .int(1), "ticker": .model(yTicker)])),
                ]),
            ])
    }
}
