import DocumentModel
import Foundation
import Protocol
import Routing
@testable import ServerCore
import Synchronization
import Testing
import Wire

/// Tornado's and hashlib's outputs for the same inputs, made with the bokeh 3.10.2 venv (tornado 6.6.1).
enum AuthVectors {
    static let secret = "topsecret"
    static let signedV2 =
        "2|1:0|10:1700000000|4:user|12:ImFsaWNlIg==|fef00b9a4cb21db448673cb31cd93c2ce60dcffe5c96b588d2650a7820462edc"
    static let signedV1 = "ImFsaWNlIg==|1700000000|f2e5215078c4039ec8d3c1d5b31e9d2e0a967f56"
    /// `SimpleCookie()["user"] = signedV2` as Tornado's `set_cookie` writes it.
    static let quotedCookie = "\"" + signedV2 + "\""
    /// Token bytes 0...15 masked with 01 02 03 04 at 1700000000.
    static let xsrf = "2|01020304|0103010705070503090b090f0d0f0d0b|1700000000"
    /// `hashlib.scrypt(b"s3cret", salt=b"0123456789abcdef", n=1024, r=8, p=1, dklen=32)`.
    static let scrypt = "ZO/gT8OGTuuyHxcBV+7DkfE2nXK0EIuQrBe9nC+TunU="
    /// `hashlib.pbkdf2_hmac("sha256", b"s3cret", b"0123456789abcdef", 1000, 32)`.
    static let pbkdf2 = "Pz0s4HPO+TyHnyTxIR8Lx+fEZojc3Lc26DQkf4ZOWCk="
}

