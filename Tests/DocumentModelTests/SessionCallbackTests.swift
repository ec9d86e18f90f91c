@testable import DocumentModel
import Testing

/// Session callbacks recorded on a document, its events, and the events' extra members (offline: no server).
@Suite struct DocumentSessionCallbackTests {
    @Test func addingAndRemovingRaisesTheCallbackEventsAndKeepsTheList() throws {
        let document = Document()
        var kinds: [String] = []
        var seen: [SessionCallback] = []
        document.onChange { event in
            kinds.append(event.kind)
            #expect(!event.isPatchEvent)
            #expect(event.document === document)
            if case .sessionCallbackAdded(let e) = event { seen.append(e.callback) }
        }
        let periodic = document.addPeriodicCallback(every: .milliseconds(250)) { _ in }
        let timeout = document.addTimeoutCallback(after: .seconds(2)) { _ in }
        let tick = document.addNextTickCallback { _ in }
        #expect(kinds == ["SessionCallbackAdded", "SessionCallbackAdded", "SessionCallbackAdded"])
        #expect(seen.map(\.id) == [periodic.id, timeout.id, tick.id])
        #expect(document.sessionCallbacks.map(\.id) == [periodic.id, timeout.id, tick.id])
        #expect(periodic.id.hasPrefix("p") && periodic.id != timeout.id)
        #expect(periodic.kind == .periodic && periodic.period == .milliseconds(250) && periodic.timeout == nil)
        #expect(timeout.kind == .timeout && timeout.timeout == .seconds(2) && timeout.period == nil)
        #expect(tick.kind == .nextTick && tick.period == nil && tick.timeout == nil)

        try document.removePeriodicCallback(periodic)
        #expect(kinds.last == "SessionCallbackRemoved")
        #expect(periodic.isRemoved)
        #expect(document.sessionCallbacks.map(\.id) == [timeout.id, tick.id])
        // Twice, or as the wrong kind: typed errors, as Bokeh raises ValueError.
        let twice = #expect(throws: DocumentError.self) { try document.removePeriodicCallback(periodic) }
        #expect(twice?.isCallbackNotFound == true)
        #expect(twice?.description == "callback already ran or was already removed, cannot be removed again")
        let wrongKind = #expect(throws: DocumentError.self) { try document.removeTimeoutCallback(tick) }
        #expect(wrongKind?.isCallbackNotFound == false)
        #expect(!tick.isRemoved)
        // Another document's callback is unknown here.
        let other = Document().addNextTickCallback { _ in }
        #expect(
            (#expect(throws: DocumentError.self) { try document.removeSessionCallback(other) })?.isCallbackNotFound
                == true)
        // `remove()` on the handle is the quiet form.
        tick.remove()
        tick.remove()
        #expect(document.sessionCallbacks.map(\.id) == [timeout.id])
        try document.removeTimeoutCallback(timeout)
        #expect(document.sessionCallbacks.isEmpty)
        #expect(kinds.filter { $0 == "SessionCallbackRemoved" }.count == 3)
    }

    @Test func aOneShotCallbackLeavesTheListBeforeItRuns() throws {
        let document = Document()
        var removedBeforeRun = false
        var listed = true
        var handle: SessionCallback?
        var events: [String] = []
        document.onChange { events.append($0.kind) }
        handle = document.addTimeoutCallback(after: .zero) { doc in
            removedBeforeRun = handle?.isRemoved ?? false
            listed = doc.sessionCallbacks.contains { $0 === handle }
        }
        let callback = try #require(handle)
        try document.runSessionCallback(callback)
        #expect(removedBeforeRun && !listed)
        #expect(events == ["SessionCallbackAdded", "SessionCallbackRemoved"])
        #expect(throws: DocumentError.self) { try document.removeTimeoutCallback(callback) }
        // A spent one-shot callback does not run again; a periodic one stays listed.
        var runs = 0
        let periodic = document.addPeriodicCallback(every: .seconds(1)) { _ in runs += 1 }
        try document.runSessionCallback(callback)
        try document.runSessionCallback(periodic)
        try document.runSessionCallback(periodic)
        #expect(runs == 2 && document.sessionCallbacks.count == 1)
    }

