import DocumentModel
import Protocol
import Testing

/// The frames of a live transcript going one way, up to the first close entry.
private func frames(_ transcript: JSONValue, direction: String) throws -> [Fragment] {
    var result: [Fragment] = []
    for frame in transcript["frames"]?.arrayValue ?? [] where frame["dir"]?.stringValue == direction {
        guard let fragment = try fragment(frame) else { break }
        result.append(fragment)
    }
    return result
}

@Suite("Live transcripts")
struct TranscriptTests {
    @Test func pullPatchSessionAssemblesInBothDirections() throws {
        let transcript = try vector("transcript_pull_patch.json")
        let server = try assembleAll(try frames(transcript, direction: "server->client")).map(\.message)
        #expect(
            server.map(\.type.rawValue) == [
                "ACK", "PULL-DOC-REPLY", "PATCH-DOC", "PATCH-DOC", "OK", "SERVER-INFO-REPLY", "SERVER-INFO-REPLY",
            ])
        let client = try assembleAll(try frames(transcript, direction: "client->server")).map(\.message)
        #expect(client.map(\.type.rawValue) == ["PULL-DOC-REQ", "PATCH-DOC", "SERVER-INFO-REQ", "SERVER-INFO-REQ"])
        // Replies name their requests; the OK was minted before the PATCH-DOCs it follows.
        #expect(server[1].requestID == client[0].messageID)
        #expect(server[4].requestID == client[1].messageID)
        #expect(try #require(serial(server[4].messageID)) < (try #require(serial(server[2].messageID))))
        #expect(server[1].buffers.map(\.bytes.count) == [16, 16])
        #expect(server[3].buffers.count == 2)
        #expect(try server[5].body() == .serverInfoReply(.current))
        #expect(client[1].header.numBuffers == 0)
        try expectReencodesExactly(transcript, "server->client")
        try expectReencodesExactly(transcript, "client->server")
        // The pulled document loads.
        #expect(try server[1].makeDocument().roots.isEmpty == false)
    }

    @Test func rawSessionAssemblesAndEndsWithTheServersClose() throws {
        let transcript = try vector("transcript_raw_ws.json")
        let server = try assembleAll(try frames(transcript, direction: "server->client")).map(\.message)
        #expect(
            server.map(\.type.rawValue) == [
                "ACK", "SERVER-INFO-REPLY", "PULL-DOC-REPLY", "PATCH-DOC", "PATCH-DOC", "OK", "ERROR",
            ])
        let client = try assembleAll(try frames(transcript, direction: "client->server")).map(\.message)
        #expect(client.map(\.messageID) == ["c1", "c2", "c3", "c4", "c5"])
        #expect(client.allSatisfy { $0.header.numBuffers == nil })
        #expect(server.compactMap(\.requestID) == ["c1", "c2", "c3", "c4"])
        guard case .error(let error) = try server[6].body() else {
            Issue.record("last server message is not an ERROR")
            return
        }
        #expect(error.text == #"UnknownReferenceError("can't resolve reference 'nope'")"#)
        #expect(error.traceback?.hasPrefix("Traceback (most recent call last):") == true)

        // The client's OK is a type the server does not handle: it closes with Python's reason.
        let close = try #require(transcript["frames"]?.arrayValue?.last)
        let last = try #require(client.last)
        #expect(!last.type.isHandledByServer)
        let reason = ProtocolError.notExpectedOnServer(last)
        #expect(Int(reason.closeCode) == { if case .int(let n)? = close["close_code"] { n } else { nil } }())
        #expect(reason.closeReason == close["close_reason"]?.stringValue)
        try expectReencodesExactly(transcript, "server->client")
        try expectReencodesExactly(transcript, "client->server")
    }

    @Test func serverErrorCasesCloseWithTheObservedCodes() throws {
        let cases = try #require(try vector("transcript_server_errors.json")["cases"]?.arrayValue)
        var checked = 0
        for c in cases {
            let sent = try fragments(c["sent"])
            guard !sent.isEmpty, let close = c["received"]?.arrayValue?.last, case .int(let code)? = close["close_code"]
            else { continue }
            let reason = close["close_reason"]?.stringValue
            // The ACK in `received` assembles like any other message.
            let received = try assembleAll(try fragments(c["received"])).map(\.message)
            #expect(received.map(\.type) == [.ack])
            let error: ProtocolError
            switch Result(catching: { () throws(ProtocolError) in try assembleAll(sent) }) {
            case .success(let messages):
                let message = try #require(messages.first?.message)
                #expect(!message.type.isHandledByServer)
                error = ProtocolError.notExpectedOnServer(message)
            case .failure(let failure):
                error = failure
            }
            #expect(Int(error.closeCode) == code, "\(c["case"]?.stringValue ?? "")")
            #expect(error.closeReason == reason)
            checked += 1
        }
        #expect(checked == 5)
    }

    private func expectReencodesExactly(_ transcript: JSONValue, _ direction: String) throws {
        let sent = try frames(transcript, direction: direction)
        let messages = try assembleAll(sent).map(\.message)
        // Python peers write Python-style frames; the raw client wrote compact ones by hand.
        let pythonStyle = text(sent[0])?.contains(": ") == true
        let encoder = MessageEncoder(style: pythonStyle ? .python : .browser)
        let again = try messages.flatMap { try encoder.encode($0) }
        #expect(again == sent, "\(direction)")
    }
}
