import DocumentModel
import Foundation
import Protocol
import Routing
@testable import ServerCore
import Locking
import Testing
import Wire

/// Records what sessions saw: the context's user, logout URL and request.
final class SeenSessions: Sendable {
    let contexts = Lock<[SessionContext]>([])
    let processed = Lock<[IncomingRequest]>([])

    var application: Application {
        Application(
            processRequest: { [self] request in
                processed.withLock { $0.append(request) }
                return [:]
            }
        ) { [self] document, context in
            contexts.withLock { $0.append(context) }
            document.addRoot(Model("Div"))
        }
    }
}

/// The status line and the value of header `name` in a raw response.
private func status(_ response: String) -> String {
    String(response.split(separator: "\r\n", maxSplits: 1).first ?? "")
}

private func header(_ name: String, in response: String) -> [String] {
    let head = response.components(separatedBy: "\r\n\r\n").first ?? ""
    return head.split(separator: "\r\n").compactMap { line in
        let parts = line.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == name.lowercased() else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}

private let upgradeHeaders =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    + "Sec-WebSocket-Version: 13\r\n"

/// A WebSocket upgrade of `path` with `token`; the response's first bytes (it stays open when accepted).
private func upgrade(_ port: Int, _ path: String, token: String, headers: String = "") async throws -> String {
    let request =
        "GET \(path) HTTP/1.1\r\nHost: localhost:\(port)\r\nOrigin: http://localhost:\(port)\r\n\(upgradeHeaders)"
        + "Sec-WebSocket-Protocol: bokeh, \(token)\r\n\(headers)\r\n"
    return String(decoding: try await rawExchange(.ipv4(port), Array(request.utf8), limit: 12), as: UTF8.self)
}

@Suite(.serialized) struct AuthServerTests {
    static let password = "correct horse"

    static func passwordPolicy(limit: Int = 5) throws -> PasswordFileAuth {
        let hash = PasswordHash.make(password: password, scheme: .pbkdf2)
        return try PasswordFileAuth(contents: "alice:\(hash)\n", cookieSecret: "cookie-secret", maxFailures: limit)
    }

    static func server(
        _ seen: SeenSessions, prefix: String = "", policy: (any AuthenticationPolicy)?,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) throws -> Server {
        try startServer(path: "/app", application: seen.application) {
            $0.network.prefix = prefix
            $0.auth.policy = policy
            $0.auth.cookieSecret = "cookie-secret"
            configure(&$0)
        }
    }

    @Test func unauthenticatedRequestsAreRedirectedRefusedOrForbidden() async throws {
        let seen = SeenSessions()
        for prefix in ["", "/pfx"] {
            let server = try Self.server(seen, prefix: prefix, policy: try Self.passwordPolicy())
            defer { server.stop() }
            let port = server.port
            for path in ["/app", "/app/autoload.js?bokeh-autoload-element=e", "/app/metadata", "/"] {
                let response = try await rawGet(.ipv4(port), prefix + path)
                #expect(status(response) == "HTTP/1.1 302 Found", "\(prefix)\(path)")
                #expect(
                    header("Location", in: response)
                        == [prefix + "/login?next=" + AuthURL.formEncode(prefix + path)])
            }
            // The CORS preflight, the favicon and the login page are public.
            let options = try await rawExchange(
                .ipv4(port),
                Array("OPTIONS \(prefix)/app/autoload.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            #expect(String(decoding: options, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            #expect(status(try await rawGet(.ipv4(port), prefix + "/login")) == "HTTP/1.1 200 OK")
            let icon = try await rawGet(.ipv4(port), prefix + "/favicon.ico")
            #expect(!icon.hasPrefix("HTTP/1.1 302") && !icon.hasPrefix("HTTP/1.1 401"))
            // An unauthenticated WebSocket gets 403 before any session exists.
            let token = try server.signer.makeToken(sessionID: "ws-session", now: server.clock.wholeUnixSeconds)
            let refused = try await upgrade(port, prefix + "/app/ws", token: token)
            #expect(refused.hasPrefix("HTTP/1.1 403"))
            #expect(server.applicationContext(at: "/app")?.sessions.isEmpty == true)
        }
        #expect(seen.contexts.withLock { $0.isEmpty })
    }

    @Test func withoutALoginURLItIs401() async throws {
        let seen = SeenSessions()
        let policy = AuthPolicy { request in request.header("X-Key") == "k" ? AuthenticatedUser("key-holder") : nil }
        let server = try Self.server(seen, policy: policy)
        defer { server.stop() }
        #expect(status(try await rawGet(.ipv4(server.port), "/app")) == "HTTP/1.1 401 Unauthorized")
        let ok = try await rawGet(.ipv4(server.port), "/app", headers: "X-Key: k\r\n")
        #expect(status(ok) == "HTTP/1.1 200 OK")
        #expect(seen.contexts.withLock { $0.map { $0.user?.id } } == ["key-holder"])
    }

    @Test func aThrowingPolicyIsA500AndPipelinedRequestsStayInOrder() async throws {
        struct Down: Error {}
        let seen = SeenSessions()
        let policy = AuthPolicy(loginURL: .perRequest { _ in "https://sso.example/login" }) { request in
            if request.argument("fail") != nil { throw Down() }
            try await Task.sleep(for: .milliseconds(request.argument("slow") != nil ? 50 : 0))
            return request.argument("ok") != nil ? AuthenticatedUser("u") : nil
        }
        let server = try Self.server(seen, policy: policy)
        defer { server.stop() }
        let pipelined =
            "GET /app/metadata?fail=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /app/metadata?slow=1&ok=1 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /app/metadata HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let text = String(decoding: try await rawExchange(.ipv4(server.port), Array(pipelined.utf8)), as: UTF8.self)
        let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["500", "200", "302"])
        #expect(text.contains("Location: https://sso.example/login?next=http%3A%2F%2Fx%2Fapp%2Fmetadata"))
    }

    /// Logs in through the form; returns the `user` cookie.
    static func login(_ port: Int, prefix: String = "", password: String = password, xsrf: String? = nil)
        async throws -> String
    {
        var body = "username=alice&password=\(AuthURL.formEncode(password))&next=\(AuthURL.formEncode(prefix + "/app"))"
        var cookies = ""
        if let xsrf {
            body += "&_xsrf=\(AuthURL.formEncode(xsrf))"
            cookies = "Cookie: _xsrf=\(xsrf)\r\n"
        }
        let request =
            "POST \(prefix)/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "\(cookies)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        return String(decoding: try await rawExchange(.ipv4(port), Array(request.utf8)), as: UTF8.self)
    }

    @Test func passwordLoginSetsASignedCookieTheAppSeesTheUserAndLogoutClearsIt() async throws {
        let seen = SeenSessions()
        let server = try Self.server(seen, prefix: "/pfx", policy: try Self.passwordPolicy())
        defer { server.stop() }
        let port = server.port
        let wrong = try await Self.login(port, prefix: "/pfx", password: "nope")
        #expect(status(wrong) == "HTTP/1.1 401 Unauthorized" && wrong.contains("Invalid user name or password."))
        #expect(header("Set-Cookie", in: wrong).isEmpty)
        let response = try await Self.login(port, prefix: "/pfx")
        #expect(status(response) == "HTTP/1.1 302 Found")
        #expect(header("Location", in: response) == ["/pfx/app"])
        let setCookie = try #require(header("Set-Cookie", in: response).first)
        #expect(setCookie.hasPrefix("user=\"2|1:0|"))
        #expect(
            setCookie.contains("; HttpOnly") && setCookie.contains("; SameSite=Lax") && setCookie.contains("; Path=/"))
        let cookie = String(setCookie.prefix { $0 != ";" })
        let page = try await rawGet(.ipv4(port), "/pfx/app", headers: "Cookie: \(cookie); theme=dark\r\n")
        #expect(status(page) == "HTTP/1.1 200 OK")
        let context = try #require(seen.contexts.withLock { $0.last })
        #expect(context.user == AuthenticatedUser("alice", claims: ["policy": "password-file"]))
        #expect(context.logoutURL == "/pfx/logout")
        #expect(seen.processed.withLock { $0.last?.user?.id } == "alice")
        // A cookie signed with another secret, or a forged plain one, is not a login.
        let forged = try SecureCookieSigner(secret: "other").sign(
            name: "user", value: "\"alice\"", now: Int(Date().timeIntervalSince1970))
        for bad in ["user=\(SecureCookieSigner.cookieValue(forged))", "user=\"alice\""] {
            #expect(
                status(try await rawGet(.ipv4(port), "/pfx/app", headers: "Cookie: \(bad)\r\n")) == "HTTP/1.1 302 Found"
            )
        }
        // The WebSocket with the cookie is accepted, and makes a session whose context has the user.
        let token = try server.signer.makeToken(sessionID: "by-websocket", now: server.clock.wholeUnixSeconds)
        let accepted = try await upgrade(port, "/pfx/app/ws", token: token, headers: "Cookie: \(cookie)\r\n")
        #expect(accepted.hasPrefix("HTTP/1.1 101"))
        let made = try await waitFor { seen.contexts.withLock { $0.first { $0.id == "by-websocket" } } }
        #expect(made.user?.id == "alice")
        let logout = try await rawGet(.ipv4(port), "/pfx/logout", headers: "Cookie: \(cookie)\r\n")
        #expect(status(logout) == "HTTP/1.1 302 Found" && header("Location", in: logout) == ["/pfx/login"])
        #expect(header("Set-Cookie", in: logout).first?.hasPrefix("user=; expires=Thu, 01 Jan 1970") == true)
    }

    @Test func failedLoginsAreRateLimited() async throws {
        let server = try Self.server(SeenSessions(), policy: try Self.passwordPolicy(limit: 2))
        defer { server.stop() }
        #expect(status(try await Self.login(server.port, password: "x")) == "HTTP/1.1 401 Unauthorized")
        #expect(status(try await Self.login(server.port, password: "y")) == "HTTP/1.1 401 Unauthorized")
        let limited = try await Self.login(server.port)
        #expect(status(limited) == "HTTP/1.1 429 Too Many Requests")
        #expect(Int(header("Retry-After", in: limited).first ?? "") ?? 0 > 0)
    }

    @Test func xsrfCookiesGuardTheLoginForm() async throws {
        let server = try Self.server(SeenSessions(), policy: try Self.passwordPolicy()) { $0.auth.xsrfCookies = true }
        defer { server.stop() }
        let form = try await rawGet(.ipv4(server.port), "/login")
        let set = try #require(header("Set-Cookie", in: form).first)
        #expect(set.hasPrefix("_xsrf=2|"))
        let xsrf = String(set.dropFirst("_xsrf=".count).prefix { $0 != ";" })
        #expect(form.contains("name=\"_xsrf\" value=\"2|"))
        let missing = try await Self.login(server.port)
        #expect(status(missing) == "HTTP/1.1 403 Forbidden")
        let mismatched = try await Self.login(server.port, xsrf: XSRFToken.generate(now: 0).encoded())
        #expect(status(mismatched).hasPrefix("HTTP/1.1 302"))  // cookie and field agree with each other
        let good = try await Self.login(server.port, xsrf: xsrf)
        #expect(status(good) == "HTTP/1.1 302 Found")
        // The field must match the cookie.
        let body = "username=alice&password=x&_xsrf=\(AuthURL.formEncode(XSRFToken.generate(now: 0).encoded()))"
        let request =
            "POST /login HTTP/1.1\r\nHost: x\r\nCookie: _xsrf=\(xsrf)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let text = String(decoding: try await rawExchange(.ipv4(server.port), Array(request.utf8)), as: UTF8.self)
        #expect(status(text) == "HTTP/1.1 403 Forbidden")
    }

    @Test func aTrustedHeaderCountsOnlyFromTrustedPeers() async throws {
        let seen = SeenSessions()
        let trusting = try TrustedHeaderAuth(header: "X-Forwarded-User", trustedProxies: ["127.0.0.1"])
        let server = try Self.server(seen, policy: trusting)
        defer { server.stop() }
        #expect(status(try await rawGet(.ipv4(server.port), "/app")) == "HTTP/1.1 401 Unauthorized")
        let page = try await rawGet(.ipv4(server.port), "/app", headers: "X-Forwarded-User: carol\r\n")
        #expect(status(page) == "HTTP/1.1 200 OK")
        #expect(seen.contexts.withLock { $0.last?.user?.id } == "carol")
        let distrusting = try TrustedHeaderAuth(header: "X-Forwarded-User", trustedProxies: ["10.0.0.0/8"])
        let other = try Self.server(SeenSessions(), policy: distrusting)
        defer { other.stop() }
        let refused = try await rawGet(.ipv4(other.port), "/app", headers: "X-Forwarded-User: carol\r\n")
        #expect(status(refused) == "HTTP/1.1 401 Unauthorized")
    }

    @Test func unsignedTokensDoNotInjectRequestData() async throws {
        for trust in [false, true] {
            let seen = SeenSessions()
            let server = try Self.server(seen, policy: nil) { $0.sessions.trustUnsignedTokens = trust }
            defer { server.stop() }
            let forged = RequestSnapshot(
                headers: [("Authorization", "Bearer admin")], cookies: [("role", "admin")],
                arguments: [("user", [Array("admin".utf8)])])
            let token = try server.signer.makeToken(
                sessionID: "forged-\(trust)", now: server.clock.wholeUnixSeconds, request: forged)
            let accepted = try await upgrade(server.port, "/app/ws?real=1", token: token, headers: "X-Real: yes\r\n")
            #expect(accepted.hasPrefix("HTTP/1.1 101"))
            let context = try await waitFor { seen.contexts.withLock { $0.first } }
            #expect(context.request.cookie("role") == (trust ? "admin" : nil))
            #expect(context.request.header("Authorization") == (trust ? "Bearer admin" : nil))
            #expect(context.request.argument("user") == (trust ? ["admin"] : []))
            if !trust {
                // What the WebSocket request itself carried is what the session sees.
                #expect(context.request.header("X-Real") == "yes" && context.request.argument("real") == ["1"])
                #expect(context.tokenPayload["headers"] == nil)
            }
        }
    }

    @Test func includedAndExcludedHeadersAndCookies() async throws {
        let seen = SeenSessions()
        let server = try Self.server(seen, policy: nil) {
            $0.sessions.includeHeaders = ["x-keep", "Cookie"]
            $0.sessions.excludeCookies = ["session"]
        }
        defer { server.stop() }
        let page = try await rawGet(
            .ipv4(server.port), "/app", headers: "X-Keep: 1\r\nX-Drop: 2\r\nCookie: session=s; theme=dark\r\n")
        #expect(status(page) == "HTTP/1.1 200 OK")
        let context = try #require(seen.contexts.withLock { $0.first })
        #expect(context.request.headers.map(\.name) == ["x-keep", "Cookie"])
        #expect(context.request.cookies.map(\.name) == ["theme"])
        var both = ServerConfiguration()
        both.sessions.includeHeaders = ["a"]
        both.sessions.excludeHeaders = ["b"]
        #expect(throws: ConfigurationError.self) { try both.validate() }
    }

    @Test func shortTokensStayUnder1KiBAndKeepTheRequest() async throws {
        let seen = SeenSessions()
        let server = try Self.server(seen, policy: nil) { $0.sessions.shortTokens = true }
        defer { server.stop() }
        let big = String(repeating: "c", count: 6000)
        let page = try await rawGet(.ipv4(server.port), "/app?x=1", headers: "Cookie: big=\(big)\r\nX-Info: 7\r\n")
        #expect(status(page) == "HTTP/1.1 200 OK")
        let context = try #require(seen.contexts.withLock { $0.first })
        #expect(context.token.utf8.count < 1024)
        #expect(context.request.cookie("big") == big && context.request.header("X-Info") == "7")
        // A WebSocket with the short token gets the stored request back.
        let token = context.token
        let fresh = try server.signer.makeToken(
            sessionID: "second", now: server.clock.wholeUnixSeconds,
            extraPayload: JSONObject(
                try SessionToken(decoding: token).payload.members.filter { $0.key == RequestStore.payloadKey }))
        #expect(try await upgrade(server.port, "/app/ws", token: fresh).hasPrefix("HTTP/1.1 101"))
        let second = try await waitFor { seen.contexts.withLock { $0.first { $0.id == "second" } } }
        #expect(second.request.cookie("big") == big)
    }
}

/// Polls `body` until it gives a value (5 s at most).
func waitFor<T: Sendable>(_ body: @escaping @Sendable () -> T?) async throws -> T {
    for _ in 0..<500 {
        if let value = body() { return value }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw CallbackFailure()
}