@Suite struct AuthCodecTests {
    @Test func signedValuesAreTornados() throws {
        let signer = try SecureCookieSigner(secret: AuthVectors.secret)
        #expect(signer.sign(name: "user", value: "\"alice\"", now: 1_700_000_000) == AuthVectors.signedV2)
        let day = 86400
        #expect(
            signer.decodeString(name: "user", signed: AuthVectors.signedV2, now: 1_700_000_000 + 30 * day)
                == "\"alice\"")
        #expect(signer.decodeString(name: "user", signed: AuthVectors.signedV1, now: 1_700_000_000) == "\"alice\"")
        // Too old, the wrong name, a changed byte, another secret, garbage: nothing.
        #expect(signer.decode(name: "user", signed: AuthVectors.signedV2, now: 1_700_000_000 + 32 * day) == nil)
        #expect(signer.decode(name: "other", signed: AuthVectors.signedV2, now: 1_700_000_000) == nil)
        let tampered = AuthVectors.signedV2.replacingOccurrences(of: "ImFsaWNlIg==", with: "ImJvYiI=====")
        #expect(signer.decode(name: "user", signed: tampered, now: 1_700_000_000) == nil)
        #expect(
            try SecureCookieSigner(secret: "other").decode(
                name: "user", signed: AuthVectors.signedV2, now: 1_700_000_000) == nil)
        for junk in ["", "2|", "2|1:0", "2|99999999999:0|", "|||", "2|1:0|10:1700000000|4:user|-5:x|ab"] {
            #expect(signer.decode(name: "user", signed: junk, now: 1_700_000_000) == nil)
        }
        #expect(SecureCookieSigner.cookieValue(AuthVectors.signedV2) == AuthVectors.quotedCookie)
        #expect(SecureCookieSigner.cookieValue("plain|value:1") == "plain|value:1")
        #expect(CookieParser.parsePairs("user=" + AuthVectors.quotedCookie).first?.value == AuthVectors.signedV2)
        #expect(throws: AuthConfigurationError.self) { try SecureCookieSigner(secret: "") }
    }

    @Test func xsrfTokensAreTornados() throws {
        let token = XSRFToken(token: Array(0..<16), timestamp: 1_700_000_000)
        #expect(token.encoded(mask: [1, 2, 3, 4]) == AuthVectors.xsrf)
        #expect(XSRFToken(decoding: AuthVectors.xsrf) == token)
        // Two maskings of one token match; another token, a missing field or a missing cookie do not.
        #expect(XSRFToken.check(submitted: token.encoded(), cookie: token.encoded()) == nil)
        #expect(XSRFToken.check(submitted: nil, cookie: AuthVectors.xsrf) == "'_xsrf' argument missing from POST")
        #expect(
            XSRFToken.check(submitted: XSRFToken.generate(now: 1).encoded(), cookie: AuthVectors.xsrf)
                == "XSRF cookie does not match POST argument")
        #expect(XSRFToken.check(submitted: AuthVectors.xsrf, cookie: nil) == "XSRF cookie does not match POST argument")
        #expect(
            XSRFToken.check(submitted: "3|x|y|z", cookie: AuthVectors.xsrf) == "'_xsrf' argument has invalid format")
        #expect(token.formHTML().hasPrefix("<input type=\"hidden\" name=\"_xsrf\" value=\"2|"))
    }

    @Test func passwordHashesAreHashlibs() throws {
        let salt = Array("0123456789abcdef".utf8)
        let scrypt = try PasswordHash(
            parsing: "scrypt$1024$8$1$\(Data(salt).base64EncodedString())$\(AuthVectors.scrypt)")
        #expect(scrypt.verify("s3cret"))
        #expect(!scrypt.verify("s3cret "))
        let pbkdf2 = try PasswordHash(
            parsing: "pbkdf2_sha256$1000$\(Data(salt).base64EncodedString())$\(AuthVectors.pbkdf2)")
        #expect(pbkdf2.verify("s3cret"))
        #expect(!pbkdf2.verify(""))
        #expect(try PasswordHash(parsing: pbkdf2.description) == pbkdf2)
        let made = PasswordHash.make(password: "pw", scheme: .pbkdf2)
        #expect(made.verify("pw") && !made.verify("pW"))
        #expect(made.description.hasPrefix("pbkdf2_sha256$600000$"))
        for bad in [
            "md5$x", "scrypt$1000$8$1$AA==$AA==", "scrypt$2097152$8$1$AA==$AA==", "scrypt$1024$8$1$!!$AA==",
            "pbkdf2_sha256$0$AA==$AA==", "pbkdf2_sha256$10$AA==",
        ] {
            #expect(throws: AuthConfigurationError.self) { try PasswordHash(parsing: bad) }
        }
    }

    @Test func passwordFilesParseAndUpdate() throws {
        let hash = PasswordHash.make(password: "pw", scheme: .pbkdf2)
        var text = try PasswordFileAuth.updating("# users\n", user: "alice", hash: hash)
        text = try PasswordFileAuth.updating(text, user: "bob", hash: hash)
        let other = PasswordHash.make(password: "new", scheme: .pbkdf2)
        text = try PasswordFileAuth.updating(text, user: "alice", hash: other)
        let lines: [String] = text.split(separator: "\n").map(String.init)
        let expected: [String] = ["# users", "alice:" + other.description, "bob:" + hash.description]
        #expect(lines == expected)
        #expect(try PasswordFileAuth(contents: text, cookieSecret: "s").userNames == ["alice", "bob"])
        #expect(throws: AuthConfigurationError.self) { try PasswordFileAuth.updating("", user: "#x", hash: hash) }
        #expect(throws: AuthConfigurationError.self) { try PasswordFileAuth(contents: "alice\n", cookieSecret: "s") }
        #expect(throws: AuthConfigurationError.self) {
            try PasswordFileAuth(contents: "a:\(hash)\na:\(hash)\n", cookieSecret: "s")
        }
        // A bad line is named by number, its hash is not repeated.
        do {
            _ = try PasswordFileAuth(contents: "a:\(hash)\nb:scrypt$3$1$1$AA==$AA==\n", cookieSecret: "s")
            Issue.record("accepted a bad hash")
        } catch {
            #expect(error.description.hasPrefix("the password file line 2: N 3 is not a power of 2"))
        }
    }

    @Test func addressRanges() throws {
        let ranges = try ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "unix"].map(AddressRange.init)
        func trusted(_ address: String) -> Bool { ranges.contains { $0.contains(address) } }
        #expect(trusted("127.0.0.1") && trusted("::ffff:127.0.0.1") && trusted("10.200.3.4") && trusted("::1"))
        #expect(trusted("fd12::5") && trusted("unix"))
        #expect(!trusted("127.0.0.2") && !trusted("11.0.0.1") && !trusted("fe80::1") && !trusted("localhost"))
        #expect(!trusted("") && !trusted("10.0.0.1, 127.0.0.1"))
        for bad in ["", "10.0.0.0/33", "example.org", "::1/129", "10.0.0.1/x"] {
            #expect(throws: AuthConfigurationError.self) { try AddressRange(bad) }
        }
    }

    @Test func loginRedirectsAreTornados() {
        var request = IncomingRequest(method: "GET", path: "/pfx/app")
        request.query = "a=1 2&b=/x"
        request.host = "example.org:5006"
        #expect(AuthURL.join(prefix: "/pfx", "/login") == "/pfx/login")
        #expect(AuthURL.join(prefix: "", "login") == "/login")
        #expect(AuthURL.join(prefix: "/pfx", "https://sso.example/in") == "https://sso.example/in")
        #expect(
            AuthURL.loginRedirect("/pfx/login", request: request) == "/pfx/login?next=%2Fpfx%2Fapp%3Fa%3D1+2%26b%3D%2Fx"
        )
        #expect(
            AuthURL.loginRedirect("https://sso.example/in", request: request)
                == "https://sso.example/in?next=http%3A%2F%2Fexample.org%3A5006%2Fpfx%2Fapp%3Fa%3D1+2%26b%3D%2Fx")
        #expect(AuthURL.loginRedirect("/login?to=x", request: request) == "/login?to=x")
        #expect(
            AuthURL.isLocalPath("/pfx/app?x=1") && !AuthURL.isLocalPath("//evil.org") && !AuthURL.isLocalPath("/\\evil")
        )
        #expect(!AuthURL.isLocalPath("https://evil.org") && !AuthURL.isLocalPath("app"))
    }

    @Test func failedLoginsAreLimitedPerAddress() {
        let limiter = LoginLimiter(maxFailures: 3, window: 60, maxAddresses: 2)
        for t in 0..<3 { limiter.fail("1.1.1.1", now: 100 + t) }
        #expect(limiter.retryAfter("1.1.1.1", now: 103) == 57)
        #expect(limiter.retryAfter("2.2.2.2", now: 103) == nil)
        #expect(limiter.retryAfter("1.1.1.1", now: 160) == nil)
        // Bounded: a flood of addresses does not grow the table past its limit.
        for i in 0..<100 { limiter.fail("10.0.0.\(i)", now: 200) }
        #expect(limiter.retryAfter("10.0.0.99", now: 200) == nil)
    }

    @Test func requestFiltersAreBokehs() {
        let headers: [(name: String, value: String)] = [
            ("Host", "h"), ("Cookie", "a=1"), ("X-One", "1"), ("x-one", "2"), ("Authorization", "secret"),
        ]
        #expect(
            RequestFilter.headers(headers, include: nil, exclude: nil).map(\.name) == [
                "Host", "X-One", "x-one", "Authorization",
            ])
        #expect(
            RequestFilter.headers(headers, include: nil, exclude: ["AUTHORIZATION"]).map(\.name) == [
                "Host", "X-One", "x-one",
            ])
        let included = RequestFilter.headers(headers, include: ["x-ONE", "cookie", "Missing"], exclude: nil)
        #expect(included.map(\.name) == ["x-ONE", "cookie"] && included.map(\.value) == ["1,2", "a=1"])
        let cookies: [(name: String, value: String)] = [("a", "1"), ("b", "2"), ("A", "3")]
        #expect(RequestFilter.cookies(cookies, include: ["a", "z"], exclude: nil).map(\.value) == ["1"])
        #expect(RequestFilter.cookies(cookies, include: nil, exclude: ["b"]).map(\.name) == ["a", "A"])
    }

    @Test func storedRequestsExpireAndStayBounded() {
        let store = RequestStore(capacity: 3)
        let first = store.store(["x": 1], expiry: 110, now: 100)
        #expect(store.lookup(first, now: 105) == ["x": 1])
        #expect(store.lookup(first, now: 110) == nil)
        for i in 0..<10 { _ = store.store(["i": .int(i)], expiry: 1000, now: 101) }
        #expect(store.count == 3)
        #expect(store.lookup("nope", now: 101) == nil)
    }
}
