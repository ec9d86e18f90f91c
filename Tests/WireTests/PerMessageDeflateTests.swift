import Testing
import TestSupport
@testable import Wire

/// Runs frames through a connection of `role` and returns the messages delivered (or the close info).
func deliver(
    _ wire: [UInt8], role: WebSocketRole = .client, chunking: Chunking = .whole,
    deflate: PerMessageDeflateParameters? = PerMessageDeflateParameters(),
    configuration: WebSocketConfiguration = .default
) -> (messages: [WebSocketMessage], actions: [WebSocketAction]) {
    var c = WebSocketStateMachine(
        role: role, configuration: configuration,
        deflate: deflate.map { ($0, PerMessageDeflateConfiguration()) })
    var actions: [WebSocketAction] = []
    for piece in chunking.split(wire) { actions += c.receive(piece) }
    let messages = actions.compactMap { a -> WebSocketMessage? in
        if case .deliver(let m) = a { return m }
        return nil
    }
    return (messages, actions)
}

func closeInfo(_ actions: [WebSocketAction]) -> WebSocketCloseInfo? {
    for a in actions { if case .closeTransport(let i) = a { return i } }
    return nil
}

@Suite struct PerMessageDeflateTests {
    /// RFC 7692 section 7.2.3 examples (server-to-client frames, unmasked).
    static let examples: [(String, [UInt8])] = [
        ("7.2.3.1 single compressed frame", [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
        ("7.2.3.1 fragmented compressed", [0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00]),
        (
            "7.2.3.3 no compression (stored block)",
            [0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]
        ),
        ("7.2.3.4 BFINAL set", [0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]),
        (
            "7.2.3.5 two deflate blocks",
            [0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00]
        ),
    ]

    @Test func decodesTheRFCExamplesInAnyChunking() {
        for (name, wire) in Self.examples {
            for chunking in Chunking.allCases {
                #expect(deliver(wire, chunking: chunking).messages == [.text("Hello")], "\(name) \(chunking)")
            }
        }
    }

    @Test func sharedContextSecondMessageMatchesTheRFC() throws {
        // 7.2.3.2: two "Hello" messages with context takeover; the second refers back to the first.
        let wire: [UInt8] = [
            0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00,
        ]
        #expect(deliver(wire).messages == [.text("Hello"), .text("Hello")])
        // Our own compressor produces exactly these bytes.
        var server = WebSocketStateMachine(
            role: .server, deflate: (PerMessageDeflateParameters(), PerMessageDeflateConfiguration()))
        #expect(try server.send(.text("Hello")) == Array(wire[0..<9]))
        #expect(try server.send(.text("Hello")) == Array(wire[9...]))
    }

    @Test func noContextTakeoverResetsBetweenMessages() throws {
        let params = PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true)
        var server = WebSocketStateMachine(role: .server, deflate: (params, PerMessageDeflateConfiguration()))
        let first = try server.send(.text("Hello"))
        let second = try server.send(.text("Hello"))
        #expect(first == second)
        #expect(first == [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    }

    @Test(arguments: [false, true])
    func roundTripsBothDirections(_ noContext: Bool) throws {
        let params = PerMessageDeflateParameters(
            serverNoContextTakeover: noContext, clientNoContextTakeover: noContext,
            serverMaxWindowBits: noContext ? 10 : 15, clientMaxWindowBits: noContext ? 9 : 15)
        let config = PerMessageDeflateConfiguration()
        var client = WebSocketStateMachine(
            role: .client, configuration: WebSocketConfiguration(maxOutgoingFrameSize: 1000),
            deflate: (params, config))
        var server = WebSocketStateMachine(role: .server, deflate: (params, config))
        var rng = SeededGenerator(seed: noContext ? 1 : 2)
        for i in 0..<30 {
            let text = String(repeating: "bokeh patch \(i) ", count: i * 40)
            let binary = rng.bytes(i * 300) + [UInt8](repeating: 7, count: i * 100)
            let up = server.receive(try client.send(.text(text))) + server.receive(try client.send(.binary(binary)))
            #expect(up == [.deliver(.text(text)), .deliver(.binary(binary))])
            let down = client.receive(try server.send(.binary(binary)))
            #expect(down == [.deliver(.binary(binary))])
        }
    }

    @Test func compressionShrinksRepetitiveMessages() throws {
        var server = WebSocketStateMachine(
            role: .server, deflate: (PerMessageDeflateParameters(), PerMessageDeflateConfiguration()))
        let json = String(repeating: "{\"kind\":\"ModelChanged\",\"attr\":\"value\",\"new\":1},", count: 1000)
        #expect(try server.send(.text(json)).count < json.utf8.count / 20)
    }

    @Test func decompressionBombClosesWith1009() throws {
        var sender = WebSocketStateMachine(
            role: .client, deflate: (PerMessageDeflateParameters(), PerMessageDeflateConfiguration()))
        let wire = try sender.send(.binary([UInt8](repeating: 0, count: 4 * 1024 * 1024)))
        #expect(wire.count < 8 * 1024)
        let r = deliver(wire, role: .server, configuration: WebSocketConfiguration(maxMessageSize: 1024 * 1024))
        #expect(r.messages.isEmpty)
        #expect(closeInfo(r.actions)?.code == .messageTooBig)
    }

    @Test func corruptCompressedDataClosesWith1002() {
        let r = deliver([0xc1, 0x04, 0xff, 0xff, 0xff, 0xff])
        #expect(closeInfo(r.actions)?.code == .protocolError)
    }

    @Test func invalidUTF8InsideCompressedTextClosesWith1007() throws {
        var sender = WebSocketStateMachine(
            role: .server, deflate: (PerMessageDeflateParameters(), PerMessageDeflateConfiguration()))
        var wire = try sender.send(.binary([0x48, 0xC3, 0x28]))
        wire[0] = 0xc1  // relabel as text
        #expect(closeInfo(deliver(wire).actions)?.code == .invalidFramePayloadData)
    }

    @Test func rsv1OnAContinuationIsAProtocolError() {
        let wire: [UInt8] = [0x41, 0x03, 0xf2, 0x48, 0xcd, 0xc0, 0x04, 0xc9, 0xc9, 0x07, 0x00]
        #expect(closeInfo(deliver(wire).actions)?.code == .protocolError)
    }

    @Test func rsv1WithoutNegotiationIsAProtocolError() {
        #expect(closeInfo(deliver(Self.examples[0].1, deflate: nil).actions)?.code == .protocolError)
    }

    // MARK: Negotiation

    struct Offer: Sendable, CustomStringConvertible {
        let header: String
        let expected: PerMessageDeflateParameters?
        var config = PerMessageDeflateConfiguration()
        var description: String { header }
    }

    static let offers: [Offer] = [
        Offer(header: "permessage-deflate", expected: PerMessageDeflateParameters()),
        Offer(header: "permessage-deflate; client_max_window_bits", expected: PerMessageDeflateParameters()),
        Offer(
            header: "permessage-deflate; client_max_window_bits=9",
            expected: PerMessageDeflateParameters(clientMaxWindowBits: 9)),
        Offer(
            header: "permessage-deflate; server_max_window_bits=10",
            expected: PerMessageDeflateParameters(serverMaxWindowBits: 10)),
        Offer(
            header: "permessage-deflate; server_max_window_bits=8",
            expected: PerMessageDeflateParameters(serverMaxWindowBits: 8)),
        Offer(
            header: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            expected: PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true)),
        Offer(
            header: "permessage-deflate; client_max_window_bits",
            expected: PerMessageDeflateParameters(clientNoContextTakeover: true, clientMaxWindowBits: 12),
            config: PerMessageDeflateConfiguration(clientNoContextTakeover: true, clientMaxWindowBits: 12)),
        Offer(
            header: "permessage-deflate", expected: PerMessageDeflateParameters(),
            config: PerMessageDeflateConfiguration(clientMaxWindowBits: 12)),
        Offer(header: "permessage-deflate; server_max_window_bits=16", expected: nil),
        Offer(header: "permessage-deflate; server_max_window_bits=7", expected: nil),
        Offer(header: "permessage-deflate; server_max_window_bits", expected: nil),
        Offer(header: "permessage-deflate; server_max_window_bits=010", expected: nil),
        Offer(header: "permessage-deflate; client_max_window_bits=x", expected: nil),
        Offer(header: "permessage-deflate; server_no_context_takeover=1", expected: nil),
        Offer(header: "permessage-deflate; server_no_context_takeover; server_no_context_takeover", expected: nil),
        Offer(header: "permessage-deflate; unknown_param", expected: nil),
        Offer(
            header: "permessage-deflate; unknown_param, permessage-deflate; client_max_window_bits=10",
            expected: PerMessageDeflateParameters(clientMaxWindowBits: 10)),
        Offer(header: "x-webkit-deflate-frame", expected: nil),
    ]

    @Test(arguments: offers)
    func negotiatesOffersAsRFC7692Says(_ o: Offer) {
        let offers = WebSocketExtensionOffer.parse(["Sec-WebSocket-Extensions": o.header])
        #expect(PerMessageDeflateNegotiation.accept(offers: offers, configuration: o.config) == o.expected)
    }

    @Test func responseHeaderOmitsDefaults() {
        #expect(PerMessageDeflateParameters().responseHeaderValue == "permessage-deflate")
        #expect(
            PerMessageDeflateParameters(serverNoContextTakeover: true, clientMaxWindowBits: 10).responseHeaderValue
                == "permessage-deflate; server_no_context_takeover; client_max_window_bits=10")
    }

