import DocumentModel
import Protocol
import Testing

/// The message in `name` as the vector decodes it.
private func vectorMessage(_ name: String) throws -> MessageVector {
    try MessageVector(name: name, json: try vector(name))
}

/// `message` with the vector's msgid and buffer ids (which come from a process-wide counter), encoded
/// in the Python style, compared frame by frame with the vector.
private func expectSameFrames(
    _ message: Message, as v: MessageVector, sourceLocation: SourceLocation = #_sourceLocation
)
    throws
{
    var message = renamingBuffers(message, to: v.buffers.map(\.id))
    message.header.messageID = v.header["msgid"]?.stringValue
    let frames = try MessageEncoder().encode(message)
    #expect(frames.count == v.frames.count, sourceLocation: sourceLocation)
    for (ours, theirs) in zip(frames, v.frames) { #expect(ours == theirs, sourceLocation: sourceLocation) }
}

@Suite("Typed messages")
struct TypedMessageTests {
    @Test func constructorsMatchTheVectors() throws {
        try expectSameFrames(.ack(), as: try vectorMessage("msg_ack.json"))
        try expectSameFrames(
            .ack(metadata: .object(["foo": "bar"])), as: try vectorMessage("msg_ack_with_metadata.json"))
        try expectSameFrames(.ok(replyingTo: "p0042"), as: try vectorMessage("msg_ok.json"))
        let error = try vectorMessage("msg_error.json")
        try expectSameFrames(
            .error(replyingTo: "p0042", text: try #require(error.content["text"]?.stringValue)), as: error)
        let traced = try vectorMessage("msg_error_traceback.json")
        try expectSameFrames(
            .error(
                replyingTo: "p0042", text: try #require(traced.content["text"]?.stringValue),
                traceback: traced.content["traceback"]?.stringValue), as: traced)
        try expectSameFrames(.pullDocumentRequest(), as: try vectorMessage("msg_pull_doc_req.json"))
        try expectSameFrames(.serverInfoRequest(), as: try vectorMessage("msg_server_info_req.json"))
        try expectSameFrames(.serverInfoReply(replyingTo: "p0042"), as: try vectorMessage("msg_server_info_reply.json"))
        let streamed = try vectorMessage("msg_patch_doc_streamed.json")
        try expectSameFrames(.patchDocument(content: streamed.content, buffers: streamed.buffers), as: streamed)
        let push = try vectorMessage("msg_push_doc.json")
        try expectSameFrames(
            .pushDocument(documentJSON: try #require(push.content["doc"]), buffers: []), as: push)
    }

    @Test func messageIDsComeFromTheSharedCounterBeforeBufferIDs() throws {
        let v = try vectorMessage("msg_pull_doc_reply.json")
        let document = try Document(fromJSON: try #require(v.content["doc"]), buffers: v.buffers)
        let reply = Message.pullDocumentReply(replyingTo: "p0042", document: document)
        let msgid = try #require(serial(reply.messageID))
        let bufferIDs = reply.buffers.compactMap { serial($0.id) }
        #expect(bufferIDs.count == 2)
        #expect(bufferIDs.allSatisfy { $0 > msgid } && bufferIDs == bufferIDs.sorted())
        #expect(reply.header.numBuffers == 2)
        try expectSameFrames(reply, as: v)

        let pushed = try vectorMessage("msg_push_doc.json")
        let widgets = try Document(fromJSON: try #require(pushed.content["doc"]))
        let push = Message.pushDocument(widgets)
        #expect(push.header.numBuffers == 0)
        try expectSameFrames(push, as: pushed)

        let first = try #require(serial(Message.ack().messageID))
        let second = try #require(serial(Message.ok(replyingTo: "x").messageID))
        #expect(second > first)
    }

    @Test func patchDocumentsFromEventsMatchThePythonContent() throws {
        // Apply a PATCH-DOC vector to a document, then write the events it produced back out.
        for name in ["event_title_changed.json", "event_model_changed.json", "event_columns_streamed.json"] {
            let json = try vector(name)
            let v = try MessageVector(name: name, json: try #require(json["messages"]?.arrayValue?.first))
            let incoming = try #require(try assembleAll(v.frames).first?.message)
            let document = try EventDocument.make()
            guard case .applied(let events) = try incoming.apply(to: document, setter: Setter()) else {
                Issue.record("\(name) did not apply")
                continue
            }
            let outgoing = Message.patchDocument(events: events, in: document)
            #expect(outgoing.type == .patchDocument)
            #expect(outgoing.header.numBuffers == v.buffers.count)
            let msgid = try #require(serial(outgoing.messageID))
            #expect(outgoing.buffers.allSatisfy { (serial($0.id) ?? 0) > msgid }, "msgid minted before buffer ids")
            try expectSameFrames(outgoing, as: v)
        }
    }

    @Test func bodiesReadEveryType() throws {
        for v in try MessageVector.all() {
            let message = try #require(try assembleAll(v.frames).first?.message)
            let body = try message.body()
            switch body {
            case .ack: #expect(message.type == .ack)
            case .ok: #expect(message.type == .ok)
            case .error(let content):
                #expect(content.text == v.content["text"]?.stringValue)
                #expect(content.traceback == v.content["traceback"]?.stringValue)
            case .pullDocumentRequest: #expect(message.type == .pullDocumentRequest)
            case .pullDocumentReply(let doc): #expect(doc == v.content["doc"])
            case .pushDocument(let doc): #expect(doc == v.content["doc"])
            case .patchDocument(let events): #expect(.array(events) == v.content["events"])
            case .serverInfoRequest: #expect(message.type == .serverInfoRequest)
            case .serverInfoReply(let info): #expect(info == .current)
            }
        }
        let reply = try vectorMessage("msg_pull_doc_reply.json")
        let message = try #require(try assembleAll(reply.frames).first?.message)
        #expect(try message.makeDocument().roots.count == 1)
    }

    @Test func malformedContentIsAHandlerError() throws {
        let cases: [(MessageType, JSONValue)] = [
            (.error, .object([:])), (.error, .object(["text": 1])), (.error, .object(["text": "t", "traceback": 2])),
            (.pullDocumentReply, .object([:])), (.pushDocument, .array([])), (.patchDocument, .object(["events": "x"])),
            (.patchDocument, .null), (.serverInfoReply, .object(["version_info": .object(["bokeh": "3.10.2"])])),
        ]
        for (type, content) in cases {
            let message = Message(header: MessageHeader(messageID: "m", type: type), content: content)
            let error = try #require(throws: ProtocolError.self) { try message.body() }
            #expect(error.isMalformedContent, "\(type) \(content)")
            #expect(!error.isProtocolViolation)
        }
        let ok = Message(header: MessageHeader(messageID: "m", type: .ok))
        #expect(throws: ProtocolError.self) { try ok.apply(to: Document(), setter: nil) }
    }

    @Test func clientOnlyTypesAreReportedLikeThePythonServer() throws {
        #expect(
            MessageType.allCases.filter(\.isHandledByServer).map(\.rawValue)
                == ["PULL-DOC-REQ", "PUSH-DOC", "PATCH-DOC", "SERVER-INFO-REQ"])
        let ok = Message(header: MessageHeader(messageID: "c5", type: .ok, requestID: "zz"))
        let error = ProtocolError.notExpectedOnServer(ok)
        #expect(error.closeCode == 10000)
        #expect(error.closeReason == "Message 'OK' content: {} not expected on server")
        let withContent = Message(
            header: MessageHeader(messageID: "e", type: .error),
            content: .object(["text": "it's \"x\"", "traceback": .null, "n": [1, 2.5, true]]))
        #expect(
            ProtocolError.notExpectedOnServer(withContent).closeReason
                == #"Message 'ERROR' content: {'text': 'it\'s "x"', 'traceback': None, 'n': [1, 2.5, True]} not expected on server"#
        )
    }

    @Test func describesMessagesAndErrorsForLogs() throws {
        let message = Message(header: MessageHeader(messageID: "m", type: .ok, requestID: "r"))
        #expect(message.description == "Message 'OK' content: {}")
        let failure = try #require(assemblyError([.text("{\"msgid\": "), .text("{}"), .text("{}")]))
        #expect(failure.error.closeReason == "server failed to parse a message")
        #expect(failure.error.description.hasPrefix("message header is not JSON: "))
        #expect(Fragment.text("é").byteCount == 2)
        #expect(Fragment.binary([1, 2, 3]).byteCount == 3)
    }

    @Test func messageTypesAreTheNineOfBokeh() {
        #expect(MessageType.allCases.count == 9)
        for type in MessageType.allCases { #expect(MessageType(rawValue: type.rawValue) == type) }
        #expect(MessageType(rawValue: "NOPE") == nil)
        #expect(MessageType(rawValue: "ack") == nil)
    }

    @Test func nonFiniteNumbersCannotBeEncoded() {
        let message = Message(
            header: MessageHeader(messageID: "m", type: .patchDocument), content: .object(["x": .double(.nan)]))
        #expect(throws: ProtocolError.self) { try MessageEncoder().encode(message) }
    }
}
