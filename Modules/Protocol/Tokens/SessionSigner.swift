public import DocumentModel

/// Makes and checks Bokeh session ids and session tokens (Python: `bokeh/util/token.py`).
///
/// A session id is 44 random characters from `[A-Za-z0-9]`; when signing, `id + "." + signature(id)`.
/// A token is `base64url(json.dumps(payload))`, plus `"." + signature(that text)` when signing, with
/// `payload = {"session_id": id, "session_expiry": now + expiration[, "__bk__zlib_": …]}`.
/// `signature(s)` is base64url of HMAC-SHA256 under the secret key. Base64url here never has padding.
///
/// Time is an input (`now`, in whole Unix seconds) so checks are reproducible.
public struct SessionSigner: Sendable {
    /// The secret key's UTF-8 bytes (`BOKEH_SECRET_KEY`).
    public let secretKey: [UInt8]
    /// Whether ids and tokens are signed (`BOKEH_SIGN_SESSIONS`, `--session-ids signed`).
    public let signsSessions: Bool
    /// Seconds from minting to expiry. Default 300, Bokeh's `--session-token-expiration`.
    public let expiration: Int

    /// The characters of session ids and secret keys.
    public static let idAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    /// Length of a session id's random part and of a generated secret key.
    public static let idLength = 44
    /// The token payload key holding the compressed extra payload.
    public static let compressedPayloadKey = "__bk__zlib_"
    /// Largest inflated extra payload accepted from a token (1 MiB; a request snapshot is a few KiB).
    public static let maxInflatedPayloadBytes = 1024 * 1024

    /// - Parameters:
    ///   - secretKey: The secret key; required only when `signsSessions`.
    ///   - signsSessions: Sign ids and tokens, and require valid signatures when checking.
    ///   - expiration: Token lifetime in seconds, greater than 0.
    /// - Throws: ``ProtocolError`` when signing without a secret key (the Python server refuses to start
    ///   then) or when `expiration` is not positive.
    public init(secretKey: String? = nil, signsSessions: Bool = false, expiration: Int = 300) throws(ProtocolError) {
        if signsSessions && (secretKey ?? "").isEmpty { throw .missingSecretKey }
        guard expiration > 0 else { throw .invalidExpiration(expiration) }
        self.secretKey = Array((secretKey ?? "").utf8)
        self.signsSessions = signsSessions
        self.expiration = expiration
    }

    /// base64url(HMAC-SHA256(secret key, UTF-8 of `text`)), 43 characters.
    public func signature(of text: String) -> String {
        Base64URL.encode(Crypto.hmacSHA256(key: secretKey, message: Array(text.utf8)))
    }

    // MARK: Session ids

    /// A new random session id (signed when ``signsSessions``), from the system's secure generator.
    public func generateSessionID() -> String {
        var generator = SecureRandom()
        return generateSessionID(using: &generator)
    }

    /// A new session id with randomness from `generator` (tests pass a seeded one).
    public func generateSessionID(using generator: inout some RandomNumberGenerator) -> String {
        let base = Self.randomString(using: &generator)
        return signsSessions ? signedSessionID(base) : base
    }

    /// A new random secret key: 44 characters from the session id alphabet (`bokeh secret`).
    public static func generateSecretKey() -> String {
        var generator = SecureRandom()
        return randomString(using: &generator)
    }

    private static func randomString(using generator: inout some RandomNumberGenerator) -> String {
        var text = ""
        for _ in 0..<idLength {
            let index = Int.random(in: 0..<idAlphabet.count, using: &generator)
            text.append(idAlphabet[index])
        }
        return text
    }

    /// `base + "." + signature(base)`.
    public func signedSessionID(_ base: String) -> String { base + "." + signature(of: base) }

    /// Checks a session id's signature; always passes when not signing (Python: `check_session_id_signature`).
    ///
    /// - Throws: ``ProtocolError`` saying why the id was rejected.
    public func verifySessionID(_ sessionID: String) throws(ProtocolError) {
        guard signsSessions else { return }
        guard let dot = sessionID.firstIndex(of: ".") else {
            throw .invalidSessionID("session id '\(sessionID)' is not signed")
        }
        let expected = signature(of: String(sessionID[..<dot]))
        guard Crypto.constantTimeEquals(Array(expected.utf8), Array(sessionID[sessionID.index(after: dot)...].utf8))
        else {
            throw .invalidSessionID("the signature of session id '\(sessionID[..<dot])' does not match")
        }
    }

