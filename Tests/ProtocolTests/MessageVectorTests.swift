import DocumentModel
import Protocol
import TestSupport
import Testing

@Suite("Message vectors")
struct MessageVectorTests {
    @Test func everyMessageVectorIsLoaded() throws {
        let vectors = try MessageVector.all()
        #expect(vectors.count == messageVectorNames.count + 14)
        #expect(MessageVector.allOrEmpty.count == vectors.count)
    }

    @Test(arguments: MessageVector.allOrEmpty)
    func assemblesIntoTheDecodedMessage(_ v: MessageVector) throws {
        let messages = try assembleAll(v.frames)
        try #require(messages.count == 1)
        #expect(messages[0].index == v.frames.count - 1, "completes on the last frame")
        let message = messages[0].message
        #expect(message.type.rawValue == v.msgtype)
        #expect(message.messageID == v.header["msgid"]?.stringValue)
        #expect(message.requestID == v.header["reqid"]?.stringValue)
        if case .int(let n)? = v.header["num_buffers"] {
            #expect(message.header.numBuffers == n)
        } else {
            #expect(message.header.numBuffers == nil)
        }
        #expect(message.metadata == v.metadata)
        #expect(message.content == v.content)
        #expect(message.buffers == v.buffers)
    }

    @Test(arguments: MessageVector.allOrEmpty)
    func reencodesByteForByteInPythonStyle(_ v: MessageVector) throws {
        let message = try #require(try assembleAll(v.frames).first?.message)
        let encoded = try MessageEncoder(style: .python).encode(message)
        #expect(encoded.count == v.frames.count)
        for (ours, theirs) in zip(encoded, v.frames) { #expect(ours == theirs) }
    }

    @Test(arguments: MessageVector.allOrEmpty)
    func acceptsTheBrowserSpellingOfTheSameMessage(_ v: MessageVector) throws {
        let message = try #require(try assembleAll(v.frames).first?.message)
        let browser = try MessageEncoder(style: .browser).encode(message)
        #expect(text(browser[0])?.contains(": ") == false, "compact header")
        let again = try #require(try assembleAll(browser).first?.message)
        #expect(again == message)
        // BokehJS leaves `num_buffers` out when there are no buffers; that means 0.
        var stripped = message
        if stripped.buffers.isEmpty { stripped.header.numBuffers = nil }
        let withoutCount = try MessageEncoder(style: .browser).encode(stripped)
        let third = try #require(try assembleAll(withoutCount).first?.message)
        #expect(third.content == message.content)
        #expect(third.buffers == message.buffers)
    }

    @Test func assemblesThePatchInTheShapeBrowsersSend() throws {
        let json = try vector("patch_from_browser.json")
        let frames = try fragments(json["frames"])
        let message = try #require(try assembleAll(frames).first?.message)
        #expect(message.type == .patchDocument)
        #expect(message.messageID == "j1")
        #expect(message.header.numBuffers == 1)
        #expect(message.buffers.map(\.id) == ["0"])
        #expect(message.buffers.first?.bytes == [0, 0, 0, 0, 0, 0, 0x18, 0x40])
        let events = try message.patchEvents()
        #expect(events.map { $0["kind"]?.stringValue } == ["ModelChanged", "MessageSent", "ColumnsStreamed"])
        // Written back in the browser style it is the same bytes.
        #expect(try MessageEncoder(style: .browser).encode(message) == frames)
        // In the Python style only the header and buffer header gain spaces.
        let python = try MessageEncoder(style: .python).encode(message)
        #expect(text(python[0]) == #"{"msgid": "j1", "msgtype": "PATCH-DOC", "num_buffers": 1}"#)
        #expect(text(python[3]) == #"{"id": "0"}"#)
        #expect(python[2] == frames[2])
        #expect(try assembleAll(python).first?.message == message)
    }

    @Test func acceptsBrowserRawUTF8AndPythonEscapesAlike() throws {
        let escaped: [Fragment] = [
            .text(#"{"msgid": "p1", "msgtype": "PATCH-DOC"}"#), .text("{}"),
            .text(#"{"events":[{"kind":"TitleChanged","title":"caf\u00e9 \u2713"}]}"#),
        ]
        let raw: [Fragment] = [
            .text(#"{"msgid":"p1","msgtype":"PATCH-DOC"}"#), .text("{ }"),
            .text("{\"events\":[{\"kind\":\"TitleChanged\",\"title\":\"café ✓\"}]}"),
        ]
        let a = try #require(try assembleAll(escaped).first?.message)
        let b = try #require(try assembleAll(raw).first?.message)
        #expect(a == b)
        #expect(a.header.numBuffers == nil)
        let python = try MessageEncoder(style: .python).encode(b)
        #expect(text(python[2]) == #"{"events":[{"kind":"TitleChanged","title":"caf\u00e9 \u2713"}]}"#)
        let browser = try MessageEncoder(style: .browser).encode(a)
        #expect(text(browser[2]) == "{\"events\":[{\"kind\":\"TitleChanged\",\"title\":\"café ✓\"}]}")
    }

    @Test func backToBackMessagesAssembleInEveryOrder() throws {
        let vectors = try MessageVector.all()
        var rng = SeededGenerator(seed: 0x00c0_ffee)
        var orders: [[Int]] = [Array(vectors.indices), Array(vectors.indices.reversed())]
        for _ in 0..<20 { orders.append(Array(vectors.indices).shuffled(using: &rng)) }
        for order in orders {
            let stream = order.flatMap { vectors[$0].frames }
            let messages = try assembleAll(stream)
            #expect(messages.count == order.count, "seeded order \(order)")
            var end = -1
            for (position, (index, message)) in zip(order, messages) {
                end += vectors[position].frames.count
                #expect(index == end)
                #expect(message.content == vectors[position].content)
                #expect(message.buffers == vectors[position].buffers)
            }
        }
    }

    @Test func everyPairOfMessageTypesAssemblesInBothOrders() throws {
        let vectors = try MessageVector.all().prefix(messageVectorNames.count)
        for a in vectors {
            for b in vectors {
                let messages = try assembleAll(a.frames + b.frames)
                #expect(messages.map(\.message.content) == [a.content, b.content], "\(a) then \(b)")
            }
        }
    }
}
