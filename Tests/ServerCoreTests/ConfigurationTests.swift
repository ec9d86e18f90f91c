import Foundation
import ServerCore
import Testing
import Wire

/// `ServerConfiguration`: grouped settings, durations, Bokeh's environment variables applied only on request.
@Suite struct ConfigurationTests {
    @Test func defaultsAreBokehs() {
        let c = ServerConfiguration()
        #expect(c.network.port == 5006 && c.network.address == nil && c.network.prefix == "")
        #expect(c.network.eventLoops == 1 && c.network.busyPoll == .zero)
        #expect(c.websocket.keepAlive == .milliseconds(37_000))
        #expect(c.sessions.unusedCheckInterval == .milliseconds(17_000))
        #expect(c.sessions.unusedLifetime == .milliseconds(15_000))
        #expect(c.sessions.statsLogInterval == .milliseconds(15_000))
        #expect(c.sessions.tokenExpiration == .seconds(300))
        #expect(c.websocket.maxMessageSize == 20 * 1024 * 1024 && c.websocket.compressionLevel == nil)
        #expect(c.websocket.allowedOrigins == .localhost)
        #expect(!c.sessions.signSessions && c.sessions.generateSessionIDs && c.sessions.secretKey == nil)
        #expect(c.front.favicon == .bokeh && c.front.useIndex && c.front.redirectRoot && c.front.indexFile == nil)
        #expect(c.tls.certificateFile == nil && c.tls.keyFile == nil)
    }

    @Test func environmentFillsTheSecretKeyWithoutReplacingAGivenOne() throws {
        let fromEnvironment = try ServerConfiguration().applyingEnvironment(["BOKEH_SECRET_KEY": "env-key"])
        #expect(fromEnvironment.sessions.secretKey == "env-key")
        var given = ServerConfiguration()
        given.sessions.secretKey = "given"
        #expect(try given.applyingEnvironment(["BOKEH_SECRET_KEY": "env-key"]).sessions.secretKey == "given")
        #expect(try ServerConfiguration().applyingEnvironment([:]).sessions.secretKey == nil)
    }

    @Test(arguments: [
        ("yes", true), ("1", true), ("on", true), ("TRUE", true), ("no", false), ("0", false), ("Off", false),
        ("false", false),
    ])
    func signSessionsTakesBokehsBooleans(_ value: String, _ expected: Bool) throws {
        var start = ServerConfiguration()
        start.sessions.signSessions = !expected
        #expect(try start.applyingEnvironment(["BOKEH_SIGN_SESSIONS": value]).sessions.signSessions == expected)
    }

