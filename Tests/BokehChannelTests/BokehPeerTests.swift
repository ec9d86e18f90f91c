import BokehChannel
import DocumentModel
import Foundation
import Protocol
import Locking
import Testing
import Wire

/// A list that loop callbacks append to and tests read.
private final class Recorder<Element: Sendable>: Sendable {
    private let storage = Lock<[Element]>([])
    func append(_ e: Element) { storage.withLock { $0.append(e) } }
    var values: [Element] { storage.withLock { $0 } }
}

private func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// A server whose every accepted WebSocket becomes a ``BokehPeer`` set up by `configure`, and a client peer.
private final class PeerPair: Sendable {
    let group: EventLoopGroup
    let server: WebSocketServer
    private let client = Recorder<LoopBound<BokehPeer>>()
    let clientLoop: EventLoop

    init(limits: MessageAssemblerLimits = .default, configure: @escaping @Sendable (BokehPeer) -> Void) async throws {
        group = try EventLoopGroup(numberOfThreads: 1)
        clientLoop = group.next()
        server = try WebSocketServer(bindTo: try SocketAddress(host: "127.0.0.1", port: 0), group: group) { channel in
            configure(BokehPeer(channel, limits: limits))
        }
        let url = "ws://127.0.0.1:\(server.localAddress.port ?? 0)/ws"
        let client = self.client
        try clientLoop.submitAndWait {
            // Bokeh's close codes (10000, 10001) lie outside RFC 6455's range: a Bokeh client accepts them.
            var configuration = WebSocketClientConfiguration()
            configuration.channel.websocket.acceptsNonStandardCloseCodes = true
            WebSocketClient.connect(to: url, on: self.clientLoop, configuration: configuration) { result in
                guard case .success(let channel) = result else { return }
                client.append(LoopBound(BokehPeer(channel, limits: limits), eventLoop: channel.eventLoop))
            }
        }
        _ = await eventually { !client.values.isEmpty }
    }

    /// Runs `body` with the client peer on its loop.
    func withClient(_ body: @escaping @Sendable (BokehPeer) -> Void) {
        let bound = client.values.first
        clientLoop.execute { if let bound { body(bound.value) } }
    }

    func shutdown() {
        server.close()
        group.shutdown()
    }
}

@Suite struct BokehPeerTests {
    @Test func aMessageWithBuffersArrivesWhole() async throws {
        let received = Recorder<Message>()
        let pair = try await PeerPair { peer in peer.onMessage = { received.append($0) } }
        defer { pair.shutdown() }
        let document = Document()
        document.addRoot(ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]]))
        let message = Message.pushDocument(document)
        #expect(message.buffers.count == 2)
        pair.withClient { peer in _ = try? peer.send(message) }
        #expect(await eventually { received.values.count == 1 })
        let got = try #require(received.values.first)
        #expect(got.type == .pushDocument)
        #expect(got.buffers.map(\.bytes) == message.buffers.map(\.bytes))
        #expect(got.content == message.content)
    }

    @Test func aPreparedMessageGoesToSeveralPeersFromOneEncoding() async throws {
        let received = Recorder<Message>()
        let pair = try await PeerPair { peer in peer.onMessage = { received.append($0) } }
        defer { pair.shutdown() }
        let prepared = try PreparedMessage(.serverInfoRequest())
        pair.withClient { peer in
            peer.send(prepared)
            peer.send(prepared)
        }
        #expect(await eventually { received.values.count == 2 })
        #expect(
            received.values.allSatisfy { $0.type == .serverInfoRequest && $0.messageID == prepared.message.messageID })
    }

    @Test func brokenFragmentsAreReportedOnceAndCloseWithTheErrorsOwnCode() async throws {
        let errors = Recorder<ProtocolError>()
        let clientCloses = Recorder<WebSocketCloseInfo>()
        let pair = try await PeerPair { peer in
            peer.onMessage = { _ in Issue.record("no message expected") }
            peer.onProtocolError = { error in
                errors.append(error)
                peer.close(for: error)
            }
        }
        defer { pair.shutdown() }
        pair.withClient { peer in
            peer.onClose = { clientCloses.append($0) }
            // A header that is not JSON, then more fragments the failed peer must ignore.
            peer.send(fragments: [.text("{not json"), .text("{}"), .text("{}"), .text("{}")])
        }
        #expect(await eventually { clientCloses.values.count == 1 })
        #expect(errors.values.count == 1)
        let error = try #require(errors.values.first)
        #expect(clientCloses.values.first?.code?.rawValue == error.closeCode)
        #expect(clientCloses.values.first?.reason == error.closeReason)
    }

    @Test func callbacksAreReleasedWhenTheWebSocketCloses() async throws {
        let closes = Recorder<Bool>()
        let pair = try await PeerPair { peer in
            peer.onClose = { _ in closes.append(peer.onMessage == nil && peer.onClose == nil) }
            peer.onMessage = { _ in }
        }
        defer { pair.shutdown() }
        pair.withClient { $0.close(code: .normalClosure, reason: "bye") }
        #expect(await eventually { closes.values.count == 1 })
        #expect(closes.values == [true])
    }

    @Test func fragmentsAndWebSocketMessagesConvertBothWays() {
        let fragments: [Fragment] = [.text("{\"msgid\": \"1\"}"), .binary([0, 1, 255]), .text("")]
        #expect(fragments.map { Fragment($0.websocketMessage) } == fragments)
        #expect(Fragment(.binary([7])) == .binary([7]))
    }
}
