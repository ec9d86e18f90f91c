import DocumentModel

/// The first fragment of a Bokeh message: `{"msgid": …, "msgtype": …, ["reqid": …], ["num_buffers": N]}`.
public struct MessageHeader: Sendable, Hashable {
    /// `msgid`: unique per sender and opaque to receivers. Python's receiver accepts a header without
    /// one, so decoded headers may have `nil`; messages this layer creates always have one.
    public var messageID: String?
    /// `msgtype`.
    public var type: MessageType
    /// `reqid`: on replies, the `msgid` of the request being answered.
    public var requestID: String?
    /// `num_buffers` as declared, or `nil` when the key is absent (which means 0).
    ///
    /// The encoder writes the actual buffer count whenever this is set or the message has buffers.
    public var numBuffers: Int?

    public init(messageID: String?, type: MessageType, requestID: String? = nil, numBuffers: Int? = nil) {
        self.messageID = messageID
        self.type = type
        self.requestID = requestID
        self.numBuffers = numBuffers
    }

    /// A header with a fresh `p<N>` id from the process-wide counter shared with model and buffer ids.
    ///
    /// Python mints the message id before any buffer id of the same message; call this before
    /// serializing content so ids come out in the same order.
    public static func next(
        _ type: MessageType, replyingTo requestID: String? = nil, numBuffers: Int? = nil
    ) -> MessageHeader {
        MessageHeader(messageID: IDGenerator.next(), type: type, requestID: requestID, numBuffers: numBuffers)
    }
}
