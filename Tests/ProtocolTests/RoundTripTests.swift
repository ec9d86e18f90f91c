import DocumentModel
import Protocol
import TestSupport
import Testing

/// Random JSON values with the shapes message parts have.
private func randomJSON(_ rng: inout SeededGenerator, depth: Int = 0) -> JSONValue {
    let pick = Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng)
    switch pick {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &rng))
    case 3: return .double(Double(Int.random(in: -10000...10000, using: &rng)) / 8 + 0.5)
    case 4, 5:
        let scalars: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "é", "✓", "😀", "\u{1}", "/"]
        return .string(
            String((0..<Int.random(in: 0..<8, using: &rng)).map { _ in scalars.randomElement(using: &rng) ?? "a" }))
    case 6: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) })
    default:
        var object = JSONObject()
        for i in 0..<Int.random(in: 0..<4, using: &rng) { object["k\(i)"] = randomJSON(&rng, depth: depth + 1) }
        return .object(object)
    }
}

private func randomMessage(_ rng: inout SeededGenerator) -> Message {
    let type = MessageType.allCases.randomElement(using: &rng) ?? .ok
    let bufferCount = Int.random(in: 0..<4, using: &rng)
    let buffers = (0..<bufferCount).map { i in
        Buffer(
            id: Bool.random(using: &rng) ? "\(i)" : "p\(2000 + i)",
            bytes: rng.bytes(Int.random(in: 0..<40, using: &rng)))
    }
    var object = JSONObject()
    object["x"] = randomJSON(&rng)
    let header = MessageHeader(
        messageID: Bool.random(using: &rng) ? "p\(Int.random(in: 1000...9999, using: &rng))" : UUIDish.make(&rng),
        type: type, requestID: Bool.random(using: &rng) ? "c\(Int.random(in: 0...99, using: &rng))" : nil,
        numBuffers: bufferCount > 0 || Bool.random(using: &rng) ? bufferCount : nil)
    return Message(
        header: header, metadata: .object(Bool.random(using: &rng) ? [:] : ["m": randomJSON(&rng)]),
        content: .object(object), buffers: buffers)
}

private enum UUIDish {
    static func make(_ rng: inout SeededGenerator) -> String {
        rng.bytes(16).map { String($0, radix: 16) }.joined()
    }
}

@Suite("Round trips")
struct RoundTripTests {
    @Test(arguments: [1, 0x5eed, 0xdead_beef] as [UInt64])
    func encodeThenAssembleGivesTheMessageBack(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for style in [MessageEncoder.Style.python, .browser] {
            var assembler = MessageAssembler()
            for _ in 0..<200 {
                let message = randomMessage(&rng)
                let fragments = try MessageEncoder(style: style).encode(message)
                #expect(fragments.count == 3 + 2 * message.buffers.count)
                var result: Message?
                for (i, fragment) in fragments.enumerated() {
                    result = try assembler.consume(fragment)
                    #expect((result != nil) == (i == fragments.count - 1), "seed \(seed)")
                }
                // The Python style adds `"num_buffers": 0` to the document message types.
                var expected = message
                if style == .python, [.patchDocument, .pullDocumentReply, .pushDocument].contains(message.type) {
                    expected.header.numBuffers = message.buffers.count
                }
                #expect(result == expected, "seed \(seed)")
                // Re-encoding the decoded message gives the same fragments.
                if let result { #expect(try MessageEncoder(style: style).encode(result) == fragments, "seed \(seed)") }
            }
        }
    }

    @Test func pythonStyleCountsBuffersOnDocumentMessagesOnly() throws {
        for type in MessageType.allCases {
            let message = Message(header: MessageHeader(messageID: "m", type: type))
            let python = try MessageEncoder(style: .python).encode(message)
            let browser = try MessageEncoder(style: .browser).encode(message)
            let counted = [MessageType.patchDocument, .pullDocumentReply, .pushDocument].contains(type)
            #expect(text(python[0])?.hasSuffix(", \"num_buffers\": 0}") == counted, "\(type)")
            #expect(text(browser[0]) == #"{"msgid":"m","msgtype":"\#(type.rawValue)"}"#)
        }
        // The count written is always the real number of buffers.
        var lying = Message(header: MessageHeader(messageID: "m", type: .patchDocument, numBuffers: 5))
        lying.buffers = [Buffer(id: "0", bytes: [1])]
        let fragments = try MessageEncoder(style: .browser).encode(lying)
        #expect(text(fragments[0]) == #"{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}"#)
        #expect(try assembleAll(fragments).count == 1)
    }

    @Test func pythonReprMatchesPython() {
        let cases: [(JSONValue, String)] = [
            (.object([:]), "{}"),
            (.object(["id": "0", "x": 1]), "{'id': '0', 'x': 1}"),
            (.array([.null, true, false, 1.0, 1e22, -0.5]), "[None, True, False, 1.0, 1e+22, -0.5]"),
            (.string("it's"), #""it's""#),
            (.string(#"both ' and ""#), #"'both \' and "'"#),
            (.string("tab\tnew\nline\\ \u{7} é ✓ \u{200B}"), #"'tab\tnew\nline\\ \x07 é ✓ \u200b'"#),
        ]
        for (value, repr) in cases { #expect(PythonRepr.string(value) == repr) }
    }
}
