import DocumentModel
import Foundation
import Protocol
import ServerCore
import Testing

@testable import Client

/// The client against our in-process server on a free loopback port.
@Suite(.serialized) struct ClientLoopbackTests {
    static let timeout = Duration.seconds(5)

    @Test func pullsAndSeesTheServerCallbacksChange() async throws {
        try await withDemoServer { url in
            let session = try await pullSession(url: url, timeout: Self.timeout)
            defer { session.close() }
            #expect(session.connected)
            #expect(session.connection.state == .connectedAfterACK)
            try await session.withDocument { $0.model(named: "slider")?.set("value", .int(4)) }
            try await session.forceRoundtrip()
            let status = try await session.withDocument { $0.model(named: "status")?["text"]?.stringValue }
            #expect(status == "slider=4")
        }
    }

    @Test func patchArrivingWhileWaitingForAReplyIsApplied() async throws {
        try await withDemoServer { url in
            let first = try await pullSession(url: url, timeout: Self.timeout)
            defer { first.close() }
            let second = try await pullSession(sessionID: first.id, url: url, timeout: Self.timeout)
            defer { second.close() }
            try await first.withDocument { $0.model(named: "slider")?.set("value", .int(6)) }
            try await first.forceRoundtrip()
            // The server's PATCH-DOCs for `second` precede the reply to its request: they arrive while
            // `second` waits, and are applied.
            try await second.forceRoundtrip()
            let seen = try await second.withDocument {
                ($0.model(named: "slider")?["value"]?.doubleValue, $0.model(named: "status")?["text"]?.stringValue)
            }
            #expect(seen.0 == 6 && seen.1 == "slider=6")
        }
    }

    @Test func serverPatchesAreNotSentBack() async throws {
        try await withDemoServer { url in
            let session = try await pullSession(url: url, timeout: Self.timeout)
            defer { session.close() }
            try await session.withDocument { document in
                document.model(named: "slider")?.set("value", .int(2))
                document.model(named: "slider")?.set("title", .string("Level"))
            }
            try await session.forceRoundtrip()
            try await session.forceRoundtrip()
            let status = try await session.withDocument { $0.model(named: "status")?["text"]?.stringValue }
            #expect(status == "slider=2")
            // One PATCH-DOC per local change; the server's status change was applied, not echoed.
            #expect(session.connection.patchesSent == 2)
            #expect(session.patchErrors.isEmpty)
        }
    }

    @Test func pushedDocumentIsPulledBackEqual() async throws {
        try await withDemoServer { url in
            let document = Document(title: "pushed")
            document.addRoot(Model("Div", ["name": .string("d"), "text": .string("hi")]))
            let expected = document.toJSON().json
            let pusher = try await pushSession(document, url: url, timeout: Self.timeout)
            defer { pusher.close() }
            let puller = try await pullSession(sessionID: pusher.id, url: url, timeout: Self.timeout)
            defer { puller.close() }
            #expect(try await puller.withDocument { $0.toJSON().json } == expected)
            #expect(throws: ClientError.self) { try pusher.push(Document()) }
        }
    }

    @Test func blockingAPIWorksFromAPlainThread() async throws {
        try await withDemoServer { url in
            let result = await Task.detached { () -> String? in
                let session = try? pullSession(url: url, timeout: Self.timeout)
                defer { session?.close() }
                try? session?.withDocument { $0.model(named: "slider")?.set("value", .int(8)) }
                try? session?.forceRoundtrip()
                return try? session?.withDocument { $0.model(named: "status")?["text"]?.stringValue }
            }.value
            #expect(result == "slider=8")
        }
    }

    @Test func requestServerInfoIsRemembered() async throws {
        try await withDemoServer { url in
            let session = try ClientSession(
                websocketURL: ClientURL.websocketURL(fromServerURL: url), timeout: Self.timeout)
            defer { session.close() }
            try await session.connect()
            let info = try await session.requestServerInfo()
            #expect(info == VersionInfo.current)
            #expect(try await session.requestServerInfo() == info)
        }
    }

    @Test func refusedConnectionFailsWithANetworkError() async throws {
        // Bind and release a port so nothing listens there.
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(applications: [(path: "/x", application: .demo())], configuration: configuration)
        try server.start()
        let port = server.port
        server.stop()
        let session = try ClientSession(websocketURL: "ws://127.0.0.1:\(port)/x/ws", timeout: Self.timeout)
        await #expect(throws: ClientError.self) { try await session.pull() }
        #expect(session.connection.errorReason == .networkError)
        #expect(throws: ClientError.self) { try session.checkConnectionErrors() }
        #expect(!session.connected)
    }

    @Test func closeIsClean() async throws {
        try await withDemoServer { url in
            let session = try await pullSession(url: url, timeout: Self.timeout)
            await session.close(why: "finished")
            #expect(session.connection.errorReason == .noError)
            #expect(await session.loopUntilClosed(timeout: .seconds(1)))
            await #expect(throws: ClientError.self) { try await session.forceRoundtrip() }
        }
    }
}
