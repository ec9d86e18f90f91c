import Routing
import Testing

/// One upgrade request and whether it is accepted.
struct OriginCase: Sendable, CustomStringConvertible {
    let origin: String?
    let host: String?
    let secFetchSite: String?
    let allowed: Bool
    init(_ origin: String?, host: String?, secFetchSite: String? = nil, _ allowed: Bool) {
        self.origin = origin
        self.host = host
        self.secFetchSite = secFetchSite
        self.allowed = allowed
    }
    var description: String {
        "Origin \(origin ?? "-") Host \(host ?? "-") SFS \(secFetchSite ?? "-") → \(allowed ? "101" : "403")"
    }
}

@Suite("OriginPolicy")
struct OriginPolicyTests {
    /// Server 1 of server.md §3.4: 127.0.0.1:5106, default allowlist `localhost:5106`.
    static let defaultServer = OriginPolicy(allowlist: HostAllowlist(entries: ["localhost:5106"]))

    static let defaultMatrix: [OriginCase] = [
        .init("http://127.0.0.1:5106", host: "127.0.0.1:5106", true),
        .init("http://localhost:5106", host: "127.0.0.1:5106", true),
        .init("https://localhost:5106", host: "127.0.0.1:5106", true),
        .init("http://localhost:5107", host: "127.0.0.1:5106", false),
        .init("http://evil.com", host: "127.0.0.1:5106", false),
    ]

