import DocumentModel
import Foundation
import Protocol
@testable import ServerCore
import Locking
import Testing
import Wire

/// A document of `rows` float64 values: a PULL-DOC-REPLY of `rows * 8` buffer bytes.
func bigApplication(rows: Int) -> Application {
    Application { document, _ in
        document.addRoot(ColumnDataSource(columns: ["y": (0..<rows).map(Double.init)]))
    }
}

func startServer(
    path: String, application: Application, clock: any LoopClock = SystemClock.shared,
    _ configure: (inout ServerConfiguration) -> Void = { _ in }
) throws -> Server {
    var configuration = ServerConfiguration()
    configuration.network.address = "127.0.0.1"
    configuration.network.port = 0
    // Raw test requests name hosts such as `x`; the Host check has its own tests (HostCheckTests).
    configuration.network.checkHost = false
    configure(&configuration)
    let server = try Server(
        applications: [(path: path, application: application)], configuration: configuration, clock: clock)
    try server.start()
    return server
}

/// A raw client on `path/ws` that keeps its channel, for tests that pause, read and close it themselves.
final class RawClient: Sendable {
    let observed = Observed()
    let binaryBytes = Lock<[Int]>([])
    private let box = Lock<LoopBound<WebSocketChannel>?>(nil)
    let loop: EventLoop

    init(port: Int, path: String, token: String, loop: EventLoop, connection: ConnectionConfiguration = .default) {
        self.loop = loop
        var configuration = WebSocketClientConfiguration()
        configuration.subprotocols = ["bokeh", token]
        configuration.connection = connection
        configuration.channel.websocket.maxMessageSize = 256 << 20
        configuration.channel.websocket.maxFrameSize = 256 << 20
        let config = configuration
        loop.execute { [self] in
            WebSocketClient.connect(to: "ws://127.0.0.1:\(port)\(path)/ws", on: loop, configuration: config) { result in
                switch result {
                case .failure(let error): self.observed.failed("\(error)")
                case .success(let channel):
                    self.box.withLock { $0 = LoopBound(channel, eventLoop: loop) }
                    channel.onMessage = { message in
                        if case .binary(let b) = message {
                            self.binaryBytes.withLock { $0.append(b.count) }
                            self.observed.frame(.binary([]))  // keep the order, not the bytes
                        } else {
                            self.observed.frame(message)
                        }
                    }
                    channel.onClose = { self.observed.closed($0) }
                }
            }
        }
    }

    func withChannel(_ body: @escaping @Sendable (WebSocketChannel) -> Void) {
        guard let b = box.withLock({ $0 }) else { return }
        loop.execute { body(b.value) }
    }

    var isOpen: Bool { box.withLock { $0 != nil } }

    /// Sends `messages` back to back, in one write.
    func send(_ messages: [Message]) throws {
        let frames = try messages.flatMap { try MessageEncoder().encode($0) }.map { f -> WebSocketMessage in
            if case .text(let t) = f { .text(t) } else if case .binary(let b) = f { .binary(b) } else { .text("") }
        }
        withChannel { $0.send(frames) }
    }

    /// Sends a Bokeh message given as its header, metadata and content texts.
    func sendTexts(_ header: String, _ metadata: String = "{}", _ content: String) {
        withChannel { $0.send([.text(header), .text(metadata), .text(content)]) }
    }

    /// The content texts of messages of type `msgtype`, in order.
    func contents(of msgtype: String) -> [String] {
        let texts = observed.texts
        var out: [String] = []
        for (i, t) in texts.enumerated() where t.contains("\"msgtype\": \"\(msgtype)\"") && i + 2 < texts.count {
            out.append(texts[i + 2])
        }
        return out
    }

    var replies: [String] { observed.texts.filter { $0.contains("\"msgtype\": \"PULL-DOC-REPLY\"") } }
}

