public import DocumentModel

/// Limits the ``MessageAssembler`` enforces while a message arrives.
///
/// Exceeding any of them is ``ProtocolError`` with close code 1009 `message too big`, the code Tornado
/// uses for an oversize WebSocket message.
public struct MessageAssemblerLimits: Sendable, Hashable {
    /// Largest single fragment (text or binary) in bytes. Default 20 MiB, Bokeh's default
    /// `--websocket-max-message-size`, so a fragment the Python server would accept is accepted here.
    public var maxFragmentBytes: Int
    /// Largest number of buffers one message may declare in `num_buffers`. Default 1024: a document
    /// uses one buffer per binary array column, and real documents have far fewer; the limit stops a
    /// header from committing the receiver to an unbounded sequence.
    public var maxBufferCount: Int
    /// Largest total of all fragments of one message in bytes. Default 256 MiB, the same as
    /// DocumentModel's `JSONReaderLimits.maxBytes`.
    public var maxMessageBytes: Int
    /// Limits for parsing the header, metadata, content and buffer header JSON.
    public var json: JSONReaderLimits

    public init(
        maxFragmentBytes: Int = 20 * 1024 * 1024, maxBufferCount: Int = 1024, maxMessageBytes: Int = 256 * 1024 * 1024,
        json: JSONReaderLimits = .default
    ) {
        self.maxFragmentBytes = maxFragmentBytes
        self.maxBufferCount = maxBufferCount
        self.maxMessageBytes = maxMessageBytes
        self.json = json
    }

    public static let `default` = MessageAssemblerLimits()
}

/// Assembles Bokeh wire fragments into complete messages (Python: `bokeh/protocol/receiver.py`).
///
/// A message arrives as three text fragments (header, metadata, content) followed by
/// `header.num_buffers` pairs of (text buffer header `{"id": …}`, binary payload). As in Python, the
/// three JSON parts are parsed only when the content fragment arrives, in the order header,
/// `msgtype`, metadata, content, so malformed input fails with the error and close code the Python
/// server would use.
///
/// After an error the assembler stays failed and rethrows it: the caller is expected to close the
/// connection with ``ProtocolError/closeCode`` and ``ProtocolError/closeReason``.
public struct MessageAssembler: Sendable {
    private enum State: Sendable {
        case header
        case metadata(header: String)
        case content(header: String, metadata: String)
        case bufferHeader(Partial)
        case bufferPayload(Partial, id: String)
        case failed(ProtocolError)
    }

    private struct Partial: Sendable {
        var message: Message
        var expected: Int
    }

    public let limits: MessageAssemblerLimits
    private var state: State = .header
    private var messageBytes = 0

    public init(limits: MessageAssemblerLimits = .default) {
        self.limits = limits
    }

    /// True between messages (no fragment of a message has been consumed yet).
    public var isIdle: Bool {
        if case .header = state { return true }
        return false
    }

