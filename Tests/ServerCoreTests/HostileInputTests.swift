import DocumentModel
import Foundation
import Protocol
@testable import ServerCore
import Synchronization
import Testing
import Wire

/// What a client can send that stopped the whole server (every session of every app), over real sockets.
/// After each, the server still answers a witness. Python's `bokeh serve` 3.10.2 survives all of these too;
/// where it answers differently it is noted.
@Suite(.serialized) struct HostileInputTests {
    static func token(expiry: String, id: String) -> String {
        Base64URL.encode(#"{"session_id": "\#(id)", "session_expiry": \#(expiry)}"#)
    }

    /// A server with the test app at /test and the demo app at /demo.
    func start() throws -> Server {
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(
            applications: [(path: "/test", application: testApplication), (path: "/demo", application: .demo())],
            configuration: configuration)
        try server.start()
        return server
    }

    /// The witness: a fresh session still opens and answers a pull.
    func witness(_ server: Server, loop: EventLoop) async throws -> Bool {
        let client = RawClient(
            port: server.port, path: "/test", token: try validToken(id: "witness-\(UUID().uuidString.prefix(8))"),
            loop: loop)
        guard await eventually(timeout: .seconds(10), { client.observed.texts.count >= 3 }) else { return false }
        try client.send([.pullDocumentRequest()])
        return await eventually(timeout: .seconds(10)) { client.replies.count == 1 }
    }

    /// `session_expiry` of ±1e300 (and other values beyond Int) in a page request's `bokeh-token` and in a
    /// WebSocket's token trapped in a numeric conversion. Python serves the page (it does not check expiry
    /// there) and compares the expiry as a number at the WebSocket: so do we.
    @Test func tokensWithExpiriesBeyondIntNeitherCrashNorExpireWrongly() async throws {
        let server = try start()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        for (i, expiry) in ["1e300", "-1e300", "1e19", "9.3e18", "100000000000000000000"].enumerated() {
            let token = Self.token(expiry: expiry, id: "expiry\(i)")
            let page = try rawHTTP(
                port: server.port,
                "GET /test?bokeh-token=\(token) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(page.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(expiry)")
            let client = RawClient(port: server.port, path: "/test", token: token, loop: loop)
            if expiry.hasPrefix("-") {
                #expect(await eventually { client.observed.close != nil }, "\(expiry)")
                #expect(client.observed.texts.isEmpty)
            } else {
                #expect(await eventually { client.observed.texts.count >= 3 }, "\(expiry)")
            }
        }
        #expect(try await witness(server, loop: loop))
    }

    func openSession(_ server: Server, path: String = "/test", id: String, loop: EventLoop) async throws -> (
        RawClient, [String: String]
    ) {
        let client = RawClient(port: server.port, path: path, token: try validToken(id: id), loop: loop)
        #expect(await eventually { client.observed.texts.count >= 3 })
        let session = try server.getSession(appPath: path, id: id)
        let ids = try session.eventLoop.submitAndWait { () -> [String: String] in
            var ids: [String: String] = [:]
            for name in ["slider", "status"] { ids[name] = session.document.model(named: name)?.id }
            return ids
        }
        return (client, ids)
    }

    func patch(_ client: RawClient, id: String, _ events: String) {
        client.sendTexts(#"{"msgid": "\#(id)", "msgtype": "PATCH-DOC"}"#, "{}", #"{"events": [\#(events)]}"#)
    }

    /// `Int.min` in a PATCH-DOC, then a PULL-DOC-REQ: the serializer's `abs` trapped. Python writes the
    /// value as a float; so do we.
    @Test func intMinIsPulledBackAsAFloat() async throws {
        let server = try start()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let (client, ids) = try await openSession(server, id: "intmin", loop: loop)
        let status = try #require(ids["status"])
        patch(
            client, id: "p1",
            #"{"kind": "ModelChanged", "model": {"id": "\#(status)"}, "attr": "text", "new": -9223372036854775808}"#)
        #expect(await eventually { client.contents(of: "OK").count == 1 })
        try client.send([.pullDocumentRequest()])
        #expect(await eventually { client.replies.count == 1 })
        #expect(client.contents(of: "PULL-DOC-REPLY").first?.contains("-9.223372036854776e+18") == true)
        #expect(try await witness(server, loop: loop))
    }

    /// 20,000 models chained by reference in one PATCH-DOC: serializing or freeing them recursed once per
    /// model. The patch is answered with ERROR (Python: a RecursionError when it next writes the document)
    /// and the session goes on.
    @Test func aLongChainOfModelsIsAnsweredWithError() async throws {
        let server = try start()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let (client, ids) = try await openSession(server, id: "chain", loop: loop)
        let status = try #require(ids["status"])
        var items = [#"{"type": "object", "name": "Div", "id": "c0"}"#]
        for i in 1..<20_000 {
            items.append(
                #"{"type": "object", "name": "Div", "id": "c\#(i)", "attributes": {"tags": [{"id": "c\#(i - 1)"}]}}"#)
        }
        patch(
            client, id: "p1",
            #"{"kind": "ModelChanged", "model": {"id": "\#(status)"}, "attr": "tags", "new": [\#(items.joined(separator: ", "))]}"#
        )
        #expect(await eventually(timeout: .seconds(20)) { client.contents(of: "ERROR").count == 1 })
        #expect(client.contents(of: "ERROR").first?.contains("models nested deeper than 100 levels") == true)
        try client.send([.pullDocumentRequest()])
        #expect(await eventually { client.replies.count == 1 })
        #expect(try await witness(server, loop: loop))
    }

    /// Columns whose shape's product wraps, and huge dimensions of empty columns: streaming and patching
    /// overflowed or allocated without bound. Each is an ERROR reply (Python: numpy refuses the shape).
    @Test func overflowingShapesAreAnsweredWithError() async throws {
        let server = try start()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let (client, ids) = try await openSession(server, path: "/demo", id: "shapes", loop: loop)
        _ = ids
        let session = try server.getSession(appPath: "/demo", id: "shapes")
        let source = try #require(try session.eventLoop.submitAndWait { session.document.model(named: "source")?.id })
        let wrapped =
            #"{"type": "ndarray", "array": [], "shape": [1, 4294967296, 4294967296], "dtype": "float64", "order": "little"}"#
        patch(
            client, id: "p1",
            #"{"kind": "ColumnDataChanged", "model": {"id": "\#(source)"}, "attr": "data", "data": {"type": "map", "entries": [["x", \#(wrapped)]]}, "cols": ["x"]}"#
        )
        let empty =
            #"{"type": "ndarray", "array": [], "shape": [0, 9223372036854775807], "dtype": "float64", "order": "little"}"#
        patch(
            client, id: "p2",
            #"{"kind": "ColumnDataChanged", "model": {"id": "\#(source)"}, "attr": "data", "data": {"type": "map", "entries": [["x", \#(empty)]]}, "cols": ["x"]}"#
        )
        let slice = #"{"type": "slice", "start": null, "stop": null, "step": null}"#
        patch(
            client, id: "p3",
            #"{"kind": "ColumnsPatched", "model": {"id": "\#(source)"}, "attr": "data", "patches": {"type": "map", "entries": [["x", [[[\#(slice), \#(slice)], []]]]]}}"#
        )
        patch(
            client, id: "p4",
            #"{"kind": "ColumnsStreamed", "model": {"id": "\#(source)"}, "attr": "data", "data": {"type": "map", "entries": [["x", [1.0]]]}, "rollover": null}"#
        )
        #expect(await eventually { client.contents(of: "ERROR").count + client.contents(of: "OK").count == 4 })
        #expect(client.contents(of: "ERROR").count == 2)  // p1 (the shape) and p4 (rows of Int.max values)
        #expect(try await witness(server, loop: loop))
    }

    /// A slider value nested 500 levels deep reached a string interpolation in the demo app's callback and
    /// in error texts, whose reflection walked it all and overflowed the loop's stack.
    @Test func deeplyNestedValuesInCallbacksAndErrorsAreDescribedBriefly() async throws {
        let server = try start()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let (client, ids) = try await openSession(server, path: "/demo", id: "deep", loop: loop)
        let slider = try #require(ids["slider"])
        let deep = String(repeating: #"{"a": "#, count: 500) + "1" + String(repeating: "}", count: 500)
        patch(
            client, id: "p1",
            #"{"kind": "ModelChanged", "model": {"id": "\#(slider)"}, "attr": "value", "new": \#(deep)}"#)
        #expect(await eventually { client.contents(of: "OK").count == 1 })
        let session = try server.getSession(appPath: "/demo", id: "deep")
        let text = try session.eventLoop.submitAndWait { session.document.model(named: "status")?["text"]?.stringValue }
        #expect(text?.hasPrefix("slider={'a': {'a': ") == true)
        #expect((text?.count ?? 0) < 300)
        #expect(try await witness(server, loop: loop))
    }
}
