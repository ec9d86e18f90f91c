import Foundation
@testable import ServerCore
import Testing

/// The DNS-rebinding guard: a request must name an allowed host or an IP address.
@Suite(.serialized) struct HostCheckTests {
    private func server(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> Server {
        try startServer(path: "/app", application: divApplication) {
            $0.network.checkHost = true
            configure(&$0)
        }
    }

    private func status(_ port: Int, host: String, path: String = "/app") async throws -> String {
        try await rawGet(.ipv4(port), path, host: host).components(separatedBy: "\r\n")[0]
    }

    @Test func aRebindingNameIsRefusedAndAllowedNamesAndAddressesAreServed() async throws {
        let server = try server()
        defer { server.stop() }
        let port = server.port
        // An attacker's name resolving to us: refused, with the Origin matching it too.
        #expect(try await status(port, host: "evil.example:\(port)") == "HTTP/1.1 403 Host not allowed")
        #expect(try await status(port, host: "localhost.evil.example:\(port)") == "HTTP/1.1 403 Host not allowed")
        #expect(try await status(port, host: "localhost") == "HTTP/1.1 403 Host not allowed")
        let upgrade = try await rawGet(
            .ipv4(port), "/app/ws", host: "evil.example:\(port)",
            headers: "Origin: http://evil.example:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
        #expect(upgrade.hasPrefix("HTTP/1.1 403 Host not allowed\r\n"))
        #expect(server.applicationContext(at: "/app")?.sessions.isEmpty == true)
        // The allowed origin, any IP address, no Host at all: served.
        for host in [
            "localhost:\(port)", "LOCALHOST:\(port)", "127.0.0.1:\(port)", "127.0.0.1", "[::1]:\(port)", "10.1.2.3",
        ] {
            #expect(try await status(port, host: host) == "HTTP/1.1 200 OK", "\(host)")
        }
        let bare = try await rawExchange(.ipv4(port), Array("GET /app HTTP/1.0\r\n\r\n".utf8))
        #expect(String(decoding: bare, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK\r\n"))
        // Not IP addresses: names made of digits and dots that are not four numbers.
        for host in ["1.2.3:\(port)", "1.2.3.4.evil.example", "[::1]x", "999.1.1.1"] {
            #expect(try await status(port, host: host) == "HTTP/1.1 403 Host not allowed", "\(host)")
        }
    }

    @Test func namesComeFromTheOriginsAndAllowHost() async throws {
        let server = try server {
            $0.websocket.allowedOrigins = .hosts(["apps.example.org"])
            $0.network.allowedHosts = ["*.internal.example", "proxy:8080"]
        }
        defer { server.stop() }
        let port = server.port
        #expect(try await status(port, host: "apps.example.org") == "HTTP/1.1 200 OK")
        #expect(try await status(port, host: "a.internal.example") == "HTTP/1.1 200 OK")
        #expect(try await status(port, host: "proxy:8080") == "HTTP/1.1 200 OK")
        #expect(try await status(port, host: "proxy:8081") == "HTTP/1.1 403 Host not allowed")
        #expect(try await status(port, host: "localhost:\(port)") == "HTTP/1.1 403 Host not allowed")
    }

    @Test func theCheckCanBeTurnedOffAsBokehs() async throws {
        let server = try server { $0.network.checkHost = false }
        defer { server.stop() }
        #expect(try await status(server.port, host: "evil.example") == "HTTP/1.1 200 OK")
        let parsed = try ServeCommand(name: "serve", applications: [("/a", divApplication)])
            .parse(["--disable-host-check", "--allow-host", "x.example"], environment: [:])
        #expect(!parsed.configuration.network.checkHost && parsed.configuration.network.allowedHosts == ["x.example"])
    }

    @Test func ipLiterals() {
        for host in ["127.0.0.1", "127.0.0.1:5006", "[::1]", "[::1]:80", "[fe80::1]:1", "0.0.0.0"] {
            #expect(HostName.isIPLiteral(host), "\(host)")
        }
        for host in ["localhost", "1.2.3", "1.2.3.4.5", "[::1", "[nope]", "::1", "a.b.c.d", "1.2.3.4:x", "[::1]:x"] {
            #expect(!HostName.isIPLiteral(host), "\(host)")
        }
    }
}
