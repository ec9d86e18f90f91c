import Foundation
import DocumentModel
import Protocol
import Wire
import BokehChannel

/// Opens a Bokeh connection on an accepted `/ws` WebSocket: subprotocol and token checks, session lookup
/// or creation, ACK, then message dispatch to the session.
enum WebSocketEndpoint {
    /// On the channel's loop, before the channel starts.
    static func open(
        _ channel: WebSocketChannel, offered: [String], app: ApplicationContext, server: Server,
        user: AuthenticatedUser? = nil
    ) {
        let peer = BokehPeer(channel, limits: server.assemblerLimits)
        let link = SessionLink(peer: peer)
        let handle = ServerConnection(link: link)
        link.handle = handle
        peer.onClose = { info in
            link.closed = true
            log.info(
                "WebSocket connection closed: code=\(info.code.map { String($0.rawValue) } ?? "None"), reason=\(info.reason.isEmpty ? "None" : info.reason)"
            )
            // The handle holds the link and the link held the handle: break that cycle, so the channel, its socket
            // state and the session are freed once the session lets go of the handle.
            let session = link.session
            link.detach()
            guard let session else { return }
            session.eventLoop.run {
                // A connection the server already handled as lost (stopping) is not reported twice.
                if session.unsubscribe(handle) { session.notifyConnectionLost() }
            }
        }

        let token: SessionToken
        let tokenText: String
        do {
            tokenText = try SessionSigner.token(fromSubprotocols: offered)
            guard server.signer.checkTokenSignature(tokenText) else {
                let id = (try? SessionToken(decoding: tokenText))?.sessionID ?? "?"
                log.error("Token for session '\(id)' had invalid signature")
                throw SessionError.invalidTokenSignature
            }
            token = try server.signer.validate(token: tokenText, now: server.clock.wholeUnixSeconds)
        } catch {
            log.error("Refusing websocket connection: \(error)")
            channel.close(code: nil)
            return
        }

        // Session arguments: the token's, else the WebSocket URL's query arguments. A token not believed
        // (unsigned, without --trust-unsigned-tokens) gives way to the WebSocket request itself.
        let carried = server.tokenRequest(token, trusted: server.trustsTokenRequests)
        var request = carried.request ?? RequestSnapshot()
        if let head = channel.request {
            let fromURL = server.snapshot(of: head)
            if carried.request == nil {
                request = fromURL
            } else if carried.payload["arguments"] == nil {
                request.arguments = fromURL.arguments
                if request.headers.isEmpty { request.headers = fromURL.headers }
            }
        }
        let linkBox = LoopBound(link, eventLoop: channel.eventLoop)
        app.createSessionIfNeeded(
            id: token.sessionID, token: tokenText, request: request, tokenPayload: carried.payload, user: user,
            on: channel.eventLoop
        ) { result in
            switch result {
            case .failure(let error):
                log.error("could not create session '\(token.sessionID)': \(error)")
                handle.close(code: ProtocolError.internalErrorCloseCode, reason: "server failed to create the session")
            case .success(let session):
                // On the session's loop: subscribe, then ACK and attach on the connection's loop, in order.
                session.subscribe(handle)
                handle.send(.ack())
                handle.onLoop { _ in
                    let link = linkBox.value
                    if link.closed {
                        session.eventLoop.run { session.unsubscribe(handle) }
                        return
                    }
                    log.info("ServerConnection created")
                    link.attach(session)
                }
            }
        }
    }
}
