public import DocumentModel

/// A decoded session token: its session id, expiry and the rest of its payload.
///
/// Decoding needs no key; signatures are checked by ``SessionSigner``.
public struct SessionToken: Sendable, Equatable {
    /// The `session_id` inside the token (Python: `get_session_id`).
    public let sessionID: String
    /// `session_expiry` in Unix seconds, if present: a fractional value rounded up (so `now < expiry` means
    /// what Python's `now < payload["session_expiry"]` does), values beyond `Int`'s range clamped to
    /// `Int.min`/`Int.max` (already expired / never expires, as Python compares them).
    public let expiry: Int?
    /// The payload without `session_id`, with the `__bk__zlib_` extra payload inflated and merged in at
    /// top level (Python: `get_token_payload`). Bytes stay `{"bytes": base64url}` objects.
    public let payload: JSONObject

    /// Decodes the part of `token` before the first `.`.
    ///
    /// - Throws: ``ProtocolError`` if it is not base64url JSON with a string `session_id`, or the
    ///   compressed payload does not inflate to a JSON object.
    public init(decoding token: String) throws(ProtocolError) {
        let body = token.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let bytes = Base64URL.decode(String(body)) else { throw .invalidToken("the token is not base64url") }
        guard case .object(var object) = try? JSONReader.parse(bytes) else {
            throw .invalidToken("the token does not hold a JSON object")
        }
        guard case .string(let sessionID)? = object["session_id"] else {
            throw .invalidToken("the token has no string 'session_id'")
        }
        object["session_id"] = nil
        switch object["session_expiry"] {
        case nil: expiry = nil
        case .int(let seconds)?: expiry = seconds
        case .double(let seconds)? where seconds.isFinite: expiry = Self.clampedSeconds(seconds)
        default: throw .invalidToken("'session_expiry' is not a number")
        }
        if let compressed = object[SessionSigner.compressedPayloadKey] {
            object[SessionSigner.compressedPayloadKey] = nil
            guard case .string(let text) = compressed, let deflated = Base64URL.decode(text) else {
                throw .invalidToken("'\(SessionSigner.compressedPayloadKey)' is not base64url")
            }
            let inflated = try Zlib.decompress(deflated, maxOutput: SessionSigner.maxInflatedPayloadBytes)
            guard case .object(let extra) = try? JSONReader.parse(inflated) else {
                throw .invalidToken("the compressed payload is not a JSON object")
            }
            for member in extra.members { object[member.key] = member.value }
        }
        self.sessionID = sessionID
        self.payload = object
    }

    /// `seconds` rounded up, clamped to `Int`'s range (the reader gives doubles for integers beyond it too).
    static func clampedSeconds(_ seconds: Double) -> Int {
        let up = seconds.rounded(.up)
        if up >= 0x1p63 { return .max }
        if up < -0x1p63 { return .min }
        return Int(exactly: up) ?? (up < 0 ? .min : .max)
    }

    /// The request snapshot (headers, cookies, arguments) the server stored in the token.
    public var request: RequestSnapshot { RequestSnapshot(payload: payload) }

    /// Python's `repr` of the payload, bytes shown as `b'…'` (as `get_token_payload` prints).
    package var payloadPythonRepr: String { PythonRepr.string(.object(payload), bytesObjects: true) }
}
