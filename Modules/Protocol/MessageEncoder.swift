import DocumentModel

/// Writes a ``Message`` as the ordered fragments that carry it: header, metadata, content, then one
/// (buffer header, binary payload) pair per buffer.
///
/// - Important: Send all fragments of one message before any fragment of another on the same socket;
///   peers cannot reassemble interleaved messages.
public struct MessageEncoder: Sendable {
    /// Whose byte-level formatting to reproduce. Receivers accept either.
    public struct Style: Sendable, Hashable {
        fileprivate let header: JSONWriterOptions
        fileprivate let content: JSONWriterOptions
        fileprivate let alwaysCountsBuffers: Bool

        /// Python Bokeh: header, metadata and buffer headers with `json.dumps` spacing
        /// (`{"msgid": "p1000", "msgtype": "ACK"}`), compact ASCII-only content, and `num_buffers`
        /// always present on PATCH-DOC, PULL-DOC-REPLY and PUSH-DOC.
        public static let python = Style(header: .pythonDefault, content: .bokehContent, alwaysCountsBuffers: true)
        /// BokehJS: everything compact with raw UTF-8, `num_buffers` only when there are buffers.
        public static let browser = Style(
            header: JSONWriterOptions(separators: .compact, ensureASCII: false),
            content: JSONWriterOptions(separators: .compact, ensureASCII: false), alwaysCountsBuffers: false)
    }

    public var style: Style

    public init(style: Style = .python) {
        self.style = style
    }

    /// The fragments of `message`, in sending order.
    ///
    /// `num_buffers` is always the real number of buffers. It is written when there are buffers, when
    /// the header declares a count (so a decoded `"num_buffers": 0` survives a round trip), and, in the
    /// Python style, for the message types whose Python header always has it.
    ///
    /// - Throws: ``ProtocolError`` if the metadata or content holds a NaN or infinite number.
    public func encode(_ message: Message) throws(ProtocolError) -> [Fragment] {
        let texts = try encodeTexts(message)
        var fragments: [Fragment] = texts.parts.map { .text($0) }
        for (header, buffer) in zip(texts.bufferHeaders, message.buffers) {
            fragments.append(.text(header))
            fragments.append(.binary(buffer.bytes))
        }
        return fragments
    }

    /// The text parts of `message` (header, metadata, content) and each buffer's header, leaving the buffers'
    /// bytes where they are: a sender can write them without copying (``Buffer/withUnsafeBytes(_:)``).
    public func encodeTexts(_ message: Message) throws(ProtocolError) -> (parts: [String], bufferHeaders: [String]) {
        let headerWriter = JSONWriter(options: style.header)
        do {
            let parts = [
                try headerWriter.string(headerJSON(message)), try headerWriter.string(message.metadata),
                try JSONWriter(options: style.content).string(message.content),
            ]
            var headers: [String] = []
            headers.reserveCapacity(message.buffers.count)
            for buffer in message.buffers {
                headers.append(try headerWriter.string(.object(["id": .string(buffer.id)])))
            }
            return (parts, headers)
        } catch {
            throw .unencodable(error.description)
        }
    }

    /// Header JSON with Python's key order: `msgid`, `msgtype`, `reqid`, `num_buffers`.
    func headerJSON(_ message: Message) -> JSONValue {
        let header = message.header
        var object = JSONObject()
        if let id = header.messageID { object["msgid"] = .string(id) }
        object["msgtype"] = .string(header.type.rawValue)
        if let requestID = header.requestID { object["reqid"] = .string(requestID) }
        let counts =
            !message.buffers.isEmpty || header.numBuffers != nil
            || (style.alwaysCountsBuffers && MessageType.alwaysCountsBuffers.contains(header.type))
        if counts { object["num_buffers"] = .int(message.buffers.count) }
        return .object(object)
    }
}
