import BokehChannel
import DocumentModel
import Protocol
import Testing
import Wire

@testable import Client

/// Servers that go quiet: every client wait ends with an error within the connection's timeout.
@Suite(.serialized) struct ClientTimeoutTests {
    static let timeout = Duration.milliseconds(300)

    /// A WebSocket server on a free loopback port; `onUpgrade` decides what it says.
    func withQuietServer(
        _ onUpgrade: @escaping @Sendable (WebSocketChannel) -> Void, _ body: (String) async throws -> Void
    ) async throws {
        let group = try EventLoopGroup(numberOfThreads: 1, name: "quiet-server")
        defer { group.shutdown() }
        let server = try WebSocketServer(bindTo: try SocketAddress(host: "127.0.0.1", port: 0), group: group) {
            channel in
            onUpgrade(channel)
        }
        defer { server.close() }
        try await body("ws://127.0.0.1:\(server.localAddress.port ?? 0)/app/ws")
    }

    static func send(_ message: Message, on channel: WebSocketChannel) {
        guard let fragments = try? MessageEncoder().encode(message) else { return }
        channel.send(fragments.map(\.websocketMessage))
    }

    @Test func missingACKFailsTheConnect() async throws {
        try await withQuietServer({ _ in }) { url in
            let clock = ManualClock()
            let loop = try EventLoop(name: "client", clock: clock)
            defer { loop.shutdown() }
            let session = try ClientSession(websocketURL: url, timeout: Self.timeout, eventLoop: loop)
            let connecting = Task { try await session.connect() }
            // Open, waiting for the ACK: the client's clock moves past its timeout, and the ACK timer ends the wait.
            #expect(await eventually { session.connection.state == .connectedBeforeACK })
            await clock.advance(by: Self.timeout)
            await #expect(throws: ClientError.self) { try await connecting.value }
            #expect(session.connection.errorReason == .networkError)
            #expect(session.connection.errorDetail.contains("ACK"))
            #expect(!session.connected)
        }
    }

    @Test func unansweredRequestTimesOutAndTheConnectionStays() async throws {
        try await withQuietServer({ channel in Self.send(.ack(), on: channel) }) { url in
            let clock = ManualClock()
            let loop = try EventLoop(name: "client", clock: clock)
            defer { loop.shutdown() }
            let session = try ClientSession(websocketURL: url, timeout: Self.timeout, eventLoop: loop)
            defer { session.close() }
            try await session.connect()
            let roundtrip = Task { try await session.forceRoundtrip() }
            #expect(await eventually { if case .waitingForReply = session.connection.state { true } else { false } })
            await clock.advance(by: Self.timeout - .milliseconds(1))
            #expect(session.connection.state != .connectedAfterACK)
            await clock.advance(by: .milliseconds(1))
            do {
                try await roundtrip.value
                Issue.record("a round trip without a reply succeeded")
            } catch let error as ClientError {
                #expect(error.isTimeout)
            }
            #expect(session.connection.state == .connectedAfterACK)
        }
    }

    @Test func errorReplyIsThrownWithItsText() async throws {
        try await withQuietServer({ channel in
            Self.send(.ack(), on: channel)
            var assembler = MessageAssembler()
            channel.onMessage = { message in
                guard let request = try? assembler.consume(Fragment(message)), let id = request.messageID else {
                    return
                }
                // A PATCH-DOC first, then the ERROR reply.
                Self.send(.patchDocument(content: .object(["events": .array([])]), buffers: []), on: channel)
                Self.send(.error(replyingTo: id, text: "no such thing"), on: channel)
            }
        }) { url in
            let session = try ClientSession(websocketURL: url, timeout: Self.timeout)
            defer { session.close() }
            do {
                try await session.pull()
                Issue.record("pull succeeded")
            } catch let error as ClientError {
                #expect(error.isServerError && error.detail == "no such thing")
            }
            #expect(session.connected)
        }
    }
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes (for state changes, not timers).
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
