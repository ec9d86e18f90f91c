import DocumentModel
import Foundation
import TestSupport
import Testing

/// Multiset of (type name, sorted attribute names) of every full model object in document JSON.
private func shape(_ json: JSONValue) -> [String] {
    var found: [String] = []
    func walk(_ value: JSONValue) {
        switch value {
        case .array(let items): items.forEach(walk)
        case .object(let object):
            if object["type"] == "object", object["id"] != nil, let name = object["name"]?.stringValue {
                let names = object["attributes"]?.objectValue?.keys.sorted() ?? []
                found.append(name + "(" + names.joined(separator: ",") + ")")
            }
            object.members.forEach { walk($0.value) }
        default: break
        }
    }
    walk(json["roots"] ?? .null)
    return found.sorted()
}

@Suite struct PlottingTests {
    @Test func figureAndScatterMatchPythonStructure() throws {
        let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]])
        let plot = figure(title: "scatter", width: 300, height: 200)
        plot.scatter(x: "x", y: "y", source: source, size: 10, color: "navy")
        let document = Document(title: "Scatter")
        document.addRoot(plot)
        let ours = document.toJSON().json
        let reference = try JSONReader.parse(try Fixtures.vector("doc_scatter.json"))
        let python = try #require(reference["doc_json"])
        #expect(shape(ours) == shape(python))
    }

    @Test func glyphVariantsFollowPython() throws {
        let plot = figure()
        let source = ColumnDataSource(columns: ["x": [1.0], "y": [2.0]])
        let renderer = plot.line(x: "x", y: "y", source: source, color: "red")
        let line = try #require(renderer.glyph as? Line)
        #expect(line.lineColor == .css("red"))
        guard case .b(let muted)? = renderer.mutedGlyph, let mutedLine = muted as? Line else {
            Issue.record("muted glyph missing")
            return
        }
        #expect(mutedLine.lineAlpha == 0.2)
        #expect(mutedLine !== line)
        #expect(plot.validate().isEmpty && line.validate().isEmpty && mutedLine.validate().isEmpty)
    }

    @Test func categoricalRangeSwitchesAxisAndScale() throws {
        let plot = figure(xRange: FactorRange(factors: ["a", "b"]))
        #expect(plot.xScale is CategoricalScale)
        let axis = try #require(plot.axes(dimension: 0).first)
        #expect(axis is CategoricalAxis)
        let grids = plot.center.compactMap { if case .a(let r) = $0 { r as? Grid } else { nil } }
        #expect(grids.contains { $0.axis === axis })
    }

    @Test func layoutsAndWidgets() throws {
        let slider = Slider(title: "n", start: 0, end: 10, value: 3)
        let plot = figure(width: 200, height: 200)
        let layout = tabs(("one", column(slider, Div(text: "hi"))), ("two", row(plot)))
        #expect(layout.tabs.map(\.title) == ["one", "two"])
        let grid = gridplot([[plot, nil], [figure(), figure()]])
        #expect(plot.toolbarLocation == nil)
        let merged = grid.toolbar?.tools ?? []
        #expect(merged.count == 6)
        #expect(merged.filter { if case .b(let proxy) = $0 { proxy.tools.count == 3 } else { false } }.count == 5)
        #expect(merged.contains { if case .a(let tool) = $0 { tool is SaveTool } else { false } })
        let document = Document()
        document.addRoot(layout)
        #expect(document.validateModels().isEmpty)
        #expect(Resources.components(for: document) == ["bokeh", "widgets"])
    }

    @Test func standaloneHTMLEmbedsTheDocument() throws {
        let plot = figure(width: 200, height: 200)
        plot.vbar(x: "x", top: "top", source: ColumnDataSource(columns: ["x": [1.0], "top": [2.0]]))
        let document = Document(title: "A <b> title")
        document.addRoot(plot)
        let html = try document.standaloneHTML()
        #expect(html.contains("<script src=\"https://cdn.bokeh.org/bokeh/release/bokeh-3.10.2.min.js\"></script>"))
        #expect(!html.contains("bokeh-widgets"))
        #expect(html.contains("<title>A &lt;b&gt; title</title>"))
        #expect(html.contains("data-root-id=\"\(plot.id)\""))
        #expect(html.contains("root.Bokeh.embed.embed_items(docs_json, render_items);"))
        let local = try document.standaloneHTML(resources: .local(prefix: "static/js", versioned: false))
        #expect(local.contains("<script src=\"static/js/bokeh.min.js\"></script>"))
        let inline = try document.standaloneHTML(resources: .inline(["console.log('</script>')"]))
        #expect(inline.contains("console.log('<\\/script>')"))
    }

    @Test func jsonItemHasPythonsShape() {
        let plot = figure()
        let document = Document()
        document.addRoot(plot)
        let item = document.jsonItem(target: "here")
        guard case .object(let object) = item else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["target_id", "root_id", "doc", "version"])
        #expect(item["root_id"] == .string(plot.id))
        #expect(item["doc"]?["roots"]?.arrayValue?.count == 1)
        #expect(!document.isSynced(plot))
        _ = try? document.standaloneHTML()
        #expect(!document.isSynced(plot))
    }
}