    /// Whether ``verifySessionID(_:)`` passes.
    public func checkSessionIDSignature(_ sessionID: String) -> Bool {
        (try? verifySessionID(sessionID)) != nil
    }

    // MARK: Tokens

    /// A token for `sessionID` expiring ``expiration`` seconds after `now`
    /// (Python: `generate_jwt_token`), byte-identical to Python's for the same inputs.
    ///
    /// - Parameter extraPayload: Merged into the payload by readers; written zlib-compressed under
    ///   `__bk__zlib_` when not empty. Bytes are `{"bytes": base64url}` objects (see ``RequestSnapshot``).
    /// - Throws: ``ProtocolError`` if `extraPayload` has a `session_id` key or holds non-finite numbers.
    public func makeToken(sessionID: String, now: Int, extraPayload: JSONObject = [:]) throws(ProtocolError)
        -> String
    {
        var payload: JSONObject = ["session_id": .string(sessionID), "session_expiry": .int(now + expiration)]
        if !extraPayload.isEmpty {
            guard extraPayload["session_id"] == nil else { throw .reservedPayloadKey }
            let text: [UInt8]
            do { text = try JSONWriter(options: .pythonDefault).bytes(.object(extraPayload)) } catch {
                throw .unencodable(error.description)
            }
            payload[Self.compressedPayloadKey] = .string(Base64URL.encode(try Zlib.compress(text)))
        }
        let body: String
        do { body = Base64URL.encode(try JSONWriter(options: .pythonDefault).bytes(.object(payload))) } catch {
            throw .unencodable(error.description)
        }
        return signsSessions ? body + "." + signature(of: body) : body
    }

    /// A token for `sessionID` carrying `request` as its extra payload.
    public func makeToken(sessionID: String, now: Int, request: RequestSnapshot) throws(ProtocolError) -> String {
        try makeToken(sessionID: sessionID, now: now, extraPayload: request.payload)
    }

    /// Checks a token's signature and that of the session id inside it; always passes when not signing
    /// (Python: `check_token_signature`).
    ///
    /// - Throws: ``ProtocolError`` saying why the token was rejected.
    public func verifyTokenSignature(_ token: String) throws(ProtocolError) {
        guard signsSessions else { return }
        guard let dot = token.firstIndex(of: ".") else {
            throw .invalidTokenSignature("the token has no signature part")
        }
        let body = String(token[..<dot])
        let expected = signature(of: body)
        // Nothing of an unsigned body is decoded: the signature is checked first.
        guard Crypto.constantTimeEquals(Array(expected.utf8), Array(token[token.index(after: dot)...].utf8)) else {
            throw .invalidTokenSignature("the token's signature does not match")
        }
        try verifySessionID(try SessionToken(decoding: token).sessionID)
    }

    /// Whether ``verifyTokenSignature(_:)`` passes.
    public func checkTokenSignature(_ token: String) -> Bool {
        (try? verifyTokenSignature(token)) != nil
    }

    /// What the Python server checks when a WebSocket opens, in its order: the token has a
    /// `session_expiry`, `now` is before it, and (when signing) its signatures verify.
    ///
    /// - Returns: The decoded token, for its session id and request snapshot.
    /// - Throws: ``ProtocolError`` with the Python server's reason text.
    public func validate(token: String, now: Int) throws(ProtocolError) -> SessionToken {
        let decoded = try SessionToken(decoding: token)
        guard let expiry = decoded.expiry else { throw .missingExpiry }
        guard now < expiry else { throw .expiredToken }
        try verifyTokenSignature(token)
        return decoded
    }

    /// The token from the client's `Sec-WebSocket-Protocol` offer, which must be exactly `bokeh, <token>`.
    ///
    /// - Throws: ``ProtocolError`` with the Python server's reason when the offer is anything else.
    public static func token(fromSubprotocols offered: [String]) throws(ProtocolError) -> String {
        guard offered.count == 2, offered[0] == "bokeh" else {
            throw .subprotocol("Subprotocol header is not 'bokeh'")
        }
        guard !offered[1].isEmpty else { throw .subprotocol("No token received in subprotocol header") }
        return offered[1]
    }
}

/// The system's secure generator with a byte of its own: an empty generator passed `inout` lives at one address
/// shared by every thread, which ThreadSanitizer reports as a race between them.
struct SecureRandom: RandomNumberGenerator {
    private var system = SystemRandomNumberGenerator()
    private var distinct: UInt8 = 0

    mutating func next() -> UInt64 { system.next() }
}
