import DocumentModel
import Foundation
import TestSupport
import Testing

/// The PATCH-DOC messages of an event vector: exact content text and buffers.
func patchMessages(_ name: String) throws -> [(text: String, content: JSONValue, buffers: [Buffer])] {
    let file = try vector(name)
    return try (file["messages"]?.arrayValue ?? []).map { message in
        let frames = message["frames"]?.arrayValue ?? []
        let text = try #require(frames.count >= 3 ? frames[2]["text"]?.stringValue : nil)
        return (text, try JSONReader.parse(text), buffers(message["decoded"]?["buffers"]))
    }
}

@Suite struct EventVectorTests {
    static let files = [
        "event_model_changed.json", "event_model_changed_new_model.json", "event_model_changed_dataspec.json",
        "event_column_data_changed_full.json", "event_column_data_changed.json", "event_columns_streamed.json",
        "event_columns_streamed_no_rollover.json", "event_columns_patched.json", "event_root_added.json",
        "event_root_removed.json", "event_title_changed.json", "event_message_sent_button_click.json",
        "event_batch_two_events.json",
    ]

    /// Decoding each event against the synced base document and encoding it again as the sender would
    /// gives Python's exact PATCH-DOC content.
    @Test(arguments: files)
    func reencodesPatchContentByteForByte(name: String) throws {
        for message in try patchMessages(name) {
            let (document, _) = try baseDocument()
            var deserializer = Deserializer(references: document.models, buffers: message.buffers)
            let events = try (message.content["events"]?.arrayValue ?? []).map {
                try DocumentEvent.decode($0, with: &deserializer)
            }
            let synced = Set(document.models.values.filter { document.isSynced($0) }.map(\.id))
            var serializer = Serializer(known: synced)
            let content: JSONValue = .object(["events": .array(events.map { $0.encode(with: &serializer) })])
            let result = aligned(content, serializer.buffers, to: message.buffers)
            #expect(result.buffersEqual, "\(name)")
            #expect(try compact(result.json) == message.text, "\(name)")
        }
    }

    /// Applying each event gives the state Python Bokeh reaches, and callbacks see the setter.
    @Test(arguments: files)
    func appliesToBaseDocument(name: String) throws {
        let (document, m) = try baseDocument()
        let setter = Setter()
        var seen: [DocumentEvent] = []
        document.onChange { seen.append($0) }
        var clicks: [Model?] = []
        document.onEvent("button_click") { clicks.append($0.model) }
        let messages = try patchMessages(name)
        for message in messages {
            try document.applyPatch(message.content, buffers: message.buffers, setter: setter)
        }
        #expect(seen.count == messages.reduce(0) { $0 + ($1.content["events"]?.arrayValue?.count ?? 0) })
        #expect(seen.allSatisfy { $0.setter == setter })
        let data = m["source"]?["data"]?.mapValue
        switch name {
        case "event_model_changed.json":
            #expect(m["slider"]?["value"] == 7)
        case "event_model_changed_new_model.json":
            let title = try #require(m["plot"]?["title"]?.modelValue)
            #expect(title.typeName == "Title" && title["text"] == "T" && title.document === document)
            #expect(document.isSynced(title))
        case "event_model_changed_dataspec.json":
            #expect(m["glyph"]?["fill_color"] == .spec(DataSpec(.value("red"))))
            #expect(m["glyph"]?["size"] == .spec(DataSpec(.field("s"))))
        case "event_column_data_changed_full.json":
            #expect(data?["x"] == .ndarray(NDArray(.float64([7, 8]))))
            #expect(data?["y"] == [1.0, 2.0])
        case "event_column_data_changed.json":
            #expect(data?["x"] == .ndarray(NDArray(.float64([1, 2, 3]))))
            #expect(data?["y"] == [5.0, 6.0, 7.0])
        case "event_columns_streamed.json":
            #expect(data?["x"] == .ndarray(NDArray(.float64([1, 2, 3, 4, 5]))))
            #expect(data?["y"] == [10.0, 20.0, 30.0, 40.0, 50.0])
        case "event_columns_streamed_no_rollover.json":
            #expect(data?["x"] == .ndarray(NDArray(.float64([1, 2, 3, 4]))))
            #expect(data?["y"] == [10.0, 20.0, 30.0, 40.0])
        case "event_columns_patched.json":
            #expect(data?["y"] == [99.0, 7.0, 8.0])
        case "event_root_added.json":
            #expect(document.roots.count == 2)
            #expect(document.roots.last?["text"] == "new")
        case "event_root_removed.json":
            #expect(document.roots.isEmpty)
            #expect(m["slider"]?.document == nil)
            #expect(document.models.count == 2)
        case "event_title_changed.json":
            #expect(document.title == "New title")
        case "event_message_sent_button_click.json":
            #expect(clicks.count == 1 && clicks.first.flatMap { $0 } === m["button"])
        case "event_batch_two_events.json":
            #expect(m["slider"]?["value"] == 9)
            #expect(m["div"]?["text"] == "x")
        default:
            Issue.record("no expectation for \(name)")
        }
    }

