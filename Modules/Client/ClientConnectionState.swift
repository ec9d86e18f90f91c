package import Protocol

/// Why a connection ended (Python: `bokeh.client.states.ErrorReason`), set where Python's
/// `bokeh.client.connection` sets it.
///
/// - ``noError``: `close(why:)` (code: the close code, if any); `loopUntilClosed(timeout:)` on a
///   connection that never connected (code nil).
/// - ``httpError``: the handshake got an HTTP error status (code: the status, 404 for no such app); the
///   server closed, or the socket was lost, before the ACK or with no reply awaited (code: the server's close
///   code, else 500).
/// - ``networkError``: the socket could not be opened, refused or unreachable (code nil); the server closed,
///   or the socket was lost, while a reply was awaited (code: the server's close code, else nil); no ACK in
///   time (nil); the server broke the protocol (1002).
public enum ErrorReason: Sendable, Hashable {
    /// Closed on purpose, by `close(why:)`, or never connected when
    /// `loopUntilClosed(timeout:)` was called (Python's `NO_ERROR`).
    case noError
    /// The server answered the opening handshake with an HTTP error status, or closed the connection while
    /// no reply was awaited (Python's `HTTP_ERROR`, which its client reports as 500 "Internal server error.";
    /// here the server's close code and reason replace those when it sent them).
    case httpError
    /// The connection could not be made (Python: "Socket invalid."), or was lost while a reply was awaited
    /// (Python's `NETWORK_ERROR`); a close code and reason from the server, if any, are in
    /// ``ClientConnection/errorCode`` and ``ClientConnection/errorDetail``.
    case networkError
}

/// The states of a ``ClientConnection`` (Python: `bokeh.client.states`).
public enum ClientConnectionState: Sendable, Hashable, CustomStringConvertible {
    case notYetConnected
    /// The WebSocket is open; the server's ACK has not arrived.
    case connectedBeforeACK
    case connectedAfterACK
    /// A request was sent and its reply (a message whose `reqid` is the request's `msgid`) is awaited.
    /// With several requests outstanding, this names the oldest.
    case waitingForReply(requestID: String)
    case disconnected(reason: ErrorReason, code: Int?, detail: String)

    /// Connected with the ACK received, whether or not a reply is awaited.
    public var isConnected: Bool {
        switch self {
        case .connectedAfterACK, .waitingForReply: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .notYetConnected: "NOT_YET_CONNECTED"
        case .connectedBeforeACK: "CONNECTED_BEFORE_ACK"
        case .connectedAfterACK: "CONNECTED_AFTER_ACK"
        case .waitingForReply(let id): "WAITING_FOR_REPLY(\(id))"
        case .disconnected(let reason, let code, let detail):
            "DISCONNECTED(\(reason), code: \(code.map(String.init) ?? "none"), detail: \(detail))"
        }
    }
}

/// The client side of the Bokeh protocol as a pure state machine: it is told what happened to the
/// transport and which messages arrived, and answers with what the connection should do. It never
/// touches a socket or a clock.
///
/// Unlike Python's client, a PATCH-DOC that arrives while a reply is awaited is applied, not dropped.
package struct ClientStateMachine: Sendable {
    package enum Action: Sendable, Equatable {
        /// The server's ACK arrived: the connection is ready.
        case acknowledged
        /// The reply to an outstanding request.
        case reply(requestID: String, Message)
        /// A PATCH-DOC to apply to the session's document.
        case applyPatch(Message)
        /// Nothing to do (a reply nobody waits for, such as the OK to a PATCH-DOC; a message after close).
        case ignore
        /// The server broke the protocol; the connection should be failed with this detail.
        case violation(String)
    }

    private enum Phase: Sendable, Hashable {
        case notYetConnected, beforeACK, afterACK
        case disconnected(reason: ErrorReason, code: Int?, detail: String)
    }

    private var phase: Phase = .notYetConnected
    /// Outstanding request ids, oldest first.
    package private(set) var pending: [String] = []

    package init() {}

    package var state: ClientConnectionState {
        switch phase {
        case .notYetConnected: return .notYetConnected
        case .beforeACK: return .connectedBeforeACK
        case .afterACK: return pending.first.map { .waitingForReply(requestID: $0) } ?? .connectedAfterACK
        case .disconnected(let reason, let code, let detail):
            return .disconnected(reason: reason, code: code, detail: detail)
        }
    }

    /// The WebSocket handshake succeeded. Returns false unless the machine was waiting to connect.
    @discardableResult
    package mutating func opened() -> Bool {
        guard phase == .notYetConnected else { return false }
        phase = .beforeACK
        return true
    }

    /// A request is about to be sent. Returns false (send nothing) unless connected after the ACK.
    package mutating func sending(requestID: String) -> Bool {
        guard phase == .afterACK else { return false }
        pending.append(requestID)
        return true
    }

    /// The caller stopped waiting for `requestID` (it timed out).
    package mutating func abandon(requestID: String) {
        pending.removeAll { $0 == requestID }
    }

    package mutating func received(_ message: Message) -> Action {
        switch phase {
        case .notYetConnected, .disconnected:
            return .ignore
        case .beforeACK:
            guard message.type == .ack else { return .violation("received \(message.type.rawValue) instead of ACK") }
            phase = .afterACK
            return .acknowledged
        case .afterACK:
            if let id = message.requestID, let index = pending.firstIndex(of: id) {
                pending.remove(at: index)
                return .reply(requestID: id, message)
            }
            if message.type == .patchDocument { return .applyPatch(message) }
            return .ignore
        }
    }

    /// The connection ended (or could not be made). Returns the requests that will get no reply.
    /// The first reason sticks: a later report (the transport closing after a failed handshake) changes nothing.
    @discardableResult
    package mutating func disconnected(reason: ErrorReason, code: Int? = nil, detail: String = "") -> [String] {
        if case .disconnected = phase { return [] }
        phase = .disconnected(reason: reason, code: code, detail: detail)
        defer { pending = [] }
        return pending
    }
}
