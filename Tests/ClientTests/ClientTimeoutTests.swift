import BokehChannel
import DocumentModel
import Protocol
import Testing
import Wire

@testable import Client

/// Servers that go quiet: every client wait ends with an error within the connection's timeout.
@Suite(.serialized) struct ClientTimeoutTests {
    static let timeout = Duration.milliseconds(300)

    @Test func missingACKFailsTheConnect() async throws {
        try await withScriptedServer({ _ in }) { url in
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
        try await withScriptedServer({ channel in sendMessage(.ack(), on: channel) }) { url in
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
        try await withScriptedServer({ channel in
            sendMessage(.ack(), on: channel)
            var assembler = MessageAssembler()
            channel.onMessage = { message in
                guard let request = try? assembler.consume(Fragment(message)), let id = request.messageID else {
                    return
                }
                // A PATCH-DOC first, then the ERROR reply.
                sendMessage(.patchDocument(content: .object(["events": .array([])]), buffers: []), on: channel)
                sendMessage(.error(replyingTo: id, text: "no such thing"), on: channel)
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
