import DocumentModel
import Foundation
import Protocol
import TestSupport
import Testing

/// One entry of `tokens.json` `tokens`.
struct TokenVector: CustomStringConvertible, Sendable {
    let description: String
    let json: JSONValue

    static let all: [TokenVector] = {
        guard let tokens = try? vector("tokens.json")["tokens"]?.arrayValue else { return [] }
        return tokens.map { TokenVector(description: $0["name"]?.stringValue ?? "?", json: $0) }
    }()

    func string(_ key: String) throws -> String {
        guard let value = json[key]?.stringValue else { throw VectorError("\(description): no \(key)") }
        return value
    }
}

private let vectors = (try? vector("tokens.json")) ?? .null
private let secretKey = vectors["secret_key"]?.stringValue ?? ""
private let now = { if case .int(let n)? = vectors["now"] { return n } else { return 0 } }()
private let signing = (try? SessionSigner(secretKey: secretKey, signsSessions: true)) ?? fallbackSigner
private let notSigning = fallbackSigner
/// Never fails: no key is needed when not signing.
private let fallbackSigner = (try? SessionSigner()) ?? { preconditionFailure("unsigned signer") }()

/// The extra payloads the vector generator used, by vector name (its `extra_payload_python_repr`).
private func extraPayload(_ name: String) -> RequestSnapshot? {
    switch name {
    case "signed_with_request_payload", "unsigned_with_request_payload":
        return RequestSnapshot(
            headers: [("Host", "localhost:5006"), ("User-Agent", "test/1.0"), ("Accept", "*/*")],
            cookies: [("c1", "v1")],
            arguments: [("x", [Array("1".utf8)]), ("y", [Array("2".utf8), Array("3".utf8)])])
    case "non_ascii_payload":
        return RequestSnapshot(headers: [("X-Name", "café ☃")])
    default:
        return nil
    }
}

@Suite("Session ids and tokens")
struct TokenTests {
    @Test func vectorsAreLoaded() {
        #expect(TokenVector.all.count == 6)
        #expect(!secretKey.isEmpty)
        #expect(now == 1_700_000_000)
    }

    @Test func signsSessionIDsLikePython() throws {
        let ids = try #require(vectors["session_id_signature"])
        let base = try #require(ids["base_id"]?.stringValue)
        let signed = try #require(ids["signed_session_id"]?.stringValue)
        #expect(signing.signature(of: base) == ids["signature"]?.stringValue)
        #expect(signing.signedSessionID(base) == signed)

        let checks = try #require(ids["check_session_id_signature"])
        #expect(signing.checkSessionIDSignature(signed) == checks["good"]?.boolValue)
        #expect(signing.checkSessionIDSignature(base) == checks["unsigned_id_when_signing"]?.boolValue)
        let tampered = String(signed.dropLast()) + (signed.hasSuffix("A") ? "B" : "A")
        #expect(signing.checkSessionIDSignature(tampered) == checks["tampered_sig"]?.boolValue)
        let wrongKey = try SessionSigner(secretKey: "another-key", signsSessions: true)
        #expect(wrongKey.checkSessionIDSignature(signed) == checks["wrong_key"]?.boolValue)
        #expect(notSigning.checkSessionIDSignature("anything") == checks["anything_when_not_signing"]?.boolValue)

        let unsigned = try #require(throws: ProtocolError.self) { try signing.verifySessionID(base) }
        #expect(unsigned.description.contains("is not signed"))
        let bad = try #require(throws: ProtocolError.self) { try signing.verifySessionID(tampered) }
        #expect(bad.description.contains("does not match"))
        #expect(bad.isInvalidSignature)
    }

    @Test(arguments: TokenVector.all)
    func makesTheSameTokenAsPython(_ v: TokenVector) throws {
        let signer = v.json["signed"]?.boolValue == true ? signing : notSigning
        let expiration = try #require({ if case .int(let n)? = v.json["expiration_seconds"] { n } else { nil } }())
        let issuer = try SessionSigner(
            secretKey: secretKey, signsSessions: signer.signsSessions, expiration: expiration)
        let sessionID = try v.string("session_id")
        let token =
            if let request = extraPayload(v.description) {
                try issuer.makeToken(sessionID: sessionID, now: now, request: request)
            } else {
                try issuer.makeToken(sessionID: sessionID, now: now)
            }
        #expect(token == (try v.string("token")))
        let body = String(token.prefix { $0 != "." })
        #expect(Base64URL.decode(body).map { String(decoding: $0, as: UTF8.self) } == (try v.string("token_body_json")))
        if case .string(let signature)? = v.json["signature"] {
            #expect(token.hasSuffix("." + signature))
        } else {
            #expect(!token.contains("."))
        }
    }