    @Test func appliesBrowserPatchWithTypedArray() throws {
        let file = try vector("patch_from_browser.json")
        let frames = try #require(file["frames"]?.arrayValue)
        let contentText = try #require(frames[2]["text"]?.stringValue)
        let content = try JSONReader.parse(contentText)
        let bufferHeader = try JSONReader.parse(try #require(frames[3]["text"]?.stringValue))
        let bufferID = try #require(bufferHeader["id"]?.stringValue)
        let base64 = try #require(frames[4]["base64"]?.stringValue)
        let payload = try #require(Data(base64Encoded: base64))
        let (document, m) = try baseDocument()
        var clicked = 0
        document.onEvent("button_click", of: m["button"]) { _ in clicked += 1 }
        var sliderValues: [Value] = []
        let slider = try #require(m["slider"])
        document.onChange(of: slider, attribute: "value") { _, _, new in sliderValues.append(new) }
        try document.applyPatch(content, buffers: [Buffer(id: bufferID, bytes: [UInt8](payload))], setter: Setter())
        #expect(m["slider"]?["value"] == 5)
        #expect(sliderValues == [5])
        #expect(clicked == 1)
        let data = m["source"]?["data"]?.mapValue
        #expect(data?["x"] == .ndarray(NDArray(.float64([1, 2, 3, 6]))))
        #expect(data?["y"] == [10.0, 20.0, 30.0, 60.0])
    }
}

@Suite struct LocalChangeTests {
    @Test func localChangeProducesPythonPatch() throws {
        let (document, m) = try baseDocument()
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        m["slider"]?.set("value", 7)
        let (content, buffers) = document.patchContent(for: events)
        #expect(buffers.isEmpty)
        #expect(try compact(content) == patchMessages("event_model_changed.json")[0].text)
    }

    @Test func newModelsAreSentInFullOnceThenByReference() throws {
        let (document, m) = try baseDocument()
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        // An id of its own: ids from the shared counter can equal the vector document's `p10xx` ids.
        let title = Model(id: "title-under-test", typeName: "Title", attributes: [(name: "text", value: "T")])
        m["plot"]?.set("title", .model(title))
        #expect(!document.isSynced(title))
        let first = document.patchContent(for: events).json
        #expect(
            first["events"]?.arrayValue?.first?["new"]
                == .object([
                    "type": "object", "name": "Title", "id": .string(title.id), "attributes": .object(["text": "T"]),
                ]))
        #expect(document.isSynced(title))
        let second = document.patchContent(for: events).json
        #expect(second["events"]?.arrayValue?.first?["new"] == .object(["id": .string(title.id)]))
    }

