import DocumentModel
import Foundation
import Protocol
import ServerCore
import Locking
import Testing
import Wire

/// What a graceful shutdown does, in order (Python's `bokeh serve` exits on SIGTERM without closing its
/// WebSockets or running session-destroyed hooks; we close with 1001 and run them).
@Suite struct LifecycleTests {
    @Test func shutdownClosesWebSocketsWith1001ThenRunsDestroyedHooksThenTheUnloadHook() async throws {
        let events = Lock<[String]>([])
        let app = Application(
            onServerUnloaded: { _ in events.withLock { $0.append("unloaded") } },
            onSessionDestroyed: { ctx in events.withLock { $0.append("destroyed:\(ctx.id)") } }
        ) { document, _ in document.addRoot(Model("Div")) }
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(applications: [(path: "/app", application: app)], configuration: configuration)
        let running = Task { try await server.run() }
        #expect(await eventually { server.port != 0 })
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = RawClient(port: server.port, path: "/app", token: try validToken(id: "drained"), loop: loop)
        #expect(await eventually { (try? server.getSession(appPath: "/app", id: "drained"))?.connectionCount == 1 })

        server.requestShutdown()
        try await running.value
        #expect(client.observed.close?.code?.rawValue == 1001)
        #expect(client.observed.close?.reason == "server shutting down")
        #expect(events.withLock { $0 } == ["destroyed:drained", "unloaded"])
        #expect(server.getSessions().isEmpty)
    }

    @Test func aShutdownRequestedBeforeRunStillDrains() async throws {
        let unloaded = Lock(0)
        let app = Application(onServerUnloaded: { _ in unloaded.withLock { $0 += 1 } }) { document, _ in
            document.addRoot(Model("Div"))
        }
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(applications: [(path: "/app", application: app)], configuration: configuration)
        server.requestShutdown()
        try await server.run()
        #expect(unloaded.withLock { $0 } == 1)
    }
}

/// ServerCore's errors are matched by kind, not by their text.
@Suite struct MatchableErrorTests {
    @Test func configurationErrorsNameTheirSetting() throws {
        var configuration = ServerConfiguration()
        configuration.network.port = 70_000
        #expect(throws: ConfigurationError.invalidValue(setting: "port")) { try configuration.validate() }
        do { try configuration.validate() } catch let error as ConfigurationError {
            #expect(error.setting == "port" && error.description == "invalid port 70000")
        }
        configuration.network.port = 0
        configuration.sessions.signSessions = true
        configuration.sessions.secretKey = ""
        #expect(throws: ConfigurationError.missingSecretKey) {
            try Server(applications: [:], configuration: configuration)
        }
        #expect(
            ConfigurationError.invalidValue(setting: "port") != ConfigurationError.invalidValue(setting: "num_procs"))
    }

    @Test func sessionErrorsAreMatchedByKind() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        #expect(throws: SessionError.mismatchedUnblock) { try f.session.unblockExpiration() }
        #expect(SessionError.mismatchedUnblock != SessionError.invalidTokenSignature)
        await #expect(throws: SessionError.emptySessionID) { try await f.app.createSessionIfNeeded(id: "", token: "t") }
    }
}
