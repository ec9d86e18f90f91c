/// Why and how a WebSocket connection ended.
public struct WebSocketCloseInfo: Sendable, Hashable {
    /// The close code: received from the peer, or sent by us when we failed the connection.
    /// Nil when the close frame carried no code (1005, "no status received").
    public var code: WebSocketCloseCode?
    public var reason: String
    /// Set when this side failed the connection because of the peer's input.
    public var error: WebSocketError?
    /// Whether this side sent the first close frame.
    public var initiatedLocally: Bool

    public init(code: WebSocketCloseCode?, reason: String = "", error: WebSocketError? = nil, initiatedLocally: Bool) {
        self.code = code
        self.reason = reason
        self.error = error
        self.initiatedLocally = initiatedLocally
    }
}

/// What the transport must do after feeding bytes to a ``WebSocketStateMachine``, in order.
public enum WebSocketAction: Sendable, Hashable {
    /// Hand a complete message to the application.
    case deliver(WebSocketMessage)
    /// Write these bytes to the peer (pong replies, close frames).
    case write([UInt8])
    /// A pong arrived (keep-alive bookkeeping).
    case pongReceived([UInt8])
    /// The closing handshake is complete or the connection failed: flush pending writes, then close
    /// the TCP connection (a client may wait briefly for the server to close first, RFC 6455 section 7.1.1).
    case closeTransport(WebSocketCloseInfo)
}

/// The RFC 6455 connection state machine, with permessage-deflate when negotiated.
///
/// Feed it received bytes and carry out the returned ``WebSocketAction``s; ask it for the bytes of
/// outgoing messages, pings and closes. It enforces fragmentation rules, UTF-8 validity of text
/// (incrementally, failing fast), message size limits (also after decompression) and the closing
/// handshake. It never touches a socket or a clock.
///
/// - Important: owned by one connection and used from one thread at a time. With compression it holds
///   zlib streams, so it must not be copied and used twice.
public struct WebSocketStateMachine {
    public enum State: Sendable, Hashable {
        /// Messages flow both ways.
        case open
        /// We sent a close frame and await the peer's.
        case closeSent
        /// The closing handshake is over (or the connection failed).
        case closed
    }

    public let role: WebSocketRole
    public let configuration: WebSocketConfiguration
    public private(set) var state: State = .open
    /// The negotiated permessage-deflate parameters, if any.
    public var deflateParameters: PerMessageDeflateParameters? { codec?.parameters }

    private var decoder: WebSocketFrameDecoder
    private let codec: PerMessageDeflateCodec?
    private let maskingKeys: @Sendable () -> WebSocketMaskingKey

    /// The message being reassembled from fragments.
    private struct PartialMessage {
        var isText: Bool
        var compressed: Bool
        var bytes: [UInt8] = []
        var validator = UTF8Validator()
    }
    private var partial: PartialMessage?

    /// - Parameters:
    ///   - role: which side we are; clients mask outgoing frames and expect unmasked ones.
    ///   - configuration: limits and close-code policy.
    ///   - deflate: negotiated parameters and our compression preferences, when permessage-deflate was agreed.
    ///   - maskingKeys: source of masking keys (clients only); random by default.
    public init(
        role: WebSocketRole, configuration: WebSocketConfiguration = .default,
        deflate: (parameters: PerMessageDeflateParameters, configuration: PerMessageDeflateConfiguration)? = nil,
        maskingKeys: @escaping @Sendable () -> WebSocketMaskingKey = { WebSocketMaskingKey.random() }
    ) {
        self.role = role
        self.configuration = configuration
        self.maskingKeys = maskingKeys
        if let deflate,
            let codec = PerMessageDeflateCodec(
                parameters: deflate.parameters, role: role, configuration: deflate.configuration)
        {
            self.codec = codec
        } else {
            self.codec = nil
        }
        decoder = WebSocketFrameDecoder(
            role: role, maxFrameSize: configuration.maxFrameSize, allowedReservedBits: codec == nil ? 0 : 0b100)
    }

    // MARK: Receiving

    /// Feeds received bytes and returns what to do, in order.
    public mutating func receive<C: Collection>(_ bytes: C) -> [WebSocketAction] where C.Element == UInt8 {
        guard state != .closed else { return [] }
        decoder.feed(bytes)
        var actions: [WebSocketAction] = []
        while state != .closed {
            do {
                guard let frame = try decoder.next() else { break }
                handle(frame, into: &actions)
            } catch {
                fail(error, into: &actions)
            }
        }
        return actions
    }

