import Foundation
import Testing

@testable import DocumentModel

/// What an app author writes: columns from Swift arrays and back, stream and patch, a settable title.
@Suite struct ColumnAuthoringTests {
    @Test func dataFromSwiftArraysAndTypedReadBack() {
        let xs = [1.0, 2, 3]
        let labels = ["a", "b", "c"]
        let source = ColumnDataSource()
        source.data = ["x": xs, "label": labels, "n": [1, 2, 3]]
        #expect(source.data.names == ["x", "label", "n"])
        #expect(source.data["x"] == .ndarray(NDArray(.float64(xs))))
        #expect(source.data["x", as: Double.self] == xs)
        #expect(source.data["label", as: String.self] == labels)
        #expect(source.data["n", as: Int.self] == [1, 2, 3])
        // Ints read as doubles; strings don't read as numbers; a missing column is nil.
        #expect(source.data["n", as: Double.self] == [1, 2, 3])
        #expect(source.data["label", as: Double.self] == nil)
        #expect(source.data["missing", as: Double.self] == nil)
        #expect(source.data.rowCount == 3)
    }

    @Test func typedArraysReadBackLikeLists() {
        var data = ColumnData()
        data["i32"] = .ndarray(NDArray(.int32([4, 5])))
        data["f32"] = .typedArray(.float32([0.5, 1.5]))
        data["list"] = [1, 2.5, nil]
        #expect(data["i32", as: Double.self] == [4, 5])
        #expect(data["i32", as: Int.self] == [4, 5])
        #expect(data["f32", as: Double.self] == [0.5, 1.5])
        #expect(data["list", as: Int.self] == nil)
        let list = data["list", as: Double.self]
        #expect(list?.count == 3 && list?[1] == 2.5 && list?[2].isNaN == true)
    }

    @Test func datesTravelAsMillisecondsSinceTheEpoch() {
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 86_400)]
        let data: ColumnData = ["t": dates]
        #expect(data["t"] == .ndarray(NDArray(.float64([0, 86_400_000]))))
        #expect(data["t", as: Date.self] == dates)
    }

    @Test func streamAndPatchADetachedSource() throws {
        let source = ColumnDataSource(columns: ["x": [1.0, 2], "y": [10, 20]])
        try source.stream(["x": [3.0], "y": [30]], rollover: 2)
        #expect(source.data["x", as: Double.self] == [2, 3])
        #expect(source.data["y", as: Int.self] == [20, 30])
        try source.patch(["y": [(0, 21), (.rows(0..<2), [22, 33])]])
        #expect(source.data["y", as: Int.self] == [22, 33])
        try source.patch(["x": [(.rows(1..<2), Value(column: [9.0]))]])
        #expect(source.data["x", as: Double.self] == [2, 9])
    }

    @Test func streamInADocumentSendsOneEvent() throws {
        let source = ColumnDataSource(columns: ["x": [1.0], "y": [2.0]])
        let document = Document()
        document.addRoot(source)
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        try source.stream(["x": [2.0, 3], "y": [4.0, 5]], rollover: 2)
        try source.patch(["y": [(1, 50.0)]])
        #expect(source.data["y", as: Double.self] == [4, 50])
        #expect(events.count == 2)
        guard case .columnsStreamed(let streamed) = events.first, case .columnsPatched = events.last else {
            Issue.record("expected ColumnsStreamed then ColumnsPatched, got \(events)")
            return
        }
        #expect(streamed.rollover == 2)
    }

    @Test func badStreamsAndPatchesChangeNothing() {
        let source = ColumnDataSource(columns: ["x": [1.0], "y": [2.0]])
        let before = source.data
        #expect(throws: DocumentError.self) { try source.stream(["x": [2.0]]) }
        #expect(throws: DocumentError.self) { try source.stream(["x": [2.0], "y": [1.0], "z": [0.0]]) }
        #expect(throws: DocumentError.self) { try source.stream(["x": [2.0, 3], "y": [1.0]]) }
        #expect(throws: DocumentError.self) { try source.patch(["z": [(0, 1.0)]]) }
        #expect(throws: DocumentError.self) { try source.patch(["x": [(5, 1.0)]]) }
        #expect(throws: DocumentError.self) { try source.stream(["x": [2.0], "y": [1.0]], rollover: -1) }
        #expect(source.data == before)
    }
}

@Suite struct DocumentTitleTests {
    @Test func assigningTheTitleRecordsATitleChange() {
        let document = Document(title: "old")
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        document.title = "new"
        document.title = "new"
        #expect(document.title == "new")
        #expect(events.count == 1)
        if case .titleChanged(let e)? = events.first { #expect(e.title == "new") } else { Issue.record("\(events)") }
    }
}

/// Properties in any order, required values non-optional, unions from their member types.
@Suite struct SettingsInitializerTests {
    @Test func settingsFormEqualsTheLabeledForm() {
        let labeled = Slider(title: "n", start: 0, end: 10, value: 3, step: 1)
        let settings = Slider(start: 0, end: 10, value: 3, .step(1), .title("n"))
        #expect(
            Dictionary(uniqueKeysWithValues: labeled.attributes.map { ($0.name, $0.value) })
                == Dictionary(uniqueKeysWithValues: settings.attributes.map { ($0.name, $0.value) }))
        // Required values read non-optional: plain arithmetic.
        let doubled = settings.value * 2 + settings.start
        #expect(doubled == 6)
    }

    @Test func anyModelTakesSettings() {
        let div = Div(.width(200), .text("hello"), .name("greeting"))
        #expect(div.text == "hello")
        #expect(div.width == 200)
        #expect(div.name == "greeting")
        let start = -1.5
        let range = Range1d(.start(start), .end(2 * start))
        #expect(range.start == -1.5 && range.end == -3)
        let scatter = Scatter(.x("a"), .size(12), .fillColor(.value(.css("red"))))
        #expect(scatter["x"] == Spec<Double>.field("a").bokehValue)
        #expect(scatter["size"] == Spec<Double>.value(12).bokehValue)
    }

    @Test func unionsTakeTheirMemberTypes() {
        let formatter = NumeralTickFormatter(format: "0.0")
        let slider = Slider(start: 0, end: 1, value: 0.5, .format(formatter))
        #expect(slider["format"] == .model(formatter))
        let textual = Slider(start: 0, end: 1, value: 0.5, .format("0.00"))
        #expect(textual["format"] == "0.00")
    }

    @Test func selectOptionsAndValueAreTyped() {
        let select = Select(options: ["a", "b"], value: "b", .title("letter"))
        #expect(select.optionValues == ["a", "b"])
        #expect(select.selectedValue == "b")
        #expect(select["options"] == ["a", "b"])
        let pairs = Select(.options([(value: "r", label: "Red")]), .value("r"))
        #expect(pairs.optionValues == ["r"])
        let grouped = Select(.options(groups: ["x": ["1", "2"], "y": ["3"]]))
        #expect(grouped.optionValues == ["1", "2", "3"])
    }
}
