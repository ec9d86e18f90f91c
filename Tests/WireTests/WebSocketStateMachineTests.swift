import Testing
import TestSupport
@testable import Wire

/// Client-to-server frame bytes (masked with a fixed key).
func clientFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
    WebSocketFrameEncoder.encode(
        WebSocketFrame(fin: fin, reservedBits: rsv, opcode: opcode, payload: payload),
        maskingKey: WebSocketMaskingKey(1, 2, 3, 4))
}

func closeFrame(_ code: UInt16?, _ reason: String = "") -> [UInt8] {
    clientFrame(
        .close, WebSocketFrameEncoder.closePayload(code: code.map(WebSocketCloseCode.init(rawValue:)), reason: reason))
}

/// Decodes the frames a server wrote in its `.write` actions.
func writtenFrames(_ actions: [WebSocketAction]) -> [WebSocketFrame] {
    var d = WebSocketFrameDecoder(role: .client)
    var out: [WebSocketFrame] = []
    for case .write(let bytes) in actions {
        d.feed(bytes)
        while let f = try? d.next() { out.append(f) }
    }
    return out
}

@Suite struct WebSocketStateMachineTests {
    static func server(_ configuration: WebSocketConfiguration = .default) -> WebSocketStateMachine {
        WebSocketStateMachine(role: .server, configuration: configuration)
    }