    /// Processes one decoded frame (for callers that decode themselves, and for tests).
    public mutating func handle(_ frame: WebSocketFrame) -> [WebSocketAction] {
        var actions: [WebSocketAction] = []
        if state != .closed { handle(frame, into: &actions) }
        return actions
    }

    private mutating func handle(_ frame: WebSocketFrame, into actions: inout [WebSocketAction]) {
        do {
            switch frame.opcode {
            case .text, .binary:
                guard partial == nil else { throw WebSocketError.expectedContinuation }
                partial = PartialMessage(isText: frame.opcode == .text, compressed: frame.rsv1)
                try appendFragment(frame, into: &actions)
            case .continuation:
                guard partial != nil else { throw WebSocketError.unexpectedContinuation }
                guard !frame.rsv1 else { throw WebSocketError.reservedBitsSet }
                try appendFragment(frame, into: &actions)
            case .ping:
                if state == .open {
                    actions.append(.write(encode(WebSocketFrame(opcode: .pong, payload: frame.payload))))
                }
            case .pong:
                actions.append(.pongReceived(frame.payload))
            case .close:
                try receiveClose(frame.payload, into: &actions)
            default:
                throw WebSocketError.reservedOpcode
            }
        } catch let error as WebSocketError {
            fail(error, into: &actions)
        } catch {
            fail(.decompressionFailed, into: &actions)
        }
    }

    private mutating func appendFragment(_ frame: WebSocketFrame, into actions: inout [WebSocketAction])
        throws(WebSocketError)
    {
        guard var message = partial else { return }
        partial = nil  // avoid a copy of the growing buffer while we edit it
        let limit = Swift.max(0, configuration.maxMessageSize)
        let before = message.bytes.count
        if message.compressed {
            guard let codec else { throw .reservedBitsSet }
            try codec.decompress(fragment: frame.payload, into: &message.bytes, limit: limit)
            if frame.fin { try codec.finishMessage(into: &message.bytes, limit: limit) }
        } else {
            guard frame.payload.count <= limit - message.bytes.count else { throw .messageTooLarge }
            if message.bytes.isEmpty {
                message.bytes = frame.payload  // shares storage: no copy for unfragmented messages
            } else {
                message.bytes.append(contentsOf: frame.payload)
            }
        }
        if message.isText {
            let fresh = message.bytes.withUnsafeBufferPointer { p in
                message.validator.feed(buffer: UnsafeBufferPointer(rebasing: p[before...]))
            }
            guard fresh else { throw .invalidUTF8 }
        }
        guard frame.fin else {
            partial = message
            return
        }
        if message.isText {
            guard message.validator.isComplete else { throw .invalidUTF8 }
            actions.append(.deliver(.text(String(decoding: message.bytes, as: UTF8.self))))
        } else {
            actions.append(.deliver(.binary(message.bytes)))
        }
    }