@Suite(.serialized) struct FlowControlTests {
    /// Six PULL-DOC-REQs in one write, each answered with 4 MB, on a server whose queue cap (1 MiB) is below one
    /// reply: every reply arrives whole. (Before: the replies to everything read at once were queued together
    /// and the cap closed the connection. Python's server answers all six, with no cap at all.)
    @Test(arguments: [1, 3]) func pipelinedPullsOfABigDocumentAreAllAnswered(loops: Int) async throws {
        let rows = 500_000
        let server = try startServer(path: "/big", application: bigApplication(rows: rows)) {
            $0.websocket.maxQueuedWriteBytes = 1 << 20
            $0.network.eventLoops = loops
        }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let token = try validToken(id: "big-session")
        if loops > 1 {
            // Open the session from a first connection so that the second lands on another loop than the session.
            let first = RawClient(port: server.port, path: "/big", token: token, loop: loop)
            #expect(await eventually { first.observed.texts.count >= 3 })
        }
        let client = RawClient(port: server.port, path: "/big", token: token, loop: loop)
        #expect(await eventually { client.observed.texts.count >= 3 })  // ACK
        try client.send((0..<6).map { _ in Message.pullDocumentRequest() })
        #expect(
            await eventually(timeout: .seconds(60)) {
                client.replies.count == 6 && client.binaryBytes.withLock { $0.count } == 6
            })
        #expect(client.binaryBytes.withLock { $0 } == Array(repeating: rows * 8, count: 6))
        #expect(client.observed.close == nil)
    }

    /// Hundreds of small requests in one write (more than the connection lets wait before it stops reading):
    /// every one is answered, in order, also when the session lives on another loop.
    @Test(arguments: [1, 3]) func manyPipelinedRequestsAreAnsweredInOrder(loops: Int) async throws {
        let server = try startServer(path: "/test", application: testApplication) { $0.network.eventLoops = loops }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let token = try validToken(id: "pipelined")
        if loops > 1 {
            let first = RawClient(port: server.port, path: "/test", token: token, loop: loop)
            #expect(await eventually { first.observed.texts.count >= 3 })
        }
        let client = RawClient(port: server.port, path: "/test", token: token, loop: loop)
        #expect(await eventually { client.observed.texts.count >= 3 })
        let requests = (0..<500).map { i in
            i % 5 == 4
                ? Message(header: MessageHeader(messageID: "r\(i)", type: .serverInfoRequest), content: .object([:]))
                : Message(header: MessageHeader(messageID: "r\(i)", type: .pullDocumentRequest), content: .object([:]))
        }
        try client.send(requests)
        let replyIDs: () -> [String] = {
            client.observed.texts.compactMap { text -> String? in
                guard let r = text.range(of: "\"reqid\": \"") else { return nil }
                return String(text[r.upperBound...].prefix { $0 != "\"" })
            }
        }
        #expect(await eventually(timeout: .seconds(30)) { replyIDs().count == 500 })
        #expect(replyIDs() == (0..<500).map { "r\($0)" })
    }

    /// A 40 MB reply with the default settings reaches the client (the 80 MB pull, scaled to a test).
    @Test func oneReplyLargerThanTheQueueCapArrives() async throws {
        let rows = 5_000_000
        let server = try startServer(path: "/big", application: bigApplication(rows: rows)) {
            $0.websocket.maxQueuedWriteBytes = 4 << 20
        }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = RawClient(port: server.port, path: "/big", token: try validToken(id: "huge"), loop: loop)
        #expect(await eventually { client.observed.texts.count >= 3 })
        try client.send([.pullDocumentRequest()])
        #expect(await eventually(timeout: .seconds(60)) { client.binaryBytes.withLock { $0 } == [rows * 8] })
        #expect(client.observed.close == nil)
    }

    /// A client that stops reading in the middle of a big reply is closed once the stall timeout passes,
    /// and the session sees it leave.
    @Test func aClientThatStopsReadingIsClosed() async throws {
        let clock = ManualClock()
        let server = try startServer(path: "/big", application: bigApplication(rows: 4_000_000), clock: clock) {
            $0.websocket.writeStallTimeout = .milliseconds(300)
        }
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = RawClient(port: server.port, path: "/big", token: try validToken(id: "stalled"), loop: loop)
        #expect(await eventually { client.observed.texts.count >= 3 })
        #expect(await eventually { (try? server.getSession(appPath: "/big", id: "stalled"))?.connectionCount == 1 })
        client.withChannel { $0.connection.pauseReading() }
        try client.send([.pullDocumentRequest()])
        // The server's clock moves only here: 300 ms at a time until the stalled write is noticed (the reply
        // may still be being encoded when the clock first moves).
        let gone = await advance(clock, by: .milliseconds(300)) {
            (try? server.getSession(appPath: "/big", id: "stalled"))?.connectionCount == 0
        }
        #expect(gone)
    }

    /// A closed connection and its discarded session are freed: nothing of either stays behind. (Before: the
    /// connection handle and its loop-side state kept each other alive, and with them the channel and the
    /// session, about 4.5 KB per session served.)
    @Test func aClosedConnectionAndItsDiscardedSessionAreFreed() async throws {
        let server = try startServer(path: "/test", application: testApplication)
        defer { server.stop() }
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = RawClient(port: server.port, path: "/test", token: try validToken(id: "freed"), loop: loop)
        #expect(await eventually { client.observed.texts.count >= 3 })
        #expect(await eventually { (try? server.getSession(appPath: "/test", id: "freed"))?.connectionCount == 1 })
        weak let session = try? server.getSession(appPath: "/test", id: "freed")
        let handle = Lock<ServerConnection?>(nil)
        if let s = session {
            try s.eventLoop.submitAndWait { handle.withLock { $0 = s.state.value.subscribers.first?.connection } }
        }
        weak let connection = handle.withLock { $0 }
        handle.withLock { $0 = nil }
        #expect(session != nil && connection != nil)
        client.withChannel { $0.close() }
        #expect(await eventually { session?.connectionCount == 0 })
        server.cleanupSessions(unusedLifetime: .zero)
        #expect(await eventually { server.getSessions().isEmpty })
        #expect(await eventually { session == nil })
        #expect(await eventually { connection == nil })
    }
}

/// Advances `clock` by `step` until `condition` holds (checked after each step, at most `steps` times).
func advance(_ clock: ManualClock, by step: Duration, steps: Int = 200, until condition: () -> Bool) async -> Bool {
    for _ in 0..<steps {
        if condition() { return true }
        await clock.advance(by: step)
        if await eventually(timeout: .milliseconds(100), condition) { return true }
    }
    return condition()
}