    /// Consumes the next fragment from the peer.
    ///
    /// - Parameter fragment: The next WebSocket message from the peer.
    /// - Returns: A complete message, or `nil` if more fragments are needed.
    /// - Throws: ``ProtocolError`` for a fragment of the wrong kind, malformed JSON or headers, or a
    ///   limit exceeded; see each error's ``ProtocolError/closeCode``.
    public mutating func consume(_ fragment: Fragment) throws(ProtocolError) -> Message? {
        if case .failed(let error) = state { throw error }
        do {
            return try step(fragment)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step(_ fragment: Fragment) throws(ProtocolError) -> Message? {
        let size = fragment.byteCount
        guard size <= limits.maxFragmentBytes else {
            throw .tooBig("a \(fragment.kindName) fragment of \(size) bytes exceeds \(limits.maxFragmentBytes)")
        }
        if isIdle { messageBytes = 0 }
        messageBytes += size
        guard messageBytes <= limits.maxMessageBytes else {
            throw .tooBig("the message exceeds \(limits.maxMessageBytes) bytes")
        }
        switch state {
        case .header:
            state = .metadata(header: try text(fragment, for: "_HEADER"))
            return nil
        case .metadata(let header):
            state = .content(header: header, metadata: try text(fragment, for: "_METADATA"))
            return nil
        case .content(let header, let metadata):
            let content = try text(fragment, for: "_CONTENT")
            let message = try assemble(header: header, metadata: metadata, content: content)
            let expected = message.header.numBuffers ?? 0
            if expected == 0 { return finish(message) }
            state = .bufferHeader(Partial(message: message, expected: expected))
            return nil
        case .bufferHeader(let partial):
            let id = try bufferID(try text(fragment, for: "_BUFFER_HEADER"))
            state = .bufferPayload(partial, id: id)
            return nil
        case .bufferPayload(var partial, let id):
            guard case .binary(let bytes) = fragment else {
                throw .unexpectedFragment(expected: "binary", received: fragment.kindName, state: "_BUFFER_PAYLOAD")
            }
            partial.message.buffers.append(Buffer(id: id, bytes: bytes))
            if partial.message.buffers.count == partial.expected { return finish(partial.message) }
            state = .bufferHeader(partial)
            return nil
        case .failed(let error):
            throw error
        }
    }

    private mutating func finish(_ message: Message) -> Message {
        state = .header
        return message
    }

    private func text(_ fragment: Fragment, for stateName: String) throws(ProtocolError) -> String {
        guard case .text(let text) = fragment else {
            throw .unexpectedFragment(expected: "text", received: fragment.kindName, state: stateName)
        }
        return text
    }

    /// Python's `Protocol.assemble` then `Message.assemble`: header JSON, `msgtype`, metadata, content.
    private func assemble(header headerText: String, metadata: String, content: String) throws(ProtocolError)
        -> Message
    {
        let headerJSON: JSONValue
        do { headerJSON = try JSONReader.parse(headerText, limits: limits.json) } catch {
            throw .headerNotJSON(error.description)
        }
        let header = try MessageHeader(decoding: headerJSON, maxBufferCount: limits.maxBufferCount)
        let metadataJSON: JSONValue
        do { metadataJSON = try JSONReader.parse(metadata, limits: limits.json) } catch { throw .metadataNotJSON }
        let contentJSON: JSONValue
        do { contentJSON = try JSONReader.parse(content, limits: limits.json) } catch { throw .contentNotJSON }
        return Message(header: header, metadata: metadataJSON, content: contentJSON)
    }

    /// Python requires a buffer header's key set to be exactly `{"id"}`; ids must be strings here.
    private func bufferID(_ text: String) throws(ProtocolError) -> String {
        let json: JSONValue
        do { json = try JSONReader.parse(text, limits: limits.json) } catch {
            throw .bufferHeaderNotJSON(error.description)
        }
        guard case .object(let object) = json, object.keys == ["id"], case .string(let id)? = object["id"] else {
            throw .malformedBufferHeader(json)
        }
        return id
    }
}

extension MessageHeader {
    /// Reads a decoded header the way Python's receiver does, with its errors.
    init(decoding json: JSONValue, maxBufferCount: Int) throws(ProtocolError) {
        let object: JSONObject
        switch json {
        case .object(let o):
            object = o
        case .array(let items):
            // `'msgtype' in header` on a list tests membership; indexing a list by a string then fails.
            if items.contains(.string("msgtype")) { throw .headerNotParsable(json) }
            throw .missingMessageType
        case .string(let s):
            // `in` on a string tests for a substring; indexing a string by a string then fails.
            if s.contains("msgtype") { throw .headerNotParsable(json) }
            throw .missingMessageType
        default:
            throw .headerNotParsable(json)
        }
        guard let typeJSON = object["msgtype"] else { throw .missingMessageType }
        guard case .string(let typeName) = typeJSON, let type = MessageType(rawValue: typeName) else {
            throw .unknownMessageType(typeJSON)
        }
        var messageID: String?
        switch object["msgid"] {
        case nil: messageID = nil
        case .string(let id)?: messageID = id
        case let other?: throw .malformedHeader("'msgid' must be a string, got \(PythonRepr.string(other))")
        }
        var requestID: String?
        switch object["reqid"] {
        case nil, .null?: requestID = nil
        case .string(let id)?: requestID = id
        case let other?: throw .malformedHeader("'reqid' must be a string, got \(PythonRepr.string(other))")
        }
        var numBuffers: Int?
        switch object["num_buffers"] {
        case nil: numBuffers = nil
        case .int(let n)? where n >= 0: numBuffers = n
        // trap-safe: d is integral and in 0...Int32.max (the where clause)
        case .double(let d)? where d >= 0 && d.rounded() == d && d <= Double(Int32.max): numBuffers = Int(d)
        case let other?:
            throw .malformedHeader("'num_buffers' must be a non-negative integer, got \(PythonRepr.string(other))")
        }
        if let numBuffers, numBuffers > maxBufferCount {
            throw .tooBig("\(numBuffers) buffers declared, at most \(maxBufferCount) allowed")
        }
        self.init(messageID: messageID, type: type, requestID: requestID, numBuffers: numBuffers)
    }
}