    @Test func signSessionsThatIsNotABooleanIsRefusedWithBokehsMessage() {
        #expect(throws: ConfigurationError.invalidValue(setting: "BOKEH_SIGN_SESSIONS")) {
            try ServerConfiguration().applyingEnvironment(["BOKEH_SIGN_SESSIONS": "maybe"])
        }
        do { _ = try ServerConfiguration().applyingEnvironment(["BOKEH_SIGN_SESSIONS": "maybe"]) } catch {
            #expect(error.description == "Cannot convert maybe to boolean value")
        }
    }

    @Test func allowWSOriginReplacesTheOriginsAsWritten() throws {
        var c = ServerConfiguration()
        c.websocket.allowedOrigins = .hosts(["example.com"])
        let applied = try c.applyingEnvironment(["BOKEH_ALLOW_WS_ORIGIN": " a.com, b.com:81,,"])
        #expect(applied.websocket.allowedOrigins == .exactly(["a.com", "b.com:81"]))
        #expect(
            try c.applyingEnvironment(["BOKEH_ALLOW_WS_ORIGIN": ""]).websocket.allowedOrigins
                == c.websocket.allowedOrigins)
    }

    @Test func aServerReadsOnlyItsConfiguration() {
        // A Server reads no environment variable: signing without a key in its configuration fails, whatever the
        // process's BOKEH_SECRET_KEY (swift-bokeh serve applies it with applyingEnvironment()).
        var c = ServerConfiguration()
        c.network.port = 0
        c.sessions.signSessions = true
        #expect(throws: ConfigurationError.missingSecretKey) { try Server(applications: [:], configuration: c) }
    }

    @Test func durationsAreValidatedWithBokehsSettingNames() {
        func refusal(_ change: (inout ServerConfiguration) -> Void) -> String? {
            var c = ServerConfiguration()
            change(&c)
            do { try c.validate() } catch let error as ConfigurationError { return error.setting } catch { return "?" }
            return nil
        }
        #expect(refusal { $0.websocket.keepAlive = .milliseconds(-1) } == "keep_alive_milliseconds")
        #expect(refusal { $0.websocket.keepAlive = .zero } == nil)
        #expect(refusal { $0.sessions.unusedCheckInterval = .zero } == "check_unused_sessions_milliseconds")
        #expect(
            refusal { $0.sessions.unusedCheckInterval = .microseconds(999) } == "check_unused_sessions_milliseconds")
        #expect(refusal { $0.sessions.unusedLifetime = .seconds(-5) } == "unused_session_lifetime_milliseconds")
        #expect(refusal { $0.sessions.statsLogInterval = .zero } == "stats_log_frequency_milliseconds")
        #expect(refusal { $0.sessions.tokenExpiration = .milliseconds(500) } == "session_token_expiration")
        #expect(refusal { $0.websocket.writeStallTimeout = .seconds(-1) } == "write_stall_timeout_milliseconds")
        #expect(refusal { $0.network.requestTimeout = .zero } == "request_timeout")
        #expect(refusal { $0.network.shutdownDrainTimeout = .seconds(-1) } == "shutdown_drain_timeout")
        #expect(refusal { $0.sessions.unusedLifetime = .seconds(Int64.max) } == nil)
    }

    @Test func environmentOriginsAreUsedExactly() async throws {
        let server = try startServer { $0.websocket.allowedOrigins = .exactly(["evil.com:80"]) }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let evil = connect(server, subprotocols: ["bokeh", try validToken()], origin: "http://evil.com", loop: loop)
        #expect(await eventually { evil.texts.count >= 3 })
        // Not normalised and without the localhost default: localhost is refused.
        let local = connect(
            server, subprotocols: ["bokeh", try validToken()], origin: "http://localhost:\(server.port)", loop: loop)
        #expect(await eventually { local.failure != nil })
        #expect(local.failure?.contains("403") == true)
    }

    /// Code written against the flat spellings keeps compiling and lands in the groups.
    @available(*, deprecated)
    @Test func flatSpellingsForwardToTheGroups() {
        var c = ServerConfiguration()
        c.port = 8080
        c.address = "127.0.0.1"
        c.numProcs = 3
        c.busyPollMicroseconds = 50
        c.keepAliveMilliseconds = 1500
        c.checkUnusedSessionsMilliseconds = 2000
        c.unusedSessionLifetimeMilliseconds = 3000
        c.statsLogFrequencyMilliseconds = 4000
        c.sessionTokenExpiration = 60
        c.writeStallTimeoutMilliseconds = 0
        c.allowWebsocketOrigins = ["a.com"]
        c.staticDirectory = "/s"
        c.icoPath = "none"
        c.sslCertFile = "/c.pem"
        c.index = "/i.html"
        #expect(c.network.port == 8080 && c.network.address == "127.0.0.1" && c.network.eventLoops == 3)
        #expect(c.network.busyPoll == .microseconds(50) && c.busyPollMicroseconds == 50)
        #expect(c.websocket.keepAlive == .milliseconds(1500) && c.keepAliveMilliseconds == 1500)
        #expect(c.sessions.unusedCheckInterval == .seconds(2) && c.sessions.unusedLifetime == .seconds(3))
        #expect(c.sessions.statsLogInterval == .seconds(4) && c.sessions.tokenExpiration == .seconds(60))
        #expect(c.websocket.writeStallTimeout == .zero)
        #expect(c.websocket.allowedOrigins == .hosts(["a.com"]) && c.allowWebsocketOrigins == ["a.com"])
        c.allowWebsocketOrigins = nil
        #expect(c.websocket.allowedOrigins == .localhost)
        #expect(c.front.staticDirectory == "/s" && c.front.favicon == Favicon.none && c.front.indexFile == "/i.html")
        #expect(c.tls.certificateFile == "/c.pem")
    }
}