    @Test func callbackEventsAreNotHeldAndNotSentToPeers() {
        let document = Document()
        var kinds: [String] = []
        document.onChange { kinds.append($0.kind) }
        document.hold(.collect)
        document.title = "held"
        _ = document.addNextTickCallback { _ in }
        #expect(kinds == ["SessionCallbackAdded"])
        document.unhold()
        #expect(kinds == ["SessionCallbackAdded", "TitleChanged"])
        let callback = document.addPeriodicCallback(every: .seconds(1)) { _ in }
        let (json, _) = document.patchContent(for: [
            .sessionCallbackAdded(SessionCallbackAddedEvent(callback: callback)),
            .titleChanged(TitleChangedEvent(title: "t")),
        ])
        guard case .object(let object) = json, case .array(let events)? = object["events"] else {
            Issue.record("\(json)")
            return
        }
        #expect(events.count == 1)
    }

    @Test func destroyingTheDocumentMarksItsCallbacksRemoved() {
        let document = Document()
        let callback = document.addPeriodicCallback(every: .seconds(1)) { _ in }
        document.destroy()
        #expect(callback.isRemoved)
        #expect(document.sessionCallbacks.isEmpty)
    }
}

@Suite struct DocumentEventMemberTests {
    @Test func eventsNameTheirDocument() {
        let document = Document()
        let div = Model("Div", ["text": .string("a")])
        document.addRoot(div)
        var documents: [Document?] = []
        document.onChange { documents.append($0.document) }
        div.set("text", .string("b"))
        document.title = "x"
        #expect(documents.count == 2 && documents.allSatisfy { $0 === document })
        // Made by hand and not yet delivered: no document.
        #expect(DocumentEvent.titleChanged(TitleChangedEvent(title: "y")).document == nil)
    }

    @Test func aHintedModelChangeIsWrittenAsItsHint() {
        let source = Model("ColumnDataSource", ["data": .map(ValueMap())])
        var rows = ValueMap()
        rows.entries.append((key: .string("x"), value: .list([.int(1), .int(2)])))
        let streamed = ColumnsStreamedEvent(model: source, data: rows, rollover: 10)
        let event = ModelChangedEvent(
            model: source, attribute: "data", new: .map(rows), hint: .columnsStreamed(streamed))
        #expect(event.hint?.kind == "ColumnsStreamed")
        var serializer = Serializer()
        let json = DocumentEvent.modelChanged(event).encode(with: &serializer)
        guard case .object(let object) = json else {
            Issue.record("\(json)")
            return
        }
        #expect(object["kind"]?.stringValue == "ColumnsStreamed")
        #expect(object["rollover"] == .int(10))
        // Without a hint, a model change is written whole.
        var plain = event
        plain.hint = nil
        var second = Serializer()
        guard case .object(let whole) = DocumentEvent.modelChanged(plain).encode(with: &second) else { return }
        #expect(whole["kind"]?.stringValue == "ModelChanged")
    }

    @Test func serializableNewWritesTheDocumentsModelsAsReferences() {
        let document = Document()
        let range = Model("Range1d", ["start": .int(0)])
        let plot = Model("Plot", ["x_range": .model(range)])
        document.addRoot(plot)
        var captured: ModelChangedEvent?
        document.onChange { if case .modelChanged(let e) = $0 { captured = e } }
        plot.set("y_range", .model(range))
        #expect(captured?.serializableNew == .object(["id": .string(range.id)]))
        plot.set("width", .int(300))
        #expect(captured?.serializableNew == .int(300))
        // An event made by hand, not delivered by a document: its models are written in full.
        let loose = ModelChangedEvent(model: plot, attribute: "y_range", new: .model(Model("Range1d")))
        guard case .object(let full) = loose.serializableNew else {
            Issue.record("\(loose.serializableNew)")
            return
        }
        #expect(full["type"]?.stringValue == "object" && full["name"]?.stringValue == "Range1d")
    }

    @Test func triggerEventReachesEventCallbacksOnly() {
        let document = Document()
        var lost = 0
        var sent = 0
        document.onEvent("connection_lost") { _ in lost += 1 }
        document.onChange { if case .messageSent = $0 { sent += 1 } }
        document.triggerEvent(UIEvent(name: "connection_lost", values: .map(ValueMap())))
        document.triggerEvent(UIEvent(name: "button_click", values: .map(ValueMap())))
        #expect(lost == 1 && sent == 0)
    }
}
