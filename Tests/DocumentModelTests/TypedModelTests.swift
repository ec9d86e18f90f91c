import DocumentModel
import Foundation
import Testing

/// JSON text of a document, for comparing serializations.
private func text(_ document: Document) throws -> String {
    try JSONWriter(options: .bokehContent).string(document.toJSON(bytesMode: .inline).json)
}

@Suite struct TypedModelTests {
    @Test func catalogueCoversEveryBokehModel() {
        #expect(Catalogue.modelNames.count == 469)
        #expect(Set(Catalogue.modelNames).count == Catalogue.modelNames.count)
        for name in Catalogue.modelNames {
            let type = Catalogue.modelClass(named: name)
            #expect(type?.modelTypeName == name, "\(name)")
        }
        #expect(Catalogue.modelClass(named: "my_ext.Custom") == nil)
    }

    /// Python's per-instance defaults of every model decode as the declared Swift types.
    @Test func everyModelsInstanceDefaultsFitItsTypes() {
        #expect(Catalogue.abstractModelNames.count == 114)
        #expect(Catalogue.mixinNames.count == 18)
        for name in Catalogue.modelNames {
            let model = Model.instantiate(name)
            #expect(model.typeName == name)
            #expect(model.validate().isEmpty, "\(name): \(model.validate())")
            for case .model(let child) in model.attributes.map(\.value) {
                #expect(child.validate().isEmpty, "\(name) → \(child.typeName): \(child.validate())")
            }
        }
        let figure = Model.instantiate("Figure")
        #expect(figure is Figure)
        #expect(figure.referencedModels.count >= 8)
        #expect(Model.instantiate("my_ext.Custom").attributes.isEmpty)
    }

    /// Every generated default fits the Swift type of its property.
    @Test func everyDefaultFitsItsType() {
        var checked = 0
        for name in Catalogue.modelNames {
            guard let type = Catalogue.modelClass(named: name) else { continue }
            for spec in type.declaredProperties {
                guard let defaultValue = spec.defaultValue else { continue }
                checked += 1
                #expect(spec.accepts(defaultValue), "\(name).\(spec.name)")
            }
        }
        #expect(checked > 5000)
    }

