import DocumentModel
import Foundation
import Protocol
import ServerCore
import Locking
import Testing
import Wire

/// What a raw WebSocket client saw.
final class Observed: Sendable {
    private let state = Lock<(frames: [WebSocketMessage], close: WebSocketCloseInfo?, failure: String?)>(
        ([], nil, nil))
    func frame(_ m: WebSocketMessage) { state.withLock { $0.frames.append(m) } }
    func closed(_ c: WebSocketCloseInfo) { state.withLock { $0.close = c } }
    func failed(_ e: String) { state.withLock { $0.failure = e } }
    var frames: [WebSocketMessage] { state.withLock { $0.frames } }
    var close: WebSocketCloseInfo? { state.withLock { $0.close } }
    var failure: String? { state.withLock { $0.failure } }
    var texts: [String] { frames.compactMap { if case .text(let t) = $0 { t } else { nil } } }
}

/// A server with the test application on a free loopback port.
func startServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> Server {
    var configuration = ServerConfiguration()
    configuration.network.address = "127.0.0.1"
    configuration.network.port = 0
    // Raw test requests name hosts such as `x`; the Host check has its own tests (HostCheckTests).
    configuration.network.checkHost = false
    configure(&configuration)
    let server = try Server(applications: [(path: "/test", application: testApplication)], configuration: configuration)
    try server.start()
    return server
}

/// Connects to `/test/ws`, sends `send` once open, and records what comes back.
func connect(
    _ server: Server, subprotocols: [String], origin: String? = nil, send: [WebSocketMessage] = [],
    loop: EventLoop
) -> Observed {
    let observed = Observed()
    var configuration = WebSocketClientConfiguration()
    configuration.subprotocols = subprotocols
    configuration.origin = origin
    configuration.channel.websocket.acceptsNonStandardCloseCodes = true
    let url = "ws://127.0.0.1:\(server.port)/test/ws"
    let config = configuration
    loop.execute {
        WebSocketClient.connect(to: url, on: loop, configuration: config) { result in
            switch result {
            case .failure(let error): observed.failed("\(error)")
            case .success(let channel):
                channel.onMessage = { observed.frame($0) }
                channel.onClose = { observed.closed($0) }
                for m in send { channel.send(m) }
            }
        }
    }
    return observed
}

func validToken(expiry: Int = Int(Date().timeIntervalSince1970) + 300, id: String = "loopback-session") throws -> String
{
    try SessionSigner().makeToken(sessionID: id, now: expiry - 300)
}

@Suite(.serialized) struct LoopbackTests {
    @Test func opensWithACKAndAnswersPull() async throws {
        let server = try startServer()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let pull = try MessageEncoder().encode(.pullDocumentRequest()).map { f -> WebSocketMessage in
            if case .text(let t) = f { .text(t) } else { .binary([]) }
        }
        let seen = connect(server, subprotocols: ["bokeh", try validToken()], send: pull, loop: loop)
        #expect(await eventually { seen.texts.count >= 6 })
        #expect(seen.texts.first?.contains("\"msgtype\": \"ACK\"") == true)
        #expect(seen.texts[3].contains("PULL-DOC-REPLY"))
        #expect(server.getSessions(appPath: "/test").count == 1)
        #expect((try? server.getSession(appPath: "/test", id: "loopback-session"))?.connectionCount == 1)
    }

    @Test(arguments: [["bokeh"], ["notbokeh", "x"], []])
    func badSubprotocolClosesBeforeACK(_ offered: [String]) async throws {
        let server = try startServer()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let seen = connect(server, subprotocols: offered, loop: loop)
        #expect(await eventually { seen.close != nil || seen.failure != nil })
        #expect(seen.frames.isEmpty)
    }

    @Test func expiredTokenClosesBeforeACK() async throws {
        let server = try startServer()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let seen = connect(server, subprotocols: ["bokeh", try validToken(expiry: 1000)], loop: loop)
        #expect(await eventually { seen.close != nil })
        #expect(seen.frames.isEmpty)
        #expect(server.getSessions().isEmpty)
    }

    @Test func signedSessionsRejectUnsignedTokens() async throws {
        let server = try startServer {
            $0.sessions.signSessions = true
            $0.sessions.secretKey = "test-secret-key-0123456789abcdefghijklmnopqrstuv"
        }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let seen = connect(server, subprotocols: ["bokeh", try validToken()], loop: loop)
        #expect(await eventually { seen.close != nil })
        #expect(seen.frames.isEmpty)
        let signer = try SessionSigner(
            secretKey: "test-secret-key-0123456789abcdefghijklmnopqrstuv", signsSessions: true)
        let good = try signer.makeToken(sessionID: signer.generateSessionID(), now: Int(Date().timeIntervalSince1970))
        let ok = connect(server, subprotocols: ["bokeh", good], loop: loop)
        #expect(await eventually { ok.texts.count >= 3 })
    }

    @Test func malformedMessagesCloseWithBokehCodes() async throws {
        let server = try startServer()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let binary = connect(
            server, subprotocols: ["bokeh", try validToken()], send: [.binary([1, 2, 3])], loop: loop)
        #expect(await eventually { binary.close != nil })
        #expect(binary.close?.code?.rawValue == 10001)
        #expect(binary.close?.reason == "expected text fragment but received binary fragment for _HEADER")
        let notJSON = connect(
            server, subprotocols: ["bokeh", try validToken()], send: [.text("not json"), .text("{}"), .text("{}")],
            loop: loop)
        #expect(await eventually { notJSON.close != nil })
        #expect(notJSON.close?.code?.rawValue == 10000)
        #expect(notJSON.close?.reason == "server failed to parse a message")
        let ack = connect(
            server, subprotocols: ["bokeh", try validToken()],
            send: [.text("{\"msgid\": \"1\", \"msgtype\": \"ACK\"}"), .text("{}"), .text("{}")], loop: loop)
        #expect(await eventually { ack.close != nil })
        #expect(ack.close?.code?.rawValue == 10000)
        #expect(ack.close?.reason == "Message 'ACK' content: {} not expected on server")
    }

    @Test func foreignOriginIsRefusedAndAllowlistedOriginAccepted() async throws {
        let server = try startServer()
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let evil = connect(server, subprotocols: ["bokeh", try validToken()], origin: "http://evil.com", loop: loop)
        #expect(await eventually { evil.failure != nil })
        #expect(evil.failure?.contains("403") == true)
        let local = connect(
            server, subprotocols: ["bokeh", try validToken()], origin: "http://localhost:\(server.port)", loop: loop)
        #expect(await eventually { local.texts.count >= 3 })
    }

    @Test func sessionsOnSeveralLoopsServeConnectionsFromAnyLoop() async throws {
        let server = try startServer { $0.network.eventLoops = 3 }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let token = try validToken(id: "shared")
        let clients = (0..<6).map { _ in connect(server, subprotocols: ["bokeh", token], loop: loop) }
        #expect(await eventually { clients.allSatisfy { $0.texts.count >= 3 } })
        #expect(server.getSessions().count == 1)
        #expect(await eventually { (try? server.getSession(appPath: "/test", id: "shared"))?.connectionCount == 6 })
    }
}
