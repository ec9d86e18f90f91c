import Testing
import TestSupport
@testable import Wire

/// Several messages encoded for one gathered write decode to the same messages, whatever the role,
/// compression and fragmentation.
@Suite struct WebSocketFrameBatchTests {
    static let large = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    static let messages: [WebSocketMessage] = [
        .text("{\"msgid\":\"1\",\"msgtype\":\"PATCH-DOC\",\"num_buffers\":1}"), .text("{}"), .text("☃ content"),
        .text("{\"id\":\"p1\"}"), .binary(large), .binary([1, 2, 3]),
    ]

    /// Feeds the chunks to a connection of the other role and returns what it delivers.
    static func delivered(_ chunks: [[UInt8]], to peer: inout WebSocketStateMachine) -> [WebSocketMessage] {
        var out: [WebSocketMessage] = []
        for action in peer.receive(chunks.flatMap { $0 }) {
            if case .deliver(let m) = action { out.append(m) }
        }
        return out
    }

    @Test func serverBatchDecodesAndReferencesLargePayloads() throws {
        var server = WebSocketStateMachine(role: .server)
        let chunks = try server.send(Self.messages)
        // Small frames packed before and after the large payload, which is a chunk of its own.
        #expect(chunks.count == 3)
        #expect(chunks[1] == Self.large)
        var client = WebSocketStateMachine(role: .client)
        #expect(Self.delivered(chunks, to: &client) == Self.messages)
    }

    @Test func clientBatchIsMasked() throws {
        var client = WebSocketStateMachine(role: .client)
        let chunks = try client.send(Self.messages)
        #expect(chunks.count == 1)
        var server = WebSocketStateMachine(role: .server)
        #expect(Self.delivered(chunks, to: &server) == Self.messages)
    }

    @Test(arguments: [1, 5, 125, 126, 65_536])
    func fragmentsPerMaxOutgoingFrameSize(_ size: Int) throws {
        var server = WebSocketStateMachine(
            role: .server, configuration: WebSocketConfiguration(maxOutgoingFrameSize: size))
        let chunks = try server.send(Self.messages)
        var client = WebSocketStateMachine(role: .client)
        #expect(Self.delivered(chunks, to: &client) == Self.messages)
    }

    @Test func compressedBatchDecodes() throws {
        let parameters = PerMessageDeflateParameters()
        var server = WebSocketStateMachine(
            role: .server, deflate: (parameters, PerMessageDeflateConfiguration()))
        var client = WebSocketStateMachine(
            role: .client, deflate: (parameters, PerMessageDeflateConfiguration()))
        for _ in 0..<3 {  // the compressor keeps its window across batches
            #expect(Self.delivered(try server.send(Self.messages), to: &client) == Self.messages)
        }
    }

    @Test func preparedFramesEqualAServersOwnEncoding() throws {
        let prepared = PreparedWebSocketMessages(Self.messages)
        var plain = WebSocketStateMachine(role: .server)
        var oneByOne: [UInt8] = []
        for message in Self.messages { oneByOne += try plain.send(message) }
        var server = WebSocketStateMachine(role: .server)
        let shared = try server.send(prepared)
        #expect(shared.flatMap { $0 } == oneByOne)
        #expect(prepared.byteCount == oneByOne.count)
        // A connection that fragments or compresses encodes the messages itself.
        var small = WebSocketStateMachine(
            role: .server, configuration: WebSocketConfiguration(maxOutgoingFrameSize: 100))
        var client = WebSocketStateMachine(role: .client)
        #expect(Self.delivered(try small.send(prepared), to: &client) == Self.messages)
        var closed = WebSocketStateMachine(role: .server)
        _ = closed.close()
        #expect(throws: WebSocketError.closed) { try closed.send(prepared) }
    }
}

@Suite struct SharedStorageFrameTests {
    @Test func binaryPayloadsWrittenFromSharedStorage() throws {
        let column = (0..<5_000).map { Double($0) * 0.5 }  // 40,000 bytes: referenced, not copied
        let small: [Int16] = [1, -2, 3]
        let prepared = PreparedWebSocketMessages(
            texts: ["h", "m", "c", "{\"id\":\"1\"}", "{\"id\":\"2\"}"],
            interleaving: [ArrayBytes(column), ArrayBytes(small)], after: 3)
        let expected: [WebSocketMessage] = [
            .text("h"), .text("m"), .text("c"), .text("{\"id\":\"1\"}"), .binary(column.withUnsafeBytes { Array($0) }),
            .text("{\"id\":\"2\"}"), .binary(small.withUnsafeBytes { Array($0) }),
        ]
        #expect(prepared.messages == expected)
        var server = WebSocketStateMachine(role: .server)
        var client = WebSocketStateMachine(role: .client)
        #expect(WebSocketFrameBatchTests.delivered(try server.send(prepared), to: &client) == expected)
        // A compressing connection re-encodes the same messages.
        let parameters = PerMessageDeflateParameters()
        var deflating = WebSocketStateMachine(role: .server, deflate: (parameters, PerMessageDeflateConfiguration()))
        var inflating = WebSocketStateMachine(role: .client, deflate: (parameters, PerMessageDeflateConfiguration()))
        #expect(WebSocketFrameBatchTests.delivered(try deflating.send(prepared), to: &inflating) == expected)
    }
}