    @Test func streamingAndPatchingProduceEventsWithBuffers() throws {
        let (document, m) = try baseDocument()
        let source = try #require(m["source"])
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        try document.stream(to: source, ["x": .ndarray(NDArray(.float64([4, 5]))), "y": [40.0, 50.0]], rollover: 4)
        let data = source["data"]?.mapValue
        #expect(data?["x"] == .ndarray(NDArray(.float64([2, 3, 4, 5]))))
        #expect(data?["y"] == [20.0, 30.0, 40.0, 50.0])
        try document.patch(source, [("x", [(.index(0), 9.0), (.slice(Slice(start: 1, stop: 3)), [7.0, 8.0])])])
        #expect(source["data"]?.mapValue?["x"] == .ndarray(NDArray(.float64([9, 7, 8, 5]))))
        let (content, buffers) = document.patchContent(for: events)
        #expect(buffers.count == 1)
        #expect(buffers.first?.bytes.count == 16)
        let expected = try patchMessages("event_columns_streamed.json")[0]
        let streamed = try #require(content["events"]?.arrayValue?.first)
        #expect(streamed["data"]?["entries"]?.arrayValue?.count == 2)
        #expect(streamed["rollover"] == 4)
        #expect(expected.content["events"]?.arrayValue?.first?["kind"] == streamed["kind"])
    }

    @Test func patchesMultiDimensionalColumns() throws {
        let image = Model(
            "ColumnDataSource",
            [
                "data": .map([
                    "image": [.ndarray(try NDArray(.float64([0, 1, 2, 3, 4, 5]), shape: [2, 3]))],
                    "grid": .ndarray(try NDArray(.int32([0, 0, 0, 0]), shape: [2, 2])),
                ])
            ])
        let document = Document()
        document.addRoot(image)
        try document.patch(
            image,
            [
                ("image", [(.multi([.index(0), .index(1), .slice(Slice(start: 0, stop: 2))]), [9.0, 8.0])]),
                ("grid", [(.multi([.slice(Slice()), .index(1)]), [1, 2])]),
            ])
        let data = image["data"]?.mapValue
        #expect(data?["image"] == [.ndarray(try NDArray(.float64([0, 1, 2, 9, 8, 5]), shape: [2, 3]))])
        #expect(data?["grid"] == .ndarray(try NDArray(.int32([0, 1, 0, 2]), shape: [2, 2])))
    }

    @Test func heldChangesAreCombinedAndDeliveredOnUnhold() throws {
        let (document, m) = try baseDocument()
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        document.hold()
        m["slider"]?.set("value", 4)
        m["slider"]?.set("value", 5)
        document.setTitle("held")
        #expect(events.isEmpty)
        document.unhold()
        #expect(events.count == 2)
        if case .modelChanged(let e) = events.first {
            #expect(e.new == 5)
        } else {
            Issue.record("expected ModelChanged")
        }
        document.hold(.collect)
        m["slider"]?.set("value", 6)
        m["slider"]?.set("value", 7)
        document.unhold()
        #expect(events.count == 4)
    }

    @Test func removedCallbacksStopFiring() throws {
        let (document, m) = try baseDocument()
        var count = 0
        let div = try #require(m["div"])
        let token = document.onChange(of: div, attribute: "text") { _, old, new in
            #expect(old == "old" && new == "new")
            count += 1
        }
        m["div"]?.set("text", "new")
        document.removeCallback(token)
        m["div"]?.set("text", "newer")
        #expect(count == 1)
    }

    @Test func idsAreSequentialAndShared() {
        let a = IDGenerator.next()
        let b = IDGenerator.next()
        #expect(a.hasPrefix("p") && b.hasPrefix("p"))
        #expect(Int(b.dropFirst())! > Int(a.dropFirst())!)
    }
}