    @Test(arguments: defaultMatrix)
    func defaultServerMatrix(_ row: OriginCase) throws {
        let policy = OriginPolicy(allowlist: try HostAllowlist(hosts: [], port: 5106))
        #expect(policy == Self.defaultServer)
        #expect(
            policy.evaluate(origin: row.origin, host: row.host, secFetchSite: row.secFetchSite).isAllowed == row.allowed
        )
    }

    /// Server 2 of server.md §3.4: allowlist `127.0.0.1:5107, *.test:80, example.com:80`; columns
    /// no Sec-Fetch-Site / `same-origin` / `cross-site`.
    static let configuredMatrix: [OriginCase] = {
        let observed: [(String, [Bool])] = [
            ("http://localhost:5107", [false, true, false]),
            ("http://example.com", [true, true, true]),
            ("http://example.com:8080", [false, true, false]),
            ("http://a.b.test", [false, true, false]),
            ("http://EXAMPLE.COM", [true, true, true]),
            ("http://b.test", [true, true, true]),
            ("http://a.test:5107", [false, true, false]),
        ]
        return observed.flatMap { origin, results in
            zip([nil, "same-origin", "cross-site"] as [String?], results).map { site, allowed in
                OriginCase(origin, host: "127.0.0.1:5107", secFetchSite: site, allowed)
            }
        }
    }()

    @Test(arguments: configuredMatrix)
    func configuredServerMatrix(_ row: OriginCase) throws {
        let policy = OriginPolicy(
            allowlist: try HostAllowlist(hosts: ["127.0.0.1:5107", "*.test:80", "example.com:80"], port: 5107))
        #expect(
            policy.evaluate(origin: row.origin, host: row.host, secFetchSite: row.secFetchSite).isAllowed == row.allowed
        )
    }

    /// Header edge cases against the default server.
    static let edgeCases: [OriginCase] = [
        .init(nil, host: "127.0.0.1:5106", true),
        .init(nil, host: nil, true),
        .init(nil, host: "127.0.0.1:5106", secFetchSite: "cross-site", false),
        .init(nil, host: "127.0.0.1:5106", secFetchSite: "none", true),
        .init("http://evil.com", host: "127.0.0.1:5106", secFetchSite: "none", true),
        .init("http://evil.com", host: "127.0.0.1:5106", secFetchSite: "same-site", false),
        .init("http://localhost:5106", host: "evil.com", secFetchSite: "same-site", true),
        .init("http://127.0.0.1:5106", host: "127.0.0.1:5106", secFetchSite: "cross-site", false),
        .init("", host: "127.0.0.1:5106", false),
        .init("", host: "", true),
        .init("null", host: "127.0.0.1:5106", false),
        .init("http://LOCALHOST:5106", host: "127.0.0.1:5106", true),
        .init("http://Example.org:1", host: "EXAMPLE.org:1", true),
        .init("http://example.org", host: "example.org:80", false),
        .init("http://localhost.:5106", host: "127.0.0.1:5106", false),
        .init("http://localhost:5106/some/page?q=1", host: "127.0.0.1:5106", true),
        .init("http://user@localhost:5106", host: "127.0.0.1:5106", false),
        .init("localhost:5106", host: "127.0.0.1:5106", false),
        .init("//localhost:5106", host: "127.0.0.1:5106", true),
        .init(" \thttp://local\nhost:5106", host: "127.0.0.1:5106", true),
        .init("http://[::1]:5106", host: "[::1]:5106", true),
        .init("http://[::1]:5106", host: "127.0.0.1:5106", false),
        .init("http://[::1", host: "127.0.0.1:5106", false),
        .init("http://localhost:5106", host: nil, true),
        .init("http://127.0.0.1:5106", host: nil, false),
    ]

    @Test(arguments: edgeCases)
    func handlesHeaderEdgeCases(_ row: OriginCase) {
        #expect(
            Self.defaultServer.evaluate(origin: row.origin, host: row.host, secFetchSite: row.secFetchSite).isAllowed
                == row.allowed)
    }

    @Test
    func explainsAcceptance() {
        let policy = Self.defaultServer
        #expect(
            policy.evaluate(origin: "http://x", host: "h", secFetchSite: "same-origin") == .allowed(.sameOriginFetch))
        #expect(policy.evaluate(origin: nil, host: "h", secFetchSite: nil) == .allowed(.noOrigin))
        #expect(policy.evaluate(origin: "http://h", host: "h", secFetchSite: nil) == .allowed(.originMatchesHost))
        #expect(
            policy.evaluate(origin: "http://localhost:5106", host: "h", secFetchSite: nil) == .allowed(.allowlisted))
    }

    @Test
    func rejectsWithTornadoResponseAndBokehLog() {
        let decision = Self.defaultServer.evaluate(origin: "http://evil.com", host: "127.0.0.1:5106", secFetchSite: nil)
        let expected = OriginRejection(
            status: 403, reason: "Forbidden", body: "Cross origin websockets not allowed",
            logMessage: "Refusing websocket connection from Origin 'http://evil.com';                     "
                + "use --allow-websocket-origin=evil.com or set BOKEH_ALLOW_WS_ORIGIN=evil.com to permit this; "
                + "currently we allow origins {'localhost:5106'}")
        #expect(decision == .rejected(expected))
        #expect(OriginPolicy.rejectionBody.utf8.count == 35)
    }

    @Test
    func logsLowerCasedHostButOriginalOrigin() {
        let decision = Self.defaultServer.evaluate(origin: "HTTPS://Evil.COM:8443/x", host: "h", secFetchSite: nil)
        guard case .rejected(let rejection) = decision else {
            Issue.record("expected a rejection, got \(decision)")
            return
        }
        #expect(rejection.logMessage.hasPrefix("Refusing websocket connection from Origin 'HTTPS://Evil.COM:8443/x';"))
        #expect(rejection.logMessage.contains("--allow-websocket-origin=evil.com:8443 or"))
    }

    @Test
    func rejectsTheCVESuffixAttack() throws {
        let policy = OriginPolicy(allowlist: try HostAllowlist(hosts: ["dashboard.corp"], port: 5006))
        #expect(
            !policy.evaluate(origin: "https://dashboard.corp.attacker.com", host: "x", secFetchSite: "cross-site")
                .isAllowed)
        #expect(!policy.evaluate(origin: "https://dashboard.corp.attacker.com", host: "x", secFetchSite: nil).isAllowed)
        #expect(policy.evaluate(origin: "https://dashboard.corp", host: "x", secFetchSite: "cross-site").isAllowed)
    }

    @Test
    func answersUnparsableOriginWithServerError() {
        let decision = Self.defaultServer.evaluate(origin: "http://[::1", host: "h", secFetchSite: nil)
        guard case .rejected(let rejection) = decision else {
            Issue.record("expected a rejection, got \(decision)")
            return
        }
        #expect(rejection.status == 500)
        #expect(
            rejection.body
                == "<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>")
        #expect(!Self.defaultServer.evaluate(origin: "http://[nothex]:1", host: "h", secFetchSite: nil).isAllowed)
    }

    @Test(
        arguments: [
            ("http://localhost:5106", "http://localhost:5106"),
            ("https://LOCALHOST:5106", "https://LOCALHOST:5106"),
            ("http://evil.com", nil),
            ("http://127.0.0.1:5106", nil),
        ] as [(String, String?)])
    func echoesAllowlistedOriginForAutoload(_ origin: String, _ echoed: String?) {
        #expect(Self.defaultServer.corsOrigin(for: origin) == echoed)
    }

    @Test
    func keepsWildcardCORSWithoutOrigin() {
        #expect(Self.defaultServer.corsOrigin(for: nil) == nil)
    }
}