    private mutating func receiveClose(_ payload: [UInt8], into actions: inout [WebSocketAction]) throws(WebSocketError)
    {
        var code: WebSocketCloseCode?
        var reason = ""
        if payload.count == 1 { throw .invalidClosePayload }
        if payload.count >= 2 {
            let c = WebSocketCloseCode(UInt16(payload[0]) << 8 | UInt16(payload[1]))
            guard c.isValidOnWire(allowingNonStandard: configuration.acceptsNonStandardCloseCodes) else {
                throw .invalidCloseCode
            }
            let reasonBytes = payload[2...]
            guard UTF8Validator.isValid(reasonBytes) else { throw .invalidUTF8 }
            code = c
            reason = String(decoding: reasonBytes, as: UTF8.self)
        }
        switch state {
        case .open:
            // Echo the status code (RFC 6455 section 5.5.1) and finish.
            let echo = code.map { $0.isValidOnWire() ? $0 : .normalClosure }
            actions.append(
                .write(encode(WebSocketFrame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: echo)))))
            state = .closed
            actions.append(.closeTransport(WebSocketCloseInfo(code: code, reason: reason, initiatedLocally: false)))
        case .closeSent:
            state = .closed
            actions.append(.closeTransport(WebSocketCloseInfo(code: code, reason: reason, initiatedLocally: true)))
        case .closed:
            break
        }
    }

    private mutating func fail(_ error: WebSocketError, into actions: inout [WebSocketAction]) {
        partial = nil
        if state == .open {
            let payload = WebSocketFrameEncoder.closePayload(code: error.closeCode, reason: error.detail)
            actions.append(.write(encode(WebSocketFrame(opcode: .close, payload: payload))))
        }
        state = .closed
        actions.append(
            .closeTransport(
                WebSocketCloseInfo(code: error.closeCode, reason: error.detail, error: error, initiatedLocally: true)))
    }

    // MARK: Sending

    /// The bytes of `message`, compressed when negotiated and fragmented per
    /// ``WebSocketConfiguration/maxOutgoingFrameSize``.
    public mutating func send(_ message: WebSocketMessage) throws(WebSocketError) -> [UInt8] {
        let chunks = try sendChunks([message])
        return chunks.count == 1 ? chunks[0].array : chunks.flatMap(\.array)
    }

    /// The bytes of several messages for one gathered write (see ``send(_:)-(WebSocketMessage)``): frames are
    /// packed together, and a large payload that needs neither masking nor compression is referenced, not copied.
    public mutating func send(_ messages: [WebSocketMessage]) throws(WebSocketError) -> [[UInt8]] {
        try sendChunks(messages).map(\.array)
    }

    mutating func sendChunks(_ messages: [WebSocketMessage]) throws(WebSocketError) -> [OutgoingChunk] {
        guard state == .open else { throw .closed }
        let step = configuration.maxOutgoingFrameSize
        if role == .server && codec == nil {
            return WebSocketFrameBatch.plainFrames(
                messages.map(PreparedWebSocketMessages.Part.init), maxFrameSize: step)
        }
        var batch = WebSocketFrameBatch()
        let client = role == .client
        let keys = maskingKeys
        for message in messages {
            var opcode = WebSocketOpcode.binary
            var payload: [UInt8]
            switch message {
            case .text(let s):
                opcode = .text
                payload = Array(s.utf8)
            case .binary(let b):
                payload = b
            }
            var rsv: UInt8 = 0
            if let codec, codec.shouldCompress(payload.count) {
                payload = try codec.compress(payload)
                rsv = 0b100
            }
            payload.withUnsafeBytes { p in
                batch.append(
                    opcode: opcode, reservedBits: rsv, payload: p, maxFrameSize: step,
                    maskingKey: { client ? keys() : nil })
            }
        }
        return batch.finish()
    }

    /// The bytes of messages encoded once for many connections: the shared plain frames when this is a server
    /// connection without compression and without fragmentation, else encoded here.
    public mutating func send(_ prepared: PreparedWebSocketMessages) throws(WebSocketError) -> [[UInt8]] {
        try sendChunks(prepared).map(\.array)
    }

    mutating func sendChunks(_ prepared: PreparedWebSocketMessages) throws(WebSocketError) -> [OutgoingChunk] {
        guard state == .open else { throw .closed }
        if role == .server && codec == nil && configuration.maxOutgoingFrameSize >= prepared.largestPayload {
            return prepared.plainChunks
        }
        return try sendChunks(prepared.messages)
    }

    /// The bytes of a ping (payload at most 125 bytes).
    public mutating func ping(_ payload: [UInt8] = []) throws(WebSocketError) -> [UInt8] {
        guard state == .open else { throw .closed }
        guard payload.count <= 125 else { throw .controlFrameTooLong }
        return encode(WebSocketFrame(opcode: .ping, payload: payload))
    }

    /// The bytes of an unsolicited pong (a one-way heartbeat).
    public mutating func pong(_ payload: [UInt8] = []) throws(WebSocketError) -> [UInt8] {
        guard state == .open else { throw .closed }
        guard payload.count <= 125 else { throw .controlFrameTooLong }
        return encode(WebSocketFrame(opcode: .pong, payload: payload))
    }

    /// Starts the closing handshake: the bytes of our close frame, or nil if closing already began.
    /// A nil `code` sends a close frame without status. Codes are sent as given: Bokeh's server
    /// closes with 10000/10001, outside RFC 6455's range, and so do we when asked.
    public mutating func close(code: WebSocketCloseCode? = .normalClosure, reason: String = "") -> [UInt8]? {
        guard state == .open else { return nil }
        state = .closeSent
        partial = nil
        return encode(
            WebSocketFrame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: code, reason: reason)))
    }

    /// Marks the connection closed without a handshake (the transport lost the connection).
    public mutating func connectionLost() -> WebSocketCloseInfo? {
        guard state != .closed else { return nil }
        let initiated = state == .closeSent
        state = .closed
        partial = nil
        return WebSocketCloseInfo(code: .abnormalClosure, reason: "connection lost", initiatedLocally: initiated)
    }

    private func encode(_ frame: WebSocketFrame) -> [UInt8] {
        WebSocketFrameEncoder.encode(frame, maskingKey: role == .client ? maskingKeys() : nil)
    }
}

@available(*, unavailable)
extension WebSocketStateMachine: Sendable {}

/// The RFC 6455 state machine's former name.
@available(*, deprecated, renamed: "WebSocketStateMachine")
public typealias WebSocketConnection = WebSocketStateMachine