@Suite struct MessageVectorTests {
    /// The documents inside PULL-DOC-REPLY and PUSH-DOC re-encode to Python's exact content text.
    @Test(arguments: ["msg_pull_doc_reply.json", "msg_push_doc.json"])
    func documentMessagesReencodeExactly(name: String) throws {
        let file = try vector(name)
        let frames = try #require(file["frames"]?.arrayValue)
        let contentText = try #require(frames[2]["text"]?.stringValue)
        let content = try JSONReader.parse(contentText)
        let expectedBuffers = buffers(file["decoded"]?["buffers"])
        let document = try Document(fromJSON: try #require(content["doc"]), buffers: expectedBuffers)
        let (doc, ours) = document.toJSON()
        let result = aligned(.object(["doc": doc]), ours, to: expectedBuffers)
        #expect(result.buffersEqual)
        #expect(try compact(result.json) == contentText)
    }

    @Test func streamedMessageDecodesAgainstItsSource() throws {
        let file = try vector("msg_patch_doc_streamed.json")
        let frames = try #require(file["frames"]?.arrayValue)
        let contentText = try #require(frames[2]["text"]?.stringValue)
        let content = try JSONReader.parse(contentText)
        let event = try #require(content["events"]?.arrayValue?.first)
        let sourceID = try #require(event["model"]?["id"]?.stringValue)
        let source = Model(id: sourceID, typeName: "ColumnDataSource")
        var deserializer = Deserializer(references: [sourceID: source], buffers: buffers(file["decoded"]?["buffers"]))
        let decoded = try DocumentEvent.decode(event, with: &deserializer)
        var serializer = Serializer(known: [sourceID])
        let again: JSONValue = .object(["events": [decoded.encode(with: &serializer)]])
        let result = aligned(again, serializer.buffers, to: buffers(file["decoded"]?["buffers"]))
        #expect(result.buffersEqual)
        #expect(try compact(result.json) == contentText)
    }
}

@Suite struct JSONPropertyTests {
    static func randomValue(_ rng: inout SeededGenerator, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0..<64, using: &rng))
        case 3:
            return .double(Double(bitPattern: rng.next())).isFiniteDouble
                ?? .double(Double.random(in: -1e300...1e300, using: &rng))
        case 4, 5:
            let scalars = (0..<Int.random(in: 0..<12, using: &rng)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0..<0x11_0000, using: &rng))
            }
            return .string(String(String.UnicodeScalarView(scalars)))
        case 6: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .object(
                JSONObject(
                    (0..<Int.random(in: 0..<5, using: &rng)).map { i in
                        (key: "k\(i)", value: randomValue(&rng, depth: depth + 1))
                    }))
        }
    }

    @Test(arguments: [1, 7, 0x5eed, 0xdead_beef] as [UInt64])
    func writerOutputReadsBackIdentically(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let value = Self.randomValue(&rng, depth: 0)
            for options in [JSONWriterOptions.bokehContent, .pythonDefault, JSONWriterOptions(ensureASCII: false)] {
                let bytes = try JSONWriter(options: options).bytes(value)
                #expect(try JSONReader.parse(bytes) == value, "seed \(seed)")
                let bridged = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                #expect(JSONSerialization.isValidJSONObject([bridged]), "seed \(seed)")
            }
        }
    }
}

extension JSONValue {
    fileprivate var isFiniteDouble: JSONValue? {
        if case .double(let d) = self, d.isFinite { return self }
        return nil
    }
}

@Suite struct IdentityTests {
    @Test func idsAreUniqueAcrossThreads() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<1000).map { _ in IDGenerator.next() } } }
            var all: [String] = []
            for await chunk in group { all += chunk }
            return all
        }
        #expect(Set(ids).count == 8000)
        #expect(ids.allSatisfy { $0.hasPrefix("p") && Int($0.dropFirst()) != nil })
    }

    @Test func settersAreDistinct() {
        #expect(Setter() != Setter())
    }

    @Test func settingTheCurrentValueIsNotAChange() throws {
        let (document, m) = try baseDocument()
        var count = 0
        document.onChange { _ in count += 1 }
        m["slider"]?.set("value", 3)
        let outcome = try document.applyPatch(
            try JSONReader.parse(
                #"{"events":[{"kind":"ModelChanged","model":{"id":"p1005"},"attr":"value","new":3}]}"#),
            setter: Setter())
        #expect(count == 0)
        if case .applied(let events) = outcome { #expect(events.isEmpty) } else { Issue.record("unexpected outcome") }
    }
}