    @Test(arguments: TokenVector.all)
    func decodesTokensLikePython(_ v: TokenVector) throws {
        let token = try SessionToken(decoding: try v.string("token"))
        #expect(token.sessionID == (try v.string("get_session_id")))
        #expect(token.payloadPythonRepr == (try v.string("get_token_payload_python_repr")))
        if let request = extraPayload(v.description) {
            #expect(token.request == request)
        }
        #expect(
            signing.checkTokenSignature(try v.string("token")) == v.json["check_token_signature_signed_mode"]?.boolValue
        )
        #expect(
            notSigning.checkTokenSignature(try v.string("token"))
                == v.json["check_token_signature_unsigned_mode"]?.boolValue)
    }

    @Test(arguments: TokenVector.all.filter { $0.json["zlib_bytes_hex"] != nil })
    func compressesTheRequestPayloadLikePythonZlib(_ v: TokenVector) throws {
        let request = try #require(extraPayload(v.description))
        let json = try JSONWriter(options: .pythonDefault).string(.object(request.payload))
        #expect(json == (try v.string("zlib_inflated_json")))
        let token = try SessionToken(decoding: try v.string("token"))
        #expect(token.request.argument("y") == ["2", "3"].filter { _ in v.description != "non_ascii_payload" })
        // The compressed payload inside the token body is zlib level 9 (`78 da`).
        let body = try #require(Base64URL.decode(String(try v.string("token").prefix { $0 != "." })))
        let payload = try JSONReader.parse(body)
        let compressed = try #require(payload["__bk__zlib_"]?.stringValue)
        #expect(compressed == (try v.string("zlib_base64")))
        let bytes = try #require(Base64URL.decode(compressed))
        #expect(bytes.map { String(format: "%02x", $0) }.joined() == (try v.string("zlib_bytes_hex")))
        #expect(Array(bytes.prefix(2)) == [0x78, 0xDA])
    }

    @Test func rejectsTheVectorsBadSignaturesWithReasons() throws {
        let checks = try #require(vectors["token_signature_checks"])
        let expectations: [(name: String, reason: String)] = [
            ("tampered_signature", "the token's signature does not match"),
            ("no_signature_part", "the token has no signature part"),
            ("valid_token_sig_but_unsigned_session_id", "session id 'plainid' is not signed"),
        ]
        for e in expectations {
            let token = try #require(checks[e.name]?["token"]?.stringValue)
            #expect(checks[e.name]?["check_token_signature_signed_mode"]?.boolValue == false)
            #expect(!signing.checkTokenSignature(token))
            #expect(notSigning.checkTokenSignature(token))
            let error = try #require(throws: ProtocolError.self) { try signing.verifyTokenSignature(token) }
            #expect(error.description.contains(e.reason), "\(e.name): \(error)")
            #expect(error.isTokenRejection)
            #expect(error.isInvalidSignature)
        }
    }

    @Test func base64URLMatchesTheExamples() throws {
        let examples = try #require(vectors["base64url_examples"]?.arrayValue)
        #expect(examples.count == 6)
        for example in examples {
            let hex = try #require(example["bytes_hex"]?.stringValue)
            let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
                let start = hex.index(hex.startIndex, offsetBy: i)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
            }
            let encoded = try #require(example["encoded"]?.stringValue)
            #expect(Base64URL.encode(bytes) == encoded)
            #expect(Base64URL.decode(encoded) == bytes)
            #expect(Base64URL.decode(encoded + String(repeating: "=", count: (4 - encoded.count % 4) % 4)) == bytes)
        }
        for garbage in ["a", "ab+c", "ab/c", "a b", "abcde", "é"] {
            #expect(Base64URL.decode(garbage) == nil, "\(garbage)")
        }
    }

    @Test func base64URLRoundTripsEveryLength() {
        var rng = SeededGenerator(seed: 42)
        for length in 0..<70 {
            let bytes = rng.bytes(length)
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            #expect(
                encoded
                    == Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test func validatesExpiryAndSignatureAsTheWebSocketDoes() throws {
        let id = signing.generateSessionID()
        let token = try signing.makeToken(sessionID: id, now: now)
        #expect(try signing.validate(token: token, now: now).sessionID == id)
        #expect(try signing.validate(token: token, now: now + 299).expiry == now + 300)
        let expired = try #require(throws: ProtocolError.self) { try signing.validate(token: token, now: now + 300) }
        #expect(expired.isExpiredToken)
        #expect(
            expired.closeReason
                == "Token is expired. Configure the app with a larger value for --session-token-expiration if necessary"
        )
        // An unsigned id inside a correctly signed token is rejected when signing.
        let forged = try signing.makeToken(sessionID: "plainid", now: now)
        #expect(throws: ProtocolError.self) { try signing.validate(token: forged, now: now) }
        #expect(try notSigning.validate(token: forged, now: now).sessionID == "plainid")
        // A token without `session_expiry`.
        let noExpiry = Base64URL.encode(#"{"session_id": "abc"}"#)
        let missing = try #require(throws: ProtocolError.self) { try notSigning.validate(token: noExpiry, now: now) }
        #expect(missing.closeReason == "Session expiry has not been provided")
        // Undecodable tokens.
        for garbage in ["garbage!", "", Base64URL.encode("[1]"), Base64URL.encode(#"{"session_id": 5}"#)] {
            let error = try #require(throws: ProtocolError.self) { try notSigning.validate(token: garbage, now: now) }
            #expect(error.isTokenRejection, "\(garbage)")
        }
    }

    @Test func liveServerTokensDecode() throws {
        let page = try vector("served_page_token.json")
        let token = try SessionToken(decoding: try #require(page["token"]?.stringValue))
        #expect(token.sessionID == page["session_id"]?.stringValue)
        #expect(.object(token.payload) == page["decoded_payload"])
        #expect(token.request.headers.map(\.name) == ["Accept-Encoding", "Host", "User-Agent", "Connection"])
        #expect(
            try notSigning.validate(token: try #require(page["token"]?.stringValue), now: now).sessionID
                == token.sessionID)
        let snippet = try #require(page["page_snippet_around_docs_json"]?.stringValue)
        #expect(snippet.contains(#"[{"token":""# + (page["token"]?.stringValue ?? "") + "\""))

        let raw = try vector("transcript_raw_ws.json")
        let rawToken = try SessionToken(decoding: try #require(raw["token"]?.stringValue))
        #expect(rawToken.sessionID == raw["session_id"]?.stringValue)

        // The live server closed before ACK for this token: it expired long ago.
        let errors = try #require(try vector("transcript_server_errors.json")["cases"]?.arrayValue)
        let expiredCase = try #require(errors.first { $0["case"]?.stringValue == "expired token" })
        let offered = (expiredCase["subprotocols"]?.arrayValue ?? []).compactMap { $0.stringValue }
        let expiredToken = try SessionSigner.token(fromSubprotocols: offered)
        let error = try #require(throws: ProtocolError.self) { try notSigning.validate(token: expiredToken, now: now) }
        #expect(error.isExpiredToken)
    }

    @Test func subprotocolOfferMustBeBokehAndAToken() throws {
        #expect(try SessionSigner.token(fromSubprotocols: ["bokeh", "tok"]) == "tok")
        for offer in [[], ["bokeh"], ["notbokeh", "tok"], ["bokeh", "tok", "x"]] {
            let error = try #require(throws: ProtocolError.self) { try SessionSigner.token(fromSubprotocols: offer) }
            #expect(error.closeReason == "Subprotocol header is not 'bokeh'")
        }
        let empty = try #require(throws: ProtocolError.self) {
            try SessionSigner.token(fromSubprotocols: ["bokeh", ""])
        }
        #expect(empty.closeReason == "No token received in subprotocol header")
    }

    @Test func generatesSessionIDsAndKeysFromTheAlphabet() {
        let alphabet = Set(SessionSigner.idAlphabet)
        var seen = Set<String>()
        for _ in 0..<50 {
            let id = notSigning.generateSessionID()
            #expect(id.count == 44 && id.allSatisfy(alphabet.contains))
            seen.insert(id)
            let signed = signing.generateSessionID()
            #expect(signed.count == 88)
            #expect(signing.checkSessionIDSignature(signed))
        }
        #expect(seen.count == 50)
        let key = SessionSigner.generateSecretKey()
        #expect(key.count == 44 && key.allSatisfy(alphabet.contains))
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        #expect(notSigning.generateSessionID(using: &a) == notSigning.generateSessionID(using: &b))
    }

    @Test func signingNeedsAKeyAndExpiryMustBePositive() throws {
        let noKey = try #require(throws: ProtocolError.self) { try SessionSigner(signsSessions: true) }
        #expect(noKey.description.hasPrefix("To sign sessions, the BOKEH_SECRET_KEY environment variable must be set"))
        #expect(throws: ProtocolError.self) { try SessionSigner(secretKey: "", signsSessions: true) }
        #expect(throws: ProtocolError.self) { try SessionSigner(expiration: 0) }
        #expect(try SessionSigner(expiration: 60).expiration == 60)
    }

    @Test func extraPayloadsRoundTripAndReserveSessionID() throws {
        let request = RequestSnapshot(
            headers: [("Host", "h")], cookies: [], arguments: [("bin", [[0, 255, 10]]), ("empty", [])],
            extra: ["user": "ada"])
        let token = try signing.makeToken(sessionID: signing.generateSessionID(), now: now, request: request)
        let decoded = try signing.validate(token: token, now: now)
        #expect(decoded.request == request)
        #expect(decoded.request.arguments.first?.values == [[0, 255, 10]])
        #expect(decoded.payload["user"] == "ada")
        #expect(decoded.payloadPythonRepr.contains(#"'arguments': {'bin': [b'\x00\xff\n'], 'empty': []}"#))
        #expect(throws: ProtocolError.self) {
            try signing.makeToken(sessionID: "x", now: now, extraPayload: ["session_id": "y"])
        }
        // An empty extra payload adds no compressed member, as in Python.
        let plain = try notSigning.makeToken(sessionID: "s", now: now, extraPayload: [:])
        #expect(try SessionToken(decoding: plain).payload.keys == ["session_expiry"])
    }

    /// Expiries a client can write into its own unsigned token, beyond `Int`'s range. They decoded through a
    /// trapping conversion that stopped the whole server. Python compares them as numbers: a huge expiry
    /// never expires, a hugely negative one always has.
    @Test(arguments: [
        ("1e300", Int.max), ("-1e300", Int.min), ("1e19", Int.max), ("9.3e18", Int.max), ("-9.3e18", Int.min),
        ("100000000000000000000", Int.max), ("-100000000000000000000", Int.min), ("9223372036854775807", Int.max),
        ("9223372036854775808", Int.max), ("-9223372036854775808", Int.min), ("1.5", 2), ("-1.5", -1), ("1e-300", 1),
        ("-0.0", 0), ("1.7976931348623157e308", Int.max),
    ])
    func expiriesBeyondIntsRangeAreClampedNotTrapped(_ text: String, _ expected: Int) throws {
        let token = Base64URL.encode(#"{"session_id": "abc", "session_expiry": \#(text)}"#)
        #expect(try SessionToken(decoding: token).expiry == expected)
        if expected == Int.max {
            #expect(try notSigning.validate(token: token, now: now).sessionID == "abc")
        } else if expected == Int.min {
            #expect(throws: ProtocolError.self) { try notSigning.validate(token: token, now: now) }
        }
        // Signed: refused for its signature, without decoding an unsigned body first.
        #expect(!signing.checkTokenSignature(token + ".forged"))
    }

    /// Non-numbers Python's json would read (NaN, Infinity) are not JSON: the token is refused.
    @Test(arguments: ["NaN", "Infinity", "-Infinity", "1e999", "\"5\"", "null", "[]", "true"])
    func nonFiniteOrNonNumericExpiriesAreRefused(_ text: String) throws {
        let token = Base64URL.encode(#"{"session_id": "abc", "session_expiry": \#(text)}"#)
        let error = try #require(throws: ProtocolError.self) { try notSigning.validate(token: token, now: now) }
        #expect(error.isTokenRejection)
    }

    @Test func rejectsCorruptCompressedPayloads() throws {
        for compressed in ["!!", Base64URL.encode([0x78, 0xDA, 1, 2, 3]), Base64URL.encode("not zlib")] {
            let body = Base64URL.encode(#"{"session_id": "s", "session_expiry": 5, "__bk__zlib_": "\#(compressed)"}"#)
            let error = try #require(throws: ProtocolError.self) { try SessionToken(decoding: body) }
            #expect(!error.description.isEmpty)
        }
    }
}

extension JSONValue {
    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