@Suite struct ReadmeExampleTests {
    /// The README's typed-models example, as written there.
    @Test func readmeExampleRuns() throws {
        let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]])
        let plot = figure(title: "scatter", width: 300, height: 200, xAxisLabel: "x")
        plot.scatter(x: "x", y: "y", source: source, size: 10, marker: .triangle, color: "navy")
        let slider = Slider(title: "size", start: 1, end: 20, value: 10)
        let button = Button(label: "Reset")
        let document = Document(title: "Demo")
        document.addRoot(row(plot, column(slider, button)))
        var changes: [Double?] = []
        document.onChange(of: slider, Slider.value) { _, new in changes.append(new) }
        document.onEvent(.buttonClick, of: button) { _ in slider.value = 10 }
        slider.value = 5
        let values = Value.map(["model": .model(button)])
        document.send(messageType: "bokeh_event", data: .event(name: "button_click", values: values))
        #expect(changes == [5, 10])
        let html = try document.standaloneHTML()
        #expect(html.contains("bokeh-widgets-3.10.2.min.js"))
        #expect(document.jsonItem(target: "myplot")["target_id"] == "myplot")
    }
}

@Suite struct EventTests {
    @Test func typedEventsDecodeTheirValues() {
        let plot = figure()
        let document = Document()
        document.addRoot(plot)
        var taps: [PointEvent] = []
        document.onEvent(.tap, of: plot, as: PointEvent.self) { taps.append($0) }
        let values = Value.map(["model": .model(plot), "sx": 10, "sy": 20, "x": 1.5, "y": 2.5])
        document.send(messageType: "bokeh_event", data: .event(name: "tap", values: values))
        document.send(messageType: "bokeh_event", data: .event(name: "tap", values: .map(["model": .model(plot)])))
        #expect(taps.count == 1)
        #expect(taps.first?.x == 1.5 && taps.first?.sy == 20)
        #expect(taps.first?.model === plot)
        let input = TextInput()
        document.addRoot(input)
        var submitted: [String] = []
        document.onEvent(.valueSubmit, of: input, as: ValueSubmitEvent.self) { submitted.append($0.value) }
        document.send(
            messageType: "bokeh_event",
            data: .event(name: "value_submit", values: .map(["model": .model(input), "value": "hello"])))
        #expect(submitted == ["hello"])
    }
}

@Suite struct LegendTests {
    @Test func legendLabelsGroupRenderersLikePython() throws {
        let source = ColumnDataSource(columns: ["x": [1.0, 2], "y": [3.0, 4]])
        let plot = figure()
        let a = plot.scatter(x: "x", y: "y", source: source, legendLabel: "points")
        let b = plot.line(x: "x", y: "y", source: source, legendLabel: "points")
        let c = plot.line(x: "x", y: "y", source: source, legendLabel: "trend")
        let legends = plot.center.compactMap { if case .a(let r) = $0 { r as? Legend } else { nil } }
        let legend = try #require(legends.first)
        #expect(legends.count == 1)
        #expect(legend.items.count == 2)
        #expect(legend.items[0].renderers.map(\.id) == [a.id, b.id])
        #expect(legend.items[1].renderers.map(\.id) == [c.id])
        #expect(legend.items[1].label.bokehValue == .spec(DataSpec(.value("trend"))))
    }
}