    @Test(arguments: Chunking.allCases)
    func reassemblesFragmentsWithInterleavedControlFrames(_ chunking: Chunking) {
        let snowman = Array("☃ bokeh ☃".utf8)
        // Cut the text inside a multi-byte character so validation must carry state across fragments.
        let wire =
            clientFrame(.text, Array(snowman[0..<2]), fin: false) + clientFrame(.ping, Array("p".utf8))
            + clientFrame(.continuation, Array(snowman[2..<7]), fin: false) + clientFrame(.pong, [])
            + clientFrame(.continuation, Array(snowman[7...])) + clientFrame(.binary, [1, 2, 3])
        var c = Self.server()
        var actions: [WebSocketAction] = []
        for piece in chunking.split(wire) { actions += c.receive(piece) }
        #expect(
            actions == [
                .write([0x8A, 0x01, 0x70]), .pongReceived([]), .deliver(.text("☃ bokeh ☃")),
                .deliver(.binary([1, 2, 3])),
            ])
        #expect(c.state == .open)
    }

    @Test func emptyMessagesAreDelivered() {
        var c = Self.server()
        #expect(
            c.receive(clientFrame(.text, []) + clientFrame(.binary, [], fin: false) + clientFrame(.continuation, []))
                == [.deliver(.text("")), .deliver(.binary([]))])
    }

    @Test func peerInitiatedCloseIsEchoed() {
        var c = Self.server()
        let actions = c.receive(closeFrame(1000, "bye"))
        #expect(writtenFrames(actions) == [WebSocketFrame(opcode: .close, payload: [0x03, 0xE8])])
        #expect(closeInfo(actions) == WebSocketCloseInfo(code: .normalClosure, reason: "bye", initiatedLocally: false))
        #expect(c.state == .closed)
        #expect(c.receive(clientFrame(.text, [0x41])) == [])
        #expect(throws: WebSocketError.closed) { try c.send(.text("late")) }
    }

    @Test func emptyCloseIsEchoedEmpty() {
        var c = Self.server()
        let actions = c.receive(closeFrame(nil))
        #expect(writtenFrames(actions) == [WebSocketFrame(opcode: .close, payload: [])])
        #expect(closeInfo(actions)?.code == nil)
    }

    @Test func locallyInitiatedCloseCompletesOnThePeersReply() throws {
        var c = Self.server()
        let sent = c.close(code: WebSocketCloseCode(10001), reason: "No 'msgtype' in header")
        let bytes = try #require(sent)
        #expect(Array(bytes[0...3]) == [0x88, 24, 0x27, 0x11])
        #expect(c.state == .closeSent)
        let again = c.close()
        #expect(again == nil)
        // Data still arriving before the peer's close is delivered; then the handshake completes.
        let actions = c.receive(clientFrame(.text, Array("x".utf8)) + closeFrame(1000))
        #expect(
            actions == [
                .deliver(.text("x")), .closeTransport(WebSocketCloseInfo(code: .normalClosure, initiatedLocally: true)),
            ])
        #expect(c.state == .closed)
    }

    @Test func clientMasksWhatItSendsAndServerDoesNot() throws {
        var client = WebSocketStateMachine(role: .client, maskingKeys: { WebSocketMaskingKey(0x37, 0xfa, 0x21, 0x3d) })
        #expect(try client.send(.text("Hello")) == [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
        var server = Self.server()
        #expect(try server.send(.text("Hello")) == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        #expect(try server.ping(Array("0".utf8)) == [0x89, 0x01, 0x30])
        #expect(throws: WebSocketError.controlFrameTooLong) { try server.ping([UInt8](repeating: 0, count: 126)) }
    }

    @Test func fragmentsOutgoingMessagesWhenAsked() throws {
        var server = Self.server(WebSocketConfiguration(maxOutgoingFrameSize: 4))
        let wire = try server.send(.text("0123456789"))
        var d = WebSocketFrameDecoder(role: .client)
        d.feed(wire)
        var frames: [WebSocketFrame] = []
        while let f = try d.next() { frames.append(f) }
        #expect(frames.map(\.opcode) == [.text, .continuation, .continuation])
        #expect(frames.map(\.fin) == [false, false, true])
        var client = WebSocketStateMachine(role: .client)
        #expect(client.receive(wire) == [.deliver(.text("0123456789"))])
    }

    struct Failure: Sendable, CustomStringConvertible {
        let name: String
        let wire: [UInt8]
        let code: UInt16
        var configuration = WebSocketConfiguration.default
        var description: String { name }
    }

    static let failures: [Failure] = [
        Failure(name: "continuation without a message", wire: clientFrame(.continuation, [1]), code: 1002),
        Failure(
            name: "text inside a fragmented message",
            wire: clientFrame(.text, [0x41], fin: false) + clientFrame(.text, [0x42]), code: 1002),
        Failure(name: "invalid UTF-8 text", wire: clientFrame(.text, [0xCE, 0xBA, 0xED, 0xA0, 0x80]), code: 1007),
        Failure(
            name: "invalid UTF-8 fails fast mid-message", wire: clientFrame(.text, [0x41, 0xFF], fin: false), code: 1007
        ),
        Failure(name: "truncated UTF-8 at message end", wire: clientFrame(.text, [0xE2, 0x98]), code: 1007),
        Failure(name: "one-byte close payload", wire: clientFrame(.close, [0x03]), code: 1002),
        Failure(name: "close code 999", wire: closeFrame(999), code: 1002),
        Failure(name: "close code 1004", wire: closeFrame(1004), code: 1002),
        Failure(name: "close code 1005", wire: closeFrame(1005), code: 1002),
        Failure(name: "close code 1006", wire: closeFrame(1006), code: 1002),
        Failure(name: "close code 1015", wire: closeFrame(1015), code: 1002),
        Failure(name: "close code 2000", wire: closeFrame(2000), code: 1002),
        Failure(name: "close code 5000", wire: closeFrame(5000), code: 1002),
        Failure(name: "close code 10000 when strict", wire: closeFrame(10000), code: 1002),
        Failure(name: "close reason not UTF-8", wire: clientFrame(.close, [0x03, 0xE8, 0xFF]), code: 1007),
        Failure(
            name: "message over the limit",
            wire: clientFrame(.binary, [UInt8](repeating: 0, count: 600), fin: false)
                + clientFrame(.continuation, [UInt8](repeating: 0, count: 600)), code: 1009,
            configuration: WebSocketConfiguration(maxMessageSize: 1000)),
        Failure(
            name: "frame over the limit", wire: clientFrame(.binary, [UInt8](repeating: 0, count: 600)), code: 1009,
            configuration: WebSocketConfiguration(maxFrameSize: 500)),
        Failure(name: "unmasked client frame", wire: [0x81, 0x01, 0x41], code: 1002),
        Failure(name: "reserved opcode", wire: clientFrame(WebSocketOpcode(rawValue: 5), []), code: 1002),
    ]

    @Test(arguments: failures)
    func protocolViolationsCloseWithTheRightCode(_ f: Failure) {
        for chunking in [Chunking.whole, .byteByByte] {
            var c = Self.server(f.configuration)
            var actions: [WebSocketAction] = []
            for piece in chunking.split(f.wire) { actions += c.receive(piece) }
            let closes = writtenFrames(actions).filter { $0.opcode == .close }
            #expect(closes.count == 1, "\(f.name)")
            #expect(closes.first.map { UInt16($0.payload[0]) << 8 | UInt16($0.payload[1]) } == f.code, "\(f.name)")
            #expect(closeInfo(actions)?.error != nil, "\(f.name)")
            #expect(!actions.contains { if case .deliver = $0 { true } else { false } }, "\(f.name)")
            #expect(c.state == .closed)
        }
    }

    @Test func acceptsBokehCloseCodesWhenConfigured() {
        var c = WebSocketStateMachine(
            role: .client, configuration: WebSocketConfiguration(acceptsNonStandardCloseCodes: true))
        let frame = WebSocketFrameEncoder.encode(
            WebSocketFrame(
                opcode: .close,
                payload: WebSocketFrameEncoder.closePayload(
                    code: WebSocketCloseCode(10000), reason: "server failed to parse a message")))
        let actions = c.receive(frame)
        #expect(
            closeInfo(actions)
                == WebSocketCloseInfo(
                    code: WebSocketCloseCode(10000), reason: "server failed to parse a message", initiatedLocally: false
                ))
    }

    @Test func validCloseCodesAreAccepted() {
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] {
            var c = Self.server()
            #expect(closeInfo(c.receive(closeFrame(code)))?.error == nil, "\(code)")
        }
    }

    @Test func connectionLostIsReportedOnce() {
        var c = Self.server()
        let first = c.connectionLost()
        let second = c.connectionLost()
        #expect(first?.code == .abnormalClosure)
        #expect(second == nil)
    }

    @Test func randomFragmentationOfRandomMessagesAlwaysReassembles() throws {
        var rng = SeededGenerator(seed: 2026)
        var wire: [UInt8] = []
        var expected: [WebSocketAction] = []
        for _ in 0..<200 {
            let isText = rng.next() % 2 == 0
            let payload: [UInt8] =
                isText
                ? Array(String(repeating: "é☃a", count: Int(rng.next() % 50)).utf8) : rng.bytes(Int(rng.next() % 300))
            let pieces = max(1, Int(rng.next() % 5))
            let step = max(1, payload.count / pieces)
            var start = 0
            var first = true
            repeat {
                let end = min(payload.count, start + step)
                let last = end == payload.count
                wire += clientFrame(
                    first ? (isText ? .text : .binary) : .continuation, Array(payload[start..<end]), fin: last)
                if !last && rng.next() % 3 == 0 { wire += clientFrame(.pong, []); expected.append(.pongReceived([])) }
                first = false
                start = end
            } while start < payload.count
            expected.append(.deliver(isText ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload)))
        }
        for chunking in [Chunking.whole, .random(seed: 5)] {
            var c = Self.server()
            var actions: [WebSocketAction] = []
            for piece in chunking.split(wire) { actions += c.receive(piece) }
            #expect(actions == expected, "seed 2026, \(chunking)")
        }
    }
}
