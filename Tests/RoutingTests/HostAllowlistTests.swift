import Routing
import Testing

/// One `matchHost` row.
struct HostCase: Sendable, CustomStringConvertible {
    let host: String
    let pattern: String
    let matches: Bool
    init(_ host: String, _ pattern: String, _ matches: Bool) {
        self.host = host
        self.pattern = pattern
        self.matches = matches
    }
    var description: String { "\(host) vs \(pattern) → \(matches)" }
}

/// One `create_hosts_allowlist` row: the entries built, or the error message.
struct AllowlistCase: Sendable, CustomStringConvertible {
    let hosts: [String]
    let port: Int
    let result: Result<[String], RoutingError>
    let warnings: Int
    init(_ hosts: [String], port: Int = 5006, _ result: Result<[String], RoutingError>, warnings: Int = 0) {
        self.hosts = hosts
        self.port = port
        self.result = result
        self.warnings = warnings
    }
    var description: String { "\(hosts) port \(port)" }
}

@Suite("HostAllowlist")
struct HostAllowlistTests {
    /// server.md §3.3: the `match_host` doctests and the observed rows.
    static let referenceTable: [HostCase] = [
        .init("192.168.0.1:80", "192.168.0.1:80", true),
        .init("192.168.0.1:80", "192.168.0.1", true),
        .init("192.168.0.1:80", "192.168.0.1:8080", false),
        .init("192.168.0.1", "192.168.0.2", false),
        .init("192.168.0.1", "192.168.*.*", true),
        .init("alice", "alice", true),
        .init("alice:80", "alice", true),
        .init("alice", "bob", false),
        .init("example.com", "example.com.net", false),
        .init("example.com.bad.com", "example.com", false),
        .init("alice", "*", true),
        .init("alice", "*:*", true),
        .init("alice:80", "*", true),
        .init("alice:80", "*:80", true),
        .init("alice:8080", "*:80", false),
        .init("alice", "alice:80", false),
        .init("a.b.test:80", "*.test:80", false),
        .init("b.test:80", "*.test:80", true),
        .init("a.test:5107", "*.test:80", false),
        .init("example.com:8080", "example.com:80", false),
        .init("[::1]:5006", "localhost:5006", false),
    ]

    @Test(arguments: referenceTable)
    func matchesLikeBokeh(_ row: HostCase) {
        #expect(matchHost(row.host, pattern: row.pattern) == row.matches)
    }

    /// Edge cases: the CVE-2026-21883 suffix attack, IPv6 literals, case, trailing dots, empty parts.
    static let edgeCases: [HostCase] = [
        .init("dashboard.corp.attacker.com:80", "dashboard.corp:80", false),
        .init("dashboard.corp.attacker.com:80", "dashboard.corp", false),
        .init("dashboard.corp:80", "dashboard.corp", true),
        .init("evil-dashboard.corp:80", "dashboard.corp:80", false),
        .init("corp:80", "dashboard.corp:80", false),
        .init("a.b.test:80", "*:80", true),
        .init("a.b.test:80", "*.*.test:80", true),
        .init("[::1]:5006", "*", true),
        .init("[::1]:5006", "*:5006", true),
        .init("[::1]:5006", "[::1]:5006", true),
        .init("[::1]", "[::1]:80", false),
        .init("example.com:80", "EXAMPLE.COM:80", false),
        .init("EXAMPLE.COM:80", "EXAMPLE.COM:80", true),
        .init("example.com.:80", "example.com:80", false),
        .init("example.com:80", "example.com.:80", false),
        .init(":80", "localhost:80", false),
        .init(":80", "*:80", true),
        .init("", "*", true),
        .init("localhost:", "localhost:80", false),
        .init("localhost:5006", "localhost:*", true),
    ]

    @Test(arguments: edgeCases)
    func handlesEdgeCases(_ row: HostCase) {
        #expect(matchHost(row.host, pattern: row.pattern) == row.matches)
    }

