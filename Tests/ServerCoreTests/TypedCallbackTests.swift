import DocumentModel
import Foundation
import Protocol
import ServerCore
import Testing

/// An app written against the typed API: typed change callbacks and typed UI events in a session.
let typedApplication = Application { document, context in
    let slider = Slider(start: 0, end: 100, value: 0, .name("slider"))
    let status = Div(.name("status"), .text("ready"))
    let plot = figure(name: "plot")
    document.addRoot(slider)
    document.addRoot(status)
    document.addRoot(plot)
    context.onChange(of: slider, Slider.value) { old, new in
        status.text = "value=\(new ?? -1) was \(old ?? -1)"
    }
    context.onChange(of: slider, \.value) { old, new in status.text += " | key path: \(new) was \(old ?? -1)" }
    context.onEvent(.tap, of: plot, as: PointEvent.self) { tap in status.text = "tap at \(tap.x),\(tap.y)" }
    context.onEvent(.selectiongeometry, of: plot, as: SelectionGeometryEvent.self) { selection in
        status.text = "selected \(selection.type ?? "?") to \(selection.number("x1") ?? .nan), final \(selection.final)"
    }
    context.onEvent(.documentReady) { _ in status.text = "ready event" }
}

@Suite struct TypedCallbackTests {
    @Test func typedChangeCallbacksRunInASession() async throws {
        let f = try await Fixture(application: typedApplication)
        defer { f.shutdown() }
        _ = try f.setSlider(5, from: f.a)
        // Each callback's change is a PATCH-DOC of its own; the second carries both texts.
        #expect(await eventually { f.inboxA.types == ["PATCH-DOC", "PATCH-DOC", "OK"] })
        #expect(text(f.inboxA.messages[0]).contains("value=5.0 was 0.0"))
        #expect(text(f.inboxA.messages[1]).contains("value=5.0 was 0.0 | key path: 5.0 was 0.0"))
    }

    @Test func typedUIEventsDecode() async throws {
        let f = try await Fixture(application: typedApplication)
        defer { f.shutdown() }
        let texts = try await f.session.withDocumentLocked { document -> [String] in
            guard let plot = document.model(named: "plot"), let status = document.model(named: "status") as? Div
            else { return [] }
            var seen: [String] = []
            let tap: ValueMap = ["model": .model(plot), "sx": 1, "sy": 2, "x": 3.5, "y": 4.5]
            document.send(messageType: "bokeh_event", data: .event(name: "tap", values: .map(tap)))
            seen.append(status.text)
            let geometry: ValueMap = ["type": "rect", "x0": 0, "x1": 2.5, "y0": 0, "y1": 1]
            let selection: ValueMap = ["model": .model(plot), "geometry": .map(geometry), "final": false]
            document.send(messageType: "bokeh_event", data: .event(name: "selectiongeometry", values: .map(selection)))
            seen.append(status.text)
            document.send(messageType: "bokeh_event", data: .event(name: "document_ready", values: .map([:])))
            seen.append(status.text)
            return seen
        }
        #expect(texts == ["tap at 3.5,4.5", "selected rect to 2.5, final false", "ready event"])
    }
}
