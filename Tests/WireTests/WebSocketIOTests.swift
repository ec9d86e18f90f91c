import Foundation
import Locking
import Testing
@testable import Wire

/// A WebSocket client driven from a test.
final class TestWebSocket: Sendable {
    let loop: EventLoop
    let messages = Recorder<WebSocketMessage>()
    let closes = Recorder<WebSocketCloseInfo>()
    let failure = Recorder<String>()
    let negotiated = Recorder<String>()
    private let box = Lock<LoopBound<WebSocketChannel>?>(nil)

    init(loop: EventLoop) { self.loop = loop }

    static func connect(
        _ url: String, on loop: EventLoop, configuration: WebSocketClientConfiguration = WebSocketClientConfiguration()
    )
        async -> TestWebSocket
    {
        let ws = TestWebSocket(loop: loop)
        loop.execute {
            WebSocketClient.connect(to: url, on: loop, configuration: configuration) { result in
                switch result {
                case .failure(let e):
                    ws.failure.append("\(e)")
                case .success(let channel):
                    ws.negotiated.append(
                        "subprotocol=\(channel.subprotocol ?? "-") deflate=\(channel.deflateParameters != nil)")
                    channel.onMessage = { ws.messages.append($0) }
                    channel.onClose = { ws.closes.append($0) }
                    ws.box.withLock { $0 = LoopBound(channel, eventLoop: loop) }
                }
            }
        }
        _ = await eventually { ws.isOpen || ws.failure.count > 0 }
        return ws
    }

    var isOpen: Bool { box.withLock { $0 != nil } }

    func with(_ body: @escaping @Sendable (WebSocketChannel) -> Void) {
        guard let b = box.withLock({ $0 }) else { return }
        loop.execute { body(b.value) }
    }
}

/// An echo server recording how its channels closed.
final class TestWebSocketServer: Sendable {
    let server: WebSocketServer
    let closes: Recorder<WebSocketCloseInfo>
    let requests: Recorder<String>

    init(
        group: EventLoopGroup, configuration: WebSocketServerConfiguration = WebSocketServerConfiguration(),
        tls: TLSContext? = nil,
        echo: Bool = true
    ) throws {
        let closes = Recorder<WebSocketCloseInfo>()
        let requests = Recorder<String>()
        self.closes = closes
        self.requests = requests
        server = try WebSocketServer(bindTo: loopback, group: group, configuration: configuration, tls: tls) {
            channel in
            requests.append(channel.request?.target ?? "")
            if echo { channel.onMessage = { [unowned channel] m in channel.send(m) } }
            channel.onClose = { closes.append($0) }
        }
    }

    var url: String { "ws://127.0.0.1:\(server.localAddress.port ?? 0)" }
}

/// A raw TCP peer for handshake-level tests.
func rawUpgradeRequest(target: String = "/ws") -> [UInt8] {
    HTTPWriter.head(WebSocketClientHandshake(host: "127.0.0.1", target: target).request)
}