    /// `check_allowlist` appends `:80` to a host without a port before matching.
    @Test(
        arguments: [
            ("alice", ["alice:80"], true),
            ("alice", ["alice:8080"], false),
            ("localhost:5006", ["localhost:5006"], true),
            ("localhost:5007", ["localhost:5006"], false),
            ("example.com", ["127.0.0.1:5107", "*.test:80", "example.com:80"], true),
            ("b.test", ["*.test:80"], true),
            ("a.b.test", ["*.test:80"], false),
            ("dashboard.corp.attacker.com", ["dashboard.corp:80"], false),
            ("[::1]", ["[::1]:80"], false),
            ("anything:1", ["*"], true),
            ("anything", [], false),
        ] as [(String, [String], Bool)])
    func checksWhitelistWithImpliedPort(_ host: String, _ allowlist: [String], _ allowed: Bool) {
        #expect(checkWhitelist(host, allowlist) == allowed)
        #expect(HostAllowlist(entries: allowlist).allows(host: host) == allowed)
    }

    /// server.md §3.2.
    static let building: [AllowlistCase] = [
        .init([], .success(["localhost:5006"])),
        .init([], port: 5106, .success(["localhost:5106"])),
        .init(["foo"], .success(["foo:80"])),
        .init(["foo:8080"], .success(["foo:8080"])),
        .init(["*"], .success(["*"]), warnings: 1),
        .init(["*:5006"], .success(["*:5006"]), warnings: 1),
        .init(
            ["127.0.0.1:5107", "*.test:80", "example.com:80"],
            .success(["127.0.0.1:5107", "*.test:80", "example.com:80"]), warnings: 1),
        .init(["foo", "foo:80"], .success(["foo:80"])),
        .init(["foo:+80"], .success(["foo:+80"])),
        .init(["foo: 80 "], .success(["foo: 80 "])),
        .init(["foo:8_0"], .success(["foo:8_0"])),
        .init(["*.test:*"], .failure(.invalidPort(host: "*.test:*")), warnings: 1),
        .init(["foo:"], .failure(.invalidPort(host: "foo:"))),
        .init(["foo:8__0"], .failure(.invalidPort(host: "foo:8__0"))),
        .init(["foo:80a"], .failure(.invalidPort(host: "foo:80a"))),
        .init([""], .failure(.emptyHost)),
        .init([":80"], .failure(.emptyHost)),
        .init(["a:b:c"], .failure(.invalidHost(host: "a:b:c"))),
        .init(["[::1]:5006"], .failure(.invalidHost(host: "[::1]:5006"))),
    ]

    @Test(arguments: building)
    func buildsAllowlistLikeBokeh(_ row: AllowlistCase) {
        switch row.result {
        case .success(let entries):
            let allowlist = try? HostAllowlist(hosts: row.hosts, port: row.port)
            #expect(allowlist?.entries == entries)
            #expect(allowlist?.warnings.count == row.warnings)
        case .failure(let error):
            #expect(throws: error) { try HostAllowlist(hosts: row.hosts, port: row.port) }
        }
    }

    @Test
    func usesBokehMessages() {
        #expect(RoutingError.emptyHost.description == "Empty host value")
        #expect(RoutingError.invalidPort(host: "*.test:*").description == "Invalid port in host value: *.test:*")
        #expect(RoutingError.invalidHost(host: "a:b:c").description == "Invalid host value: a:b:c")
    }

    @Test
    func warnsAboutWildcards() throws {
        let allowlist = try HostAllowlist(hosts: ["*.test:80", "plain"], port: 5006)
        #expect(
            allowlist.warnings == [
                "Host wildcard '*.test:80' will allow connections originating from multiple (or possibly all) "
                    + "hostnames or IPs. Use non-wildcard values to restrict access explicitly"
            ])
    }

    @Test
    func explicitListReplacesLocalhost() throws {
        let allowlist = try HostAllowlist(hosts: ["example.com"], port: 5006)
        #expect(!allowlist.allows(host: "localhost:5006"))
        #expect(allowlist.allows(host: "example.com"))
        #expect(!HostAllowlist(entries: []).allows(host: "localhost:5006"))
    }

    @Test
    func parsesEnvironmentOverride() {
        let allowlist = HostAllowlist(environmentValue: "a.com, b.com:81,,")
        #expect(allowlist.entries == ["a.com", "b.com:81"])
        #expect(allowlist.allows(host: "a.com:9999"))
        #expect(allowlist.allows(host: "b.com:81"))
        #expect(!allowlist.allows(host: "b.com"))
    }

    @Test
    func describesEntriesAsPythonSet() throws {
        #expect(try HostAllowlist(hosts: [], port: 5106).pythonDescription == "{'localhost:5106'}")
        #expect(HostAllowlist(entries: []).pythonDescription == "set()")
        #expect(HostAllowlist(entries: ["a:80", "it's"]).pythonDescription == "{'a:80', \"it's\"}")
    }
}
