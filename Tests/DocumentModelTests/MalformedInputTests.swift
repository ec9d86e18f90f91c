import DocumentModel
import Testing

@Suite struct MalformedInputTests {
    /// Serializes the base document's state so "unchanged" can be checked exactly.
    func state(_ document: Document) throws -> String {
        let (json, _) = document.toJSON(bytesMode: .inline)
        return try compact(json) + "|" + document.roots.map(\.id).joined(separator: ",")
    }

    static let badPatches: [(String, String)] = [
        ("unknown reference", #"{"events":[{"kind":"ModelChanged","model":{"id":"nope"},"attr":"value","new":1}]}"#),
        ("missing new", #"{"events":[{"kind":"ModelChanged","model":{"id":"p1005"},"attr":"value"}]}"#),
        ("attr not a string", #"{"events":[{"kind":"ModelChanged","model":{"id":"p1005"},"attr":3,"new":1}]}"#),
        ("unknown kind", #"{"events":[{"kind":"Teleported","model":{"id":"p1005"}}]}"#),
        ("events not a list", #"{"events":{}}"#),
        (
            "bad rollover",
            #"{"events":[{"kind":"ColumnsStreamed","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[["y",[1.0]]]},"rollover":"x"}]}"#
        ),
        (
            "missing buffer",
            #"{"events":[{"kind":"ColumnsStreamed","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[["x",{"type":"typed_array","array":{"type":"bytes","data":{"id":"9"}},"order":"little","dtype":"float64"}]]},"rollover":null}]}"#
        ),
        (
            "truncated buffer",
            #"{"events":[{"kind":"ColumnsStreamed","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[["x",{"type":"typed_array","array":{"type":"bytes","data":{"id":"0"}},"order":"little","dtype":"float64"}]]},"rollover":null}]}"#
        ),
        (
            "shape mismatch",
            #"{"events":[{"kind":"ModelChanged","model":{"id":"p1007"},"attr":"text","new":{"type":"ndarray","array":{"type":"bytes","data":{"id":"0"}},"shape":[3],"dtype":"uint8","order":"little"}}]}"#
        ),
        (
            "unknown value type",
            #"{"events":[{"kind":"ModelChanged","model":{"id":"p1007"},"attr":"text","new":{"type":"date","iso":"2024-01-01"}}]}"#
        ),
        (
            "stream to missing column",
            #"{"events":[{"kind":"ModelChanged","model":{"id":"p1005"},"attr":"value","new":9},{"kind":"ColumnsStreamed","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[["zz",[1.0]]]},"rollover":null}]}"#
        ),
        (
            "patch out of range",
            #"{"events":[{"kind":"TitleChanged","title":"changed"},{"kind":"ModelChanged","model":{"id":"p1005"},"attr":"value","new":9},{"kind":"ColumnsPatched","model":{"id":"p1002"},"attr":"data","patches":{"type":"map","entries":[["y",[[7,1.0]]]]}}]}"#
        ),
        (
            "remove non-root",
            #"{"events":[{"kind":"RootAdded","model":{"type":"object","name":"Div","id":"n1"}},{"kind":"RootRemoved","model":{"id":"p1005"}}]}"#
        ),
        (
            "patch wrong value type",
            #"{"events":[{"kind":"ColumnsPatched","model":{"id":"p1002"},"attr":"data","patches":{"type":"map","entries":[["x",[[0,"text"]]]]}}]}"#
        ),
    ]

    @Test(arguments: badPatches)
    func rejectsMalformedPatchAndLeavesDocumentUnchanged(label: String, patch: String) throws {
        let (document, _) = try baseDocument()
        let before = try state(document)
        var notified = 0
        document.onChange { _ in notified += 1 }
        #expect(throws: DocumentError.self, "\(label)") {
            try document.applyPatch(
                try JSONReader.parse(patch), buffers: [Buffer(id: "0", bytes: [1, 2, 3, 4, 5, 6, 7])], setter: Setter())
        }
        #expect(try state(document) == before, "\(label)")
        #expect(notified == 0, "\(label)")
    }

    @Test func unknownReferenceErrorNamesTheID() throws {
        let (document, _) = try baseDocument()
        let patch = try JSONReader.parse(Self.badPatches[0].1)
        do throws(DocumentError) {
            try document.applyPatch(patch, setter: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.isUnknownReference)
            #expect(error.description == "can't resolve reference 'nope'")
        }
    }

    @Test func dropsPatchForRemovedModel() throws {
        let (document, m) = try baseDocument()
        let column = try #require(document.roots.first)
        try document.removeRoot(column)
        let outcome = try document.applyPatch(
            try JSONReader.parse(
                #"{"events":[{"kind":"ModelChanged","model":{"id":"p1005"},"attr":"value","new":1}]}"#),
            setter: nil)
        guard case .ignoredStaleReference("p1005") = outcome else {
            Issue.record("expected the patch to be dropped, got \(outcome)")
            return
        }
        #expect(m["slider"]?["value"] == 3)
    }

    @Test func rejectsDeeplyNestedValues() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: DocumentError.self) { try Document(fromJSONText: Array(deep.utf8)) }
        let nested = JSONValue.array([.array([.array([.array([])])])])
        var deserializer = Deserializer(limits: DeserializerLimits(maxDepth: 3))
        #expect(throws: DocumentError.self) { _ = try deserializer.decode(nested) }
    }

    @Test(arguments: ["", "{", #"{"roots":[{"type":"object","name":"Div"}]}"#, #"{"roots":{}}"#, #"{"title":1}"#, "[]"])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: DocumentError.self) { try Document(fromJSONText: Array(text.utf8)) }
    }

    @Test func rejectsCorruptInlineBytes() throws {
        var deserializer = Deserializer()
        let corrupt: JSONValue = .object(["type": "bytes", "data": "H4sIAAEAAAAA/2NgZAIAg4lUCAMAAAA="])
        #expect(throws: DocumentError.self) { _ = try deserializer.decode(corrupt) }
        let truncated: JSONValue = .object(["type": "bytes", "data": "H4sIAAEAAAAA/2NgZAIA"])
        #expect(throws: DocumentError.self) { _ = try deserializer.decode(truncated) }
    }
}
