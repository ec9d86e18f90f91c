package import Protocol
package import Wire

/// A Bokeh peer over one WebSocket, server side or client side: what arrives is assembled into
/// ``Message``s, what is sent leaves as one gathered write per message.
///
/// The server's connections and the client's connection both sit on this type: it owns the message
/// assembler, the encoder and the conversion between Bokeh fragments and WebSocket messages, so neither
/// side writes them again. It does not decide what a message means; its owner does.
///
/// A peer whose fragments do not make a message is reported once through ``onProtocolError``; the channel
/// then ignores what else arrives, and the owner closes it (``close(for:)`` uses the error's own close code
/// and reason, as Bokeh's server does).
///
/// - Important: like the ``WebSocketChannel`` under it, used only on ``eventLoop``'s thread. Set the
///   callbacks before the WebSocket starts delivering (in the upgrade or connect callback).
package final class BokehPeer {
    /// The WebSocket carrying the messages.
    package let websocket: WebSocketChannel
    /// How messages sent with ``send(_:)-(Message)`` are written.
    package let encoder: MessageEncoder
    private var assembler: MessageAssembler
    private var failed = false

    /// A complete message arrived.
    package var onMessage: ((Message) -> Void)?
    /// The peer's fragments did not make a message (or broke a limit). Called once; close the channel.
    package var onProtocolError: ((ProtocolError) -> Void)?
    /// The WebSocket closed (see ``WebSocketChannel/onClose``). Called once; the callbacks are released after.
    package var onClose: ((WebSocketCloseInfo) -> Void)?
    /// The write queue drained after ``isBackpressured``.
    package var onWritable: (() -> Void)?
    /// Called before each WebSocket message is assembled (the client acknowledges TCP segments early).
    package var onFragment: (() -> Void)?

    /// Takes over `websocket`'s message, close and writable callbacks.
    package init(
        _ websocket: WebSocketChannel, limits: MessageAssemblerLimits,
        encoder: MessageEncoder = MessageEncoder(style: .python)
    ) {
        self.websocket = websocket
        self.encoder = encoder
        assembler = MessageAssembler(limits: limits)
        // The WebSocket holds these closures (and so this object) until it closes, then drops them.
        websocket.onMessage = { [self] message in self.received(message) }
        websocket.onWritable = { [self] in self.onWritable?() }
        websocket.onClose = { [self] info in self.closed(info) }
    }

    package var eventLoop: EventLoop { websocket.eventLoop }
    /// Whether messages can still be sent.
    package var isOpen: Bool { websocket.isOpen }
    /// Whether more than the connection's high watermark waits to be sent (wait for ``onWritable``).
    package var isBackpressured: Bool { websocket.isBackpressured }

    // MARK: Sending

    /// Encodes `message` and writes all its fragments in one gathered write. Returns false when the
    /// WebSocket is closing or the peer stopped reading.
    @discardableResult
    package func send(_ message: Message) throws(ProtocolError) -> Bool {
        send(try PreparedMessage(message, encoder: encoder))
    }

    /// Writes a message encoded once (for many peers, or off the loop) in one gathered write.
    @discardableResult
    package func send(_ prepared: PreparedMessage) -> Bool {
        websocket.send(prepared.frames)
    }

    /// Writes raw fragments as they are, in one gathered write (tests make peers see malformed messages).
    @discardableResult
    package func send(fragments: [Fragment]) -> Bool {
        websocket.send(fragments.map(\.websocketMessage))
    }

    // MARK: Closing

    /// Closes with `error`'s close code and reason.
    package func close(for error: ProtocolError) {
        websocket.close(code: WebSocketCloseCode(error.closeCode), reason: error.closeReason)
    }

    /// Starts the closing handshake (nil `code`: a close frame without status).
    package func close(code: WebSocketCloseCode? = .normalClosure, reason: String = "") {
        websocket.close(code: code, reason: reason)
    }

    // MARK: Receiving

    private func received(_ message: WebSocketMessage) {
        guard !failed else { return }
        onFragment?()
        let assembled: Message
        do {
            guard let complete = try assembler.consume(Fragment(message)) else { return }
            assembled = complete
        } catch {
            failed = true
            onProtocolError?(error)
            return
        }
        onMessage?(assembled)
    }

    private func closed(_ info: WebSocketCloseInfo) {
        let handler = onClose
        onMessage = nil
        onProtocolError = nil
        onClose = nil
        onWritable = nil
        onFragment = nil
        handler?(info)
    }
}

@available(*, unavailable)
extension BokehPeer: Sendable {}

extension Fragment {
    /// The fragment a WebSocket message carries.
    package init(_ message: WebSocketMessage) {
        switch message {
        case .text(let text): self = .text(text)
        case .binary(let bytes): self = .binary(bytes)
        }
    }

    /// The WebSocket message that carries this fragment.
    package var websocketMessage: WebSocketMessage {
        switch self {
        case .text(let text): .text(text)
        case .binary(let bytes): .binary(bytes)
        }
    }
}
