import DocumentModel
import Foundation
import TestSupport
import Testing

@Suite struct DocumentVectorTests {
    static let documents = ["doc_empty.json", "doc_scatter.json", "doc_widgets.json", "doc_special_values.json"]

    @Test(arguments: documents)
    func reencodesDocumentByteForByte(name: String) throws {
        let vector = try vector(name)
        let text = try #require(vector["doc_json_text"]?.stringValue)
        let expectedBuffers = buffers(vector["buffers"])
        let document = try Document(fromJSONText: Array(text.utf8), buffers: expectedBuffers)
        let (json, ours) = document.toJSON()
        let result = aligned(json, ours, to: expectedBuffers)
        #expect(result.buffersEqual)
        #expect(try compact(result.json) == text)
        #expect(result.json == vector["doc_json"])
    }

    @Test(arguments: documents)
    func decodesInlineDocumentToTheSameState(name: String) throws {
        let vector = try vector(name)
        let deferred = try Document(
            fromJSON: try #require(vector["doc_json"]), buffers: buffers(vector["buffers"]))
        let inlineText = try #require(vector["doc_json_inline_base64"])
        let inlineJSON = inlineText.stringValue.map { try? JSONReader.parse($0) } ?? inlineText
        let inline = try Document(fromJSON: try #require(inlineJSON))
        #expect(
            try compact(inline.toJSON(bytesMode: .inline).json) == compact(deferred.toJSON(bytesMode: .inline).json))
        // Our own inline output (stored-block gzip) decodes back to the same document.
        let again = try Document(fromJSON: deferred.toJSON(bytesMode: .inline).json)
        let (a, aBuffers) = again.toJSON()
        let (b, bBuffers) = deferred.toJSON()
        #expect(aligned(a, aBuffers, to: bBuffers).json == b)
    }

    @Test func indexesModelsByIDNameAndType() throws {
        let vector = try vector("doc_scatter.json")
        let document = try Document(fromJSON: try #require(vector["doc_json"]), buffers: buffers(vector["buffers"]))
        #expect(document.roots.count == 1)
        #expect(document.title == "Bokeh Application" || !document.title.isEmpty)
        let sources = document.select(type: "ColumnDataSource")
        #expect(sources.count == 1)
        let source = try #require(sources.first)
        #expect(document.model(id: source.id) === source)
        guard case .map(let data) = source["data"], case .ndarray(let x) = data["x"] else {
            Issue.record("scatter data is not a map of arrays")
            return
        }
        guard case .float64 = x.storage else {
            Issue.record("x is not a float64 column")
            return
        }
        #expect(document.models.values.allSatisfy { document.isSynced($0) && $0.document === document })
        let named = Model("Div", ["name": "greeting", "text": "hi"])
        document.addRoot(named)
        #expect(document.model(named: "greeting") === named)
        #expect(!document.isSynced(named))
    }

    @Test func decodesSpecialValues() throws {
        let vector = try vector("doc_special_values.json")
        let document = try Document(fromJSON: try #require(vector["doc_json"]), buffers: buffers(vector["buffers"]))
        #expect(document.title == "Special values é✓")
        #expect(document.roots.count == 3)
        let range = try #require(document.select(type: "Range1d").first)
        #expect(range["start"] == .float(-.infinity))
        #expect(range["end"]?.doubleValue?.isNaN == true)
        let source = try #require(document.select(type: "ColumnDataSource").first)
        let data = try #require(source["data"]?.mapValue)
        #expect(data["i64_big"] == .ndarray(try NDArray(.object([.int(1_099_511_627_776), .int(1)]), shape: [2])))
        #expect(data["str"] == .ndarray(try NDArray(.string(["a", "b"]), shape: [2])))
        if case .ndarray(let nd2) = data["nd2"] { #expect(nd2.shape == [2, 3]) } else { Issue.record("nd2 missing") }
        if case .ndarray(let flags) = data["bool"] { #expect(flags.storage == .bool([true, false, true])) }
    }

    @Test func emptyDocumentHasConfigAndDefaultTitle() throws {
        let document = Document()
        let (json, buffers) = document.toJSON()
        #expect(buffers.isEmpty)
        #expect(json.objectValue?.keys == ["version", "title", "config", "roots"])
        #expect(json["title"] == "Bokeh Application")
        #expect(json["config"]?["name"] == "DocumentConfig")
        #expect(json["config"]?["attributes"]?["notifications"]?["name"] == "Notifications")
    }
}

@Suite struct SerializerValueTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let index: Int
        let input: String
        var testDescription: String { input }
    }

    static let cases: [Case] = {
        guard let all = try? vector("serializer_values.json")["cases"]?.arrayValue else { return [] }
        return all.enumerated().map { Case(index: $0.offset, input: $0.element["input"]?.stringValue ?? "?") }
    }()

    @Test(arguments: cases)
    func reencodesValueByteForByte(_ testCase: Case) throws {
        let entry = try #require(try vector("serializer_values.json")["cases"]?.arrayValue?[testCase.index])
        let text = try #require(entry["encoded_text"]?.stringValue)
        let expectedBuffers = buffers(entry["buffers"])
        var deserializer = Deserializer(buffers: expectedBuffers)
        let value = try deserializer.decode(try JSONReader.parse(text))
        var serializer = Serializer()
        let json = serializer.encode(value)
        let result = aligned(json, serializer.buffers, to: expectedBuffers)
        #expect(result.buffersEqual)
        #expect(try compact(result.json) == text)
        #expect(result.json == entry["encoded"])

        // The inline form (base64 of gzip) decodes to the same value.
        let inlineText = try #require(entry["encoded_inline_text"]?.stringValue)
        var inlineDecoder = Deserializer()
        #expect(try inlineDecoder.decode(try JSONReader.parse(inlineText)) == value)
    }

    @Test func encodesLocalValuesLikePython() throws {
        var serializer = Serializer()
        let big = serializer.encode(.int(9_007_199_254_740_992))
        #expect(try compact(big) == "9007199254740992.0")
        #expect(try compact(serializer.encode(.map(ValueMap()))) == #"{"type":"map"}"#)
        let int64 = serializer.encode(.ndarray(NDArray(.int64([1, 2]))))
        #expect(int64["dtype"] == "int32")
        let tooBig = serializer.encode(.ndarray(NDArray(.int64([1 << 40]))))
        #expect(
            try compact(tooBig)
                == #"{"type":"ndarray","array":[1099511627776],"shape":[1],"dtype":"object","order":"little"}"#)
        let floats = serializer.encode(.list([.float(1), .float(.nan)]))
        #expect(try compact(floats) == #"[1.0,{"type":"number","value":"nan"}]"#)
        #expect(serializer.buffers.count == 1)
    }

    @Test func decodesBigEndianArrays() throws {
        let json = try JSONReader.parse(
            #"{"type":"typed_array","array":{"type":"bytes","data":{"id":"b"}},"order":"big","dtype":"int16"}"#)
        var deserializer = Deserializer(buffers: [Buffer(id: "b", bytes: [0x01, 0x02, 0xFF, 0xFE])])
        #expect(try deserializer.decode(json) == .typedArray(.int16([0x0102, -2])))
    }
}

@Suite struct InlineBytesTests {
    @Test func largeArraysRoundTripInline() throws {
        var rng = SeededGenerator(seed: 42)
        let values = (0..<40_000).map { _ in Double(bitPattern: rng.next() >> 2) }
        let value = Value.ndarray(NDArray(.float64(values)))
        var serializer = Serializer(bytesMode: .inline)
        let json = serializer.encode(value)
        #expect(serializer.buffers.isEmpty)
        var deserializer = Deserializer()
        #expect(try deserializer.decode(json) == value)
    }

    @Test func inlineSizeLimitIsEnforced() throws {
        var serializer = Serializer(bytesMode: .inline)
        let json = serializer.encode(.bytes([UInt8](repeating: 7, count: 4096)))
        var deserializer = Deserializer(limits: DeserializerLimits(maxInlineBytes: 1024))
        #expect(throws: DocumentError.self) { _ = try deserializer.decode(json) }
    }
}

extension InlineBytesTests {
    @Test func acceptsGzipHeaderExtras() throws {
        var serializer = Serializer(bytesMode: .inline)
        let json = serializer.encode(.bytes([1, 2, 3]))
        let base64 = try #require(json["data"]?.stringValue)
        let gzip = [UInt8](try #require(Data(base64Encoded: base64)))
        // FEXTRA (4 bytes of extra field) and FNAME ("a.bin"), as other gzip writers produce.
        var edited = Array(gzip[0..<10])
        edited[3] = 0x04 | 0x08
        edited += [4, 0, 9, 9, 9, 9] + Array("a.bin".utf8) + [0] + Array(gzip[10...])
        let inline: JSONValue = .object(["type": "bytes", "data": .string(Data(edited).base64EncodedString())])
        var deserializer = Deserializer()
        #expect(try deserializer.decode(inline) == .bytes([1, 2, 3]))
    }
}

@Suite struct ReplaceDocumentTests {
    @Test func pushedDocumentReplacesContentWithEvents() throws {
        let (document, m) = try baseDocument()
        var kinds: [String] = []
        document.onChange { kinds.append($0.kind) }
        let push = try vector("msg_push_doc.json")
        let doc = try #require(push["decoded"]?["content"]?["doc"])
        let setter = Setter()
        var setters: [Setter?] = []
        document.onChange { setters.append($0.setter) }
        try document.replace(withJSON: doc, setter: setter)
        #expect(kinds.first == "RootRemoved")
        #expect(kinds.contains("RootAdded") && kinds.contains("TitleChanged"))
        #expect(setters.allSatisfy { $0 == setter })
        #expect(m["slider"]?.document == nil)
        #expect(document.title == doc["title"]?.stringValue)
        #expect(document.roots.map(\.id) == doc["roots"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
        #expect(document.models.values.allSatisfy { document.isSynced($0) })
        let (json, _) = document.toJSON()
        #expect(json == doc)
    }

    @Test func malformedReplacementLeavesDocumentUnchanged() throws {
        let (document, _) = try baseDocument()
        let before = document.roots.map(\.id)
        let bad: JSONValue = .object(["title": "x", "roots": [.object(["id": "missing"])]])
        #expect(throws: DocumentError.self) { try document.replace(withJSON: bad) }
        #expect(document.roots.map(\.id) == before)
        #expect(document.title == "Events")
    }

    @Test func clearRemovesRootsButKeepsTitle() throws {
        let (document, _) = try baseDocument()
        document.clear()
        #expect(document.roots.isEmpty)
        #expect(document.title == "Events")
        #expect(document.models.count == 2)
    }
}
