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