    @Test func eightBitServerWindowSendsUncompressed() throws {
        var server = WebSocketStateMachine(
            role: .server,
            deflate: (PerMessageDeflateParameters(serverMaxWindowBits: 8), PerMessageDeflateConfiguration()))
        #expect(try server.send(.text("Hello")) == [0x81, 0x05] + Array("Hello".utf8))
    }

    @Test func clientValidatesServerParameters() throws {
        let offered = PerMessageDeflateConfiguration(clientMaxWindowBits: 12)
        func check(_ header: String) throws -> PerMessageDeflateParameters? {
            try PerMessageDeflateNegotiation.validateResponse(
                WebSocketExtensionOffer.parse(["Sec-WebSocket-Extensions": header]), offered: offered)
        }
        #expect(
            try check("permessage-deflate; client_max_window_bits=10")
                == PerMessageDeflateParameters(clientMaxWindowBits: 10))
        #expect(throws: WebSocketError.self) { try check("permessage-deflate; client_max_window_bits=13") }
        #expect(throws: WebSocketError.self) { try check("permessage-deflate; client_max_window_bits") }
        #expect(throws: WebSocketError.self) { try check("permessage-deflate; bogus") }
        #expect(throws: WebSocketError.self) { try check("permessage-deflate, permessage-deflate") }
        #expect(PerMessageDeflateNegotiation.offer(offered) == "permessage-deflate; client_max_window_bits=12")
    }
}