    @Test func typedAndGenericModelsWriteIdenticalJSON() throws {
        let typed = Slider(id: "p1", typeName: "Slider")
        typed.start = 0
        typed.end = 10
        typed.value = 3
        typed.title = "n"
        let generic = Model(
            id: "p1", typeName: "Slider",
            attributes: [("start", .float(0)), ("end", .float(10)), ("value", .float(3)), ("title", "n")])
        let a = Document(title: "t")
        a.addRoot(typed)
        let b = Document(title: "t")
        b.addRoot(generic)
        let textA = try text(a).replacingOccurrences(of: a.config.id, with: "C")
        let textB = try text(b).replacingOccurrences(of: b.config.id, with: "C")
        let notificationsA = a.config["notifications"]?.modelValue?.id ?? ""
        let notificationsB = b.config["notifications"]?.modelValue?.id ?? ""
        #expect(
            textA.replacingOccurrences(of: notificationsA, with: "N")
                == textB.replacingOccurrences(of: notificationsB, with: "N"))
    }

    @Test func decodingCreatesTypedModelsAndRoundTripsUnchanged() throws {
        let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]])
        let plot = figure(title: "scatter", width: 300, height: 200)
        plot.scatter(x: "x", y: "y", source: source, size: 10, color: "navy")
        let document = Document(title: "Scatter")
        document.addRoot(plot)
        let original = try text(document)
        let decoded = try Document(fromJSONText: Array(original.utf8))
        #expect(try text(decoded) == original)
        let root = try #require(decoded.roots.first as? Figure)
        #expect(root.width == 300)
        #expect(root.title?.text.bokehValue == "scatter")
        let renderer = try #require(root.renderers.first as? GlyphRenderer)
        let glyph = try #require(renderer.glyph as? Scatter)
        #expect(glyph.size.bokehValue == Spec<Double>.value(10).bokehValue)
        #expect(decoded.select(type: "Scatter").allSatisfy { $0 is Scatter })
    }

    @Test func defaultsAreReadButNotWritten() {
        let slider = Slider(start: 0, end: 1, value: 0.5)
        #expect(slider.step == 1)
        #expect(slider.orientation == .horizontal)
        #expect(slider.attributes.map(\.name) == ["start", "end", "value"])
        #expect(Slider(start: 0, end: 1, value: 0, step: 1).attributes.map(\.name) == ["start", "end", "value"])
        #expect(Range1d(start: 0, end: 5).attributes.map(\.name) == ["end"])
        let changed = Slider(step: 2)
        changed.step = 1
        #expect(changed["step"] == .float(1))
        let scatter = Scatter()
        #expect(scatter.marker.bokehValue == Spec<OneOf2<MarkerType, String>>.value(.a(.circle)).bokehValue)
        #expect(scatter.attributes.isEmpty)
        #expect(scatter.fillAlpha.bokehValue == Spec<Double>.value(1).bokehValue)
    }

    @Test func perInstanceDefaultsAreCreatedLikePython() throws {
        let source = ColumnDataSource()
        #expect(source.attributes.map(\.name) == ["selected", "selection_policy", "data"])
        let other = ColumnDataSource()
        let selected = try #require(source.selected)
        #expect(selected !== other.selected)
        #expect(selected.id != other.selected?.id)
        let renderer = GlyphRenderer()
        #expect(renderer.view?.filter is AllIndices)
    }

    @Test func enumsAreValidated() {
        let slider = Slider(start: 0, end: 1, value: 0)
        slider.set("orientation", "diagonal")
        #expect(slider.orientation == .horizontal)
        let issues = slider.validate()
        #expect(issues.map(\.attribute) == ["orientation"])
        slider.orientation = .vertical
        #expect(slider.validate().isEmpty)
        #expect(slider["orientation"] == "vertical")
        #expect(Orientation(rawValue: "diagonal") == nil)
    }

    @Test func unknownAttributesAndModelsArePreserved() throws {
        let json = #"""
            {"version":"3.10.2","title":"x","roots":[
             {"type":"object","name":"Slider","id":"p1","attributes":{"start":0,"end":5,"value":1,"future_option":{"type":"map","entries":[["k",1]]}}},
             {"type":"object","name":"my_ext.Custom","id":"p2","attributes":{"anything":[1,2]}}]}
            """#
        let document = try Document(fromJSONText: Array(json.utf8))
        let slider = try #require(document.model(id: "p1") as? Slider)
        #expect(slider.end == 5)
        #expect(slider["future_option"]?.mapValue?["k"] == 1)
        #expect(slider.validate().isEmpty)
        let custom = try #require(document.model(id: "p2"))
        #expect(type(of: custom) == Model.self)
        let again = try Document(fromJSONText: Array(try text(document).utf8))
        #expect(again.model(id: "p1")?["future_option"] == slider["future_option"])
        #expect(again.model(id: "p2")?["anything"] == [1, 2])
    }

    @Test func colorsAndSpecsConvert() {
        #expect(Color.fromBokeh("navy") == .css("navy"))
        #expect(Color.fromBokeh("#12ab34") == .css("#12ab34"))
        #expect(Color.fromBokeh("not-a-color") == nil)
        #expect(Color.fromBokeh([1, 2, 3]) == .rgb(1, 2, 3))
        let field: Spec<Double> = "x"
        #expect(field.bokehValue == .spec(DataSpec(.field("x"))))
        #expect(Spec<Double>.fromBokeh(.spec(DataSpec(.value("x")))) == nil)
        let nullable = Spec<Color?>.fromBokeh(.spec(DataSpec(.value(.null))))
        #expect(nullable != nil)
    }

    @Test func typedChangeCallbacksDecodeValues() {
        let slider = Slider(start: 0, end: 10, value: 3)
        let document = Document()
        document.addRoot(slider)
        var seen: [(Double?, Double?)] = []
        document.onChange(of: slider, Slider.value) { old, new in seen.append((old, new)) }
        slider.value = 7
        #expect(seen.count == 1)
        #expect(seen.first?.0 == 3)
        #expect(seen.first?.1 == 7)
    }

    @Test func keyPathChangeCallbacksReadAsThePropertyReads() {
        let slider = Slider(start: 0, end: 10, value: 3)
        let div = Div()
        let document = Document()
        document.addRoot(slider)
        document.addRoot(div)
        var values: [(Double?, Double)] = []
        var titles: [(String??, String?)] = []
        var texts: [(String?, String)] = []
        let token = document.onChange(of: slider, \.value) { old, new in values.append((old, new)) }
        document.onChange(of: slider, \.title) { old, new in titles.append((old, new)) }
        document.onChange(of: div, \.text) { old, new in texts.append((old, new)) }
        slider.value = 7
        slider.title = "x"
        div.text = "hello"  // from unset: old reads the default
        slider.step = 2  // not watched
        document.removeCallback(token)
        slider.value = 8
        #expect(values.count == 1 && values.first?.0 == 3 && values.first?.1 == 7)
        #expect(titles.count == 1 && titles.first?.0 == "" && titles.first?.1 == "x")
        #expect(texts.count == 1 && texts.first?.0 == "" && texts.first?.1 == "hello")
        #expect(slider.attributeNames(readBy: \Slider.value) == ["value"])
        #expect(slider.attributeNames(readBy: \Slider.id).isEmpty)
    }

    @Test func keyPathCallbacksOnStreamedColumnsHaveNoOldValue() throws {
        let source = ColumnDataSource()
        source.data = ["x": [1.0, 2.0]]
        let document = Document()
        document.addRoot(source)
        var seen: [(ColumnData?, [Double])] = []
        document.onChange(of: source, \.data) { old, new in seen.append((old, new["x", as: Double.self] ?? [])) }
        try source.stream(["x": [3.0]])
        source.data = ["x": [5.0]]
        #expect(seen.count == 2)
        #expect(seen.first?.0 == nil && seen.first?.1 == [1, 2, 3])
        #expect(seen.last?.0?["x", as: Double.self] == [1, 2, 3] && seen.last?.1 == [5])
    }

    @Test func typedEventCallbacks() throws {
        let button = Button(label: "go")
        let document = Document()
        document.addRoot(button)
        var clicks = 0
        document.onEvent(.buttonClick, of: button) { _ in clicks += 1 }
        let values = Value.map(["model": .model(button)])
        document.send(messageType: "bokeh_event", data: .event(name: "button_click", values: values))
        #expect(clicks == 1)
    }
}
