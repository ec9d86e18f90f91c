public import DocumentModel

extension Message {
    /// `PULL-DOC-REQ`: asks for the session's document. Content `{}`.
    public static func pullDocumentRequest(metadata: JSONValue = .object([:])) -> Message {
        empty(.pullDocumentRequest, metadata: metadata)
    }

    /// `PULL-DOC-REPLY` to `requestID` carrying all of `document` (which marks every model synced).
    ///
    /// The message id is minted before the document's buffer ids, as in Python.
    public static func pullDocumentReply(
        replyingTo requestID: String, document: Document, metadata: JSONValue = .object([:])
    ) -> Message {
        let header = MessageHeader.next(.pullDocumentReply, replyingTo: requestID)
        let (json, buffers) = document.toJSON()
        return documentMessage(header, json, buffers, metadata)
    }

    /// `PULL-DOC-REPLY` to `requestID` with already serialized document JSON and its buffers.
    public static func pullDocumentReply(
        replyingTo requestID: String, documentJSON: JSONValue, buffers: [Buffer], metadata: JSONValue = .object([:])
    ) -> Message {
        documentMessage(.next(.pullDocumentReply, replyingTo: requestID), documentJSON, buffers, metadata)
    }

    /// `PUSH-DOC` carrying all of `document`: replaces the server session's document.
    public static func pushDocument(_ document: Document, metadata: JSONValue = .object([:])) -> Message {
        let header = MessageHeader.next(.pushDocument)
        let (json, buffers) = document.toJSON()
        return documentMessage(header, json, buffers, metadata)
    }

    /// `PUSH-DOC` with already serialized document JSON and its buffers.
    public static func pushDocument(
        documentJSON: JSONValue, buffers: [Buffer], metadata: JSONValue = .object([:])
    ) -> Message {
        documentMessage(.next(.pushDocument), documentJSON, buffers, metadata)
    }

    private static func documentMessage(
        _ header: MessageHeader, _ json: JSONValue, _ buffers: [Buffer], _ metadata: JSONValue
    ) -> Message {
        var header = header
        header.numBuffers = buffers.count
        return Message(header: header, metadata: metadata, content: .object(["doc": json]), buffers: buffers)
    }

    /// `PATCH-DOC` for `events` of `document`: synced models are bare references, new models are written
    /// in full and then marked synced.
    ///
    /// The message id is minted before any buffer id, as in Python. Python sends one event per
    /// PATCH-DOC; BokehJS batches. Both are valid.
    public static func patchDocument(
        events: [DocumentEvent], in document: Document, metadata: JSONValue = .object([:])
    ) -> Message {
        let header = MessageHeader.next(.patchDocument)
        let (json, buffers) = document.patchContent(for: events)
        return patchDocument(header: header, content: json, buffers: buffers, metadata: metadata)
    }

    /// `PATCH-DOC` with already serialized content (`{"events":[…]}`) and its buffers.
    public static func patchDocument(content: JSONValue, buffers: [Buffer], metadata: JSONValue = .object([:]))
        -> Message
    {
        patchDocument(header: .next(.patchDocument), content: content, buffers: buffers, metadata: metadata)
    }

    private static func patchDocument(
        header: MessageHeader, content: JSONValue, buffers: [Buffer], metadata: JSONValue
    ) -> Message {
        var header = header
        header.numBuffers = buffers.count
        return Message(header: header, metadata: metadata, content: content, buffers: buffers)
    }

    /// The `doc` of a PULL-DOC-REPLY or PUSH-DOC.
    public func documentJSON() throws(ProtocolError) -> JSONValue {
        try requiredMember("doc", expected: "a 'doc' member")
    }

    /// A new document from a PULL-DOC-REPLY or PUSH-DOC and its buffers.
    ///
    /// - Throws: ``ProtocolError`` if the content has no `doc`, `DocumentError` if the document is invalid.
    public func makeDocument(limits: DeserializerLimits = .default) throws -> Document {
        try Document(fromJSON: documentJSON(), buffers: buffers, limits: limits)
    }

    /// The `events` of a PATCH-DOC.
    public func patchEvents() throws(ProtocolError) -> [JSONValue] {
        guard case .array(let events) = try requiredMember("events", expected: "an 'events' list") else {
            throw .malformedContent(type, expected: "an 'events' list")
        }
        return events
    }

    /// Applies a PATCH-DOC to `document` atomically, with the message's buffers.
    ///
    /// - Parameter setter: Who made the change, so the server can skip echoing it back.
    /// - Throws: ``ProtocolError`` if this is not a PATCH-DOC, `DocumentError` if the patch does not apply.
    @discardableResult
    public func apply(to document: Document, setter: Setter?, limits: DeserializerLimits = .default) throws
        -> Document.PatchOutcome
    {
        guard type == .patchDocument else { throw ProtocolError.malformedContent(type, expected: "a PATCH-DOC") }
        return try document.applyPatch(content, buffers: buffers, setter: setter, limits: limits)
    }
}