@Suite struct WebSocketIOTests {
    @Test(arguments: [false, true])
    func echoesTextAndBinary(deflate: Bool) async throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        if deflate { config.policy.deflate = PerMessageDeflateConfiguration() }
        let server = try TestWebSocketServer(group: group, configuration: config)
        var clientConfig = WebSocketClientConfiguration()
        if deflate { clientConfig.deflate = PerMessageDeflateConfiguration() }
        let ws = await TestWebSocket.connect(server.url + "/app/ws?x=1", on: group.next(), configuration: clientConfig)
        #expect(ws.isOpen, "\(ws.failure.values)")
        #expect(ws.negotiated.values == ["subprotocol=- deflate=\(deflate)"])
        let sent: [WebSocketMessage] = [
            .text("hello"), .binary([0, 1, 2, 255]), .text(String(repeating: "é", count: 100_000)),
            .binary(pattern(3 << 20)), .text(""),
        ]
        ws.with { c in for m in sent { c.send(m) } }
        #expect(await eventually { ws.messages.count == sent.count })
        #expect(ws.messages.values == sent)
        #expect(server.requests.values == ["/app/ws?x=1"])
        ws.with { $0.close(code: .normalClosure, reason: "bye") }
        #expect(await eventually { ws.closes.count == 1 && server.closes.count == 1 })
        #expect(server.closes.values.first?.code == .normalClosure)
        #expect(server.closes.values.first?.reason == "bye")
        #expect(ws.closes.values.first?.code == .normalClosure)
    }

    @Test func serverSelectsASubprotocol() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        config.policy.selectSubprotocol = { $0.first }
        let server = try TestWebSocketServer(group: group, configuration: config)
        let ws = await TestWebSocket.connect(
            server.url, on: group.next(),
            configuration: WebSocketClientConfiguration(subprotocols: ["bokeh", "token"]))
        #expect(ws.negotiated.values == ["subprotocol=bokeh deflate=false"])
    }

    @Test func serverCloseReachesTheClient() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try WebSocketServer(bindTo: loopback, group: group) { channel in
            channel.send(.text("welcome"))
            channel.close(code: .goingAway, reason: "shutting down")
        }
        let ws = await TestWebSocket.connect("ws://127.0.0.1:\(server.localAddress.port ?? 0)/", on: group.next())
        #expect(await eventually { ws.closes.count == 1 })
        #expect(ws.messages.values == [.text("welcome")])
        #expect(ws.closes.values.first?.code == .goingAway)
        #expect(ws.closes.values.first?.reason == "shutting down")
    }

    @Test func rejectsAPlainHTTPRequest() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try TestWebSocketServer(group: group)
        let client = await TestClient.connect(to: server.server.localAddress, on: group.next())
        client.withConnection { $0.write(Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)) }
        #expect(await eventually { client.closed.count == 1 })
        let text = String(decoding: client.received.values, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
    }

    @Test func malformedRequestGetsItsStatus() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        config.httpLimits.maxHeaderBytes = 1024
        let server = try TestWebSocketServer(group: group, configuration: config)
        let client = await TestClient.connect(to: server.server.localAddress, on: group.next())
        let huge = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 4000))\r\n\r\n"
        client.withConnection { $0.write(Array(huge.utf8)) }
        #expect(await eventually { client.closed.count == 1 })
        #expect(String(decoding: client.received.values, as: UTF8.self).hasPrefix("HTTP/1.1 431"))
    }

    @Test func incompleteHandshakeTimesOut() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        config.handshakeTimeout = .milliseconds(100)
        let server = try TestWebSocketServer(group: group, configuration: config)
        let loop = group.next()
        let client = await TestClient.connect(to: server.server.localAddress, on: loop)
        client.withConnection { $0.write(Array("GET / HTTP/1.1\r\n".utf8)) }
        // The listener, the client and the accepted connection: the handshake timer is running.
        #expect(await eventually { ((try? loop.submitAndWait { loop.registrationCount }) ?? 0) == 3 })
        await clock.advance(by: .milliseconds(99))
        #expect(client.closed.count == 0)
        await clock.advance(by: .milliseconds(1))
        #expect(await eventually { client.closed.count == 1 })
    }

    @Test func keepAlivePingsAreAnsweredAutomatically() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        config.channel.pingInterval = .milliseconds(20)
        config.channel.pongTimeout = .after(.milliseconds(100))
        let pongs = Recorder<Int>()
        let closes = Recorder<WebSocketCloseInfo>()
        let server = try WebSocketServer(bindTo: loopback, group: group, configuration: config) { channel in
            channel.onPong = { _ in pongs.append(1) }
            channel.onClose = { closes.append($0) }
        }
        let ws = await TestWebSocket.connect("ws://127.0.0.1:\(server.localAddress.port ?? 0)", on: group.next())
        #expect(ws.isOpen)
        // Ten ping periods, five pong timeouts: each ping is answered before the clock moves on.
        for i in 1...10 {
            await clock.advance(by: .milliseconds(20))
            #expect(await eventually { pongs.count >= i })
        }
        #expect(closes.count == 0)
    }

    @Test func unansweredPingsCloseTheConnection() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        config.channel.pingInterval = .milliseconds(20)
        config.channel.pongTimeout = .after(.milliseconds(100))
        let server = try TestWebSocketServer(group: group, configuration: config)
        // A raw peer that upgrades and then never answers.
        let raw = await TestClient.connect(to: server.server.localAddress, on: group.next())
        raw.withConnection { $0.write(rawUpgradeRequest()) }
        #expect(await eventually { raw.received.count > 0 })  // the 101: the channel and its pings started
        // The first ping goes out at 20 ms; it is 100 ms overdue at the sixth period (120 ms).
        for _ in 0..<5 { await clock.advance(by: .milliseconds(20)) }
        #expect(server.closes.count == 0)
        await clock.advance(by: .milliseconds(20))
        #expect(await eventually { server.closes.count == 1 })
        #expect(server.closes.values.first?.reason == "ping timeout")
        #expect(await eventually { raw.closed.count == 1 })
    }

    @Test func closeHandshakeTimesOutWhenThePeerIgnoresIt() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = WebSocketServerConfiguration()
        config.channel.closeTimeout = .milliseconds(100)
        let closes = Recorder<WebSocketCloseInfo>()
        let server = try WebSocketServer(bindTo: loopback, group: group, configuration: config) { channel in
            channel.onClose = { closes.append($0) }
            channel.close(code: .goingAway)
        }
        let raw = await TestClient.connect(to: server.localAddress, on: group.next())
        raw.withConnection { $0.write(rawUpgradeRequest()) }
        #expect(await eventually { raw.received.values.suffix(4) == [0x88, 0x02, 0x03, 0xE9] })
        await clock.advance(by: .milliseconds(99))
        #expect(closes.count == 0)
        await clock.advance(by: .milliseconds(1))
        #expect(await eventually { closes.count == 1 })
        #expect(closes.values.first?.code == .abnormalClosure)
        #expect(closes.values.first?.reason == "close handshake timed out")
        #expect(await eventually { raw.closed.count == 1 })
        // The raw peer saw the 101 and then the close frame (0x88, code 1001).
        let bytes = raw.received.values
        let tail = Array(bytes.suffix(4))
        #expect(tail == [0x88, 0x02, 0x03, 0xE9])
    }

    @Test func protocolErrorFailsOnlyThatConnection() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try TestWebSocketServer(group: group)
        let good = await TestWebSocket.connect(server.url, on: group.next())
        let raw = await TestClient.connect(to: server.server.localAddress, on: group.next())
        // An unmasked text frame from a client: 1002.
        raw.withConnection { c in
            c.write(rawUpgradeRequest())
            c.write([0x81, 0x02, 0x68, 0x69])
        }
        #expect(await eventually { server.closes.count == 1 })
        #expect(server.closes.values.first?.code == .protocolError)
        good.with { $0.send(.text("unaffected")) }
        #expect(await eventually { good.messages.values == [.text("unaffected")] })
    }

    @Test func secureWebSocketRoundTrip() async throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        let files = TestCertificate.files
        var config = WebSocketServerConfiguration()
        config.policy.deflate = PerMessageDeflateConfiguration()
        let server = try TestWebSocketServer(
            group: group, configuration: config,
            tls: try TLSContext(.server(certificateChainFile: files.certificate, privateKeyFile: files.key)))
        var clientConfig = WebSocketClientConfiguration(deflate: PerMessageDeflateConfiguration())
        clientConfig.tls = try TLSContext(.client(trustRoots: .file(files.certificate)))
        let ws = await TestWebSocket.connect(
            "wss://localhost:\(server.server.localAddress.port ?? 0)/secure", on: group.next(),
            configuration: clientConfig)
        #expect(ws.isOpen, "\(ws.failure.values)")
        ws.with { $0.send(.text("over TLS")) }
        #expect(await eventually { ws.messages.values == [.text("over TLS")] })
    }

    @Test func connectFailuresAreReported() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let bad = await TestWebSocket.connect("http://127.0.0.1:1/", on: group.next())
        #expect(bad.failure.count == 1)
        // A server that answers with plain HTTP.
        let listener = try Listener(bindTo: loopback, group: group) { c in
            c.write(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8))
        }
        let refused = await TestWebSocket.connect(
            "ws://127.0.0.1:\(listener.localAddress.port ?? 0)/", on: group.next())
        #expect(refused.failure.values.first?.contains("101") == true, "\(refused.failure.values)")
    }

    /// The 8-byte masking word must repeat the key in wire order (it was miscompiled under -c release when
    /// loaded from a temporary array, which masked all but the first byte with zero).
    @Test func maskingWordRepeatsTheKeyInWireOrder() {
        let key = WebSocketMaskingKey(0x37, 0xFA, 0x21, 0x3D)
        let word = key.word
        let bytes = withUnsafeBytes(of: word) { Array($0) }
        #expect(bytes == [0x37, 0xFA, 0x21, 0x3D, 0x37, 0xFA, 0x21, 0x3D])
        var payload = Array("Hello, masked world".utf8)
        key.apply(to: &payload)
        #expect(payload.prefix(5) == [0x7F, 0x9F, 0x4D, 0x51, 0x58])  // RFC 6455 section 5.7 "Hello"
    }

    @Test func parsesWebSocketURLs() {
        let a = WebSocketURL("ws://127.0.0.1:5006/app/ws?bokeh-session-id=1")
        #expect(
            a?.host == "127.0.0.1" && a?.port == 5006 && a?.target == "/app/ws?bokeh-session-id=1"
                && a?.isSecure == false)
        let b = WebSocketURL("wss://[::1]/")
        #expect(b?.host == "::1" && b?.port == 443 && b?.hostHeader == "[::1]")
        #expect(WebSocketURL("ws://localhost?x")?.target == "/?x")
        #expect(WebSocketURL("http://x/") == nil)
        #expect(WebSocketURL("ws://:80/") == nil)
        #expect(WebSocketURL("ws://host:99999/") == nil)
    }
}
