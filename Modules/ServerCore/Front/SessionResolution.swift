import DocumentModel
import Protocol

/// How an HTTP request (a page or autoload.js) names its session: Bokeh's `create_session` rules
/// (reference §2.4), without creating anything.
enum SessionResolution: Equatable {
    /// Use (or create) session `sessionID`, connecting with `token`.
    case session(sessionID: String, token: String)
    /// Refuse: status and the reason that replaces the status line's phrase.
    case refused(status: Int, reason: String?)

    /// - Parameters:
    ///   - arguments: the request's query arguments, in order.
    ///   - headerSessionID: the `Bokeh-Session-Id` header.
    ///   - generateSessionIDs: whether a request without id or token gets a new session.
    ///   - extraPayload: what a token minted here carries (a request snapshot's payload).
    static func resolve(
        arguments: [(name: String, value: [UInt8])], headerSessionID: String?, signer: SessionSigner,
        generateSessionIDs: Bool, extraPayload: JSONObject, now: Int
    ) -> SessionResolution {
        func last(_ name: String) -> String? {
            arguments.last { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        let argumentID = last("bokeh-session-id")
        let tokenArgument = last("bokeh-token")
        if argumentID != nil && headerSessionID != nil {
            return .refused(status: 403, reason: "session ID was provided as an argument and header")
        }
        let givenID = argumentID ?? headerSessionID
        if tokenArgument != nil && givenID != nil {
            return .refused(status: 403, reason: "Both token and session ID were provided")
        }
        let token: String
        let sessionID: String
        if let tokenArgument {
            guard let decoded = try? SessionToken(decoding: tokenArgument) else {
                return .refused(status: 403, reason: "Invalid token or session ID")
            }
            token = tokenArgument
            sessionID = decoded.sessionID
        } else {
            if let givenID {
                sessionID = givenID
            } else {
                guard generateSessionIDs else { return .refused(status: 403, reason: "No bokeh-session-id provided") }
                sessionID = signer.generateSessionID()
            }
            guard let minted = try? signer.makeToken(sessionID: sessionID, now: now, extraPayload: extraPayload) else {
                return .refused(status: 500, reason: nil)
            }
            token = minted
        }
        guard signer.checkTokenSignature(token) else {
            return .refused(status: 403, reason: "Invalid token or session ID")
        }
        return .session(sessionID: sessionID, token: token)
    }
}
