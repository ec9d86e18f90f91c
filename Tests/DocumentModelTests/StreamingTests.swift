import Testing
@testable import DocumentModel

/// Streaming into array columns appends in place; the result, the event and the failure behaviour are
/// those of the general path.
@Suite struct StreamingTests {
    static func source(_ x: TypedArray, _ y: TypedArray) -> (Document, Model) {
        let source = Model("ColumnDataSource", ["data": .map(["x": .ndarray(NDArray(x)), "y": .ndarray(NDArray(y))])])
        let document = Document()
        document.addRoot(source)
        return (document, source)
    }

    @Test func appendsAndRollsOverWithoutTouchingEarlierCopies() throws {
        let (document, source) = Self.source(.float64([0, 1, 2]), .int32([10, 11, 12]))
        let before = source["data"]
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        try document.stream(
            to: source, ["x": .ndarray(NDArray(.float64([3, 4]))), "y": .ndarray(NDArray(.int32([13, 14])))])
        #expect(source["data"]?.mapValue?["x"] == .ndarray(NDArray(.float64([0, 1, 2, 3, 4]))))
        try document.stream(
            to: source, ["x": .ndarray(NDArray(.float64([5]))), "y": .ndarray(NDArray(.int32([15])))], rollover: 4)
        #expect(source["data"]?.mapValue?["x"] == .ndarray(NDArray(.float64([2, 3, 4, 5]))))
        #expect(source["data"]?.mapValue?["y"] == .ndarray(NDArray(.int32([12, 13, 14, 15]))))
        // A value read before the stream is a snapshot: it does not change.
        #expect(before?.mapValue?["x"] == .ndarray(NDArray(.float64([0, 1, 2]))))
        #expect(events.count == 2)
        guard case .columnsStreamed(let last) = events.last else {
            Issue.record("expected ColumnsStreamed, got \(String(describing: events.last))")
            return
        }
        #expect(last.rollover == 4)
        #expect(last.data["x"] == .ndarray(NDArray(.float64([5]))))
    }

    @Test func otherRowTypesTakeTheGeneralPath() throws {
        // int32 rows into a float64 column and list rows into an int32 column: the general path's result.
        let (document, source) = Self.source(.float64([0.5]), .int32([1]))
        let x = try ColumnOperations.append(
            .ndarray(NDArray(.int32([2]))), to: .ndarray(NDArray(.float64([0.5]))), rollover: nil)
        let y = try ColumnOperations.append([2], to: .ndarray(NDArray(.int32([1]))), rollover: nil)
        try document.stream(to: source, ["x": .ndarray(NDArray(.int32([2]))), "y": [2]])
        let data = source["data"]?.mapValue
        #expect(data?["x"] == x)
        #expect(data?["y"] == y)
    }

    @Test func aMissingColumnChangesNothing() throws {
        let (document, source) = Self.source(.float64([0]), .float64([1]))
        let before = source["data"]
        #expect(throws: DocumentError.self) {
            try document.stream(
                to: source, ["x": .ndarray(NDArray(.float64([1]))), "z": .ndarray(NDArray(.float64([2])))])
        }
        #expect(source["data"] == before)
    }
}

@Suite struct SharedBufferTests {
    @Test func numericColumnsShareTheirStorageWithTheirBuffers() throws {
        let x: [Double] = [1.5, -2, 3]
        let source = Model(
            "ColumnDataSource",
            ["data": .map(["x": .ndarray(NDArray(.float64(x))), "n": .ndarray(NDArray(.int64([1, 2])))])])
        let document = Document()
        document.addRoot(source)
        let (_, buffers) = document.toJSON()
        #expect(buffers.count == 2)
        let shared = try #require(buffers.first { if case .float64 = $0.storage { true } else { false } })
        #expect(shared.bytes == x.withUnsafeBytes { Array($0) })
        #expect(shared.count == 24)
        // int64 is narrowed to int32 on the wire: its bytes are converted, not shared.
        let narrowed = try #require(buffers.first { if case .bytes = $0.storage { true } else { false } })
        #expect(narrowed.bytes == [1, 0, 0, 0, 2, 0, 0, 0])
        // Equality and hashing go by bytes, whatever the storage.
        #expect(Buffer(id: shared.id, bytes: shared.bytes) == shared)
        #expect(Set([Buffer(id: shared.id, bytes: shared.bytes), shared]).count == 1)
    }
}
