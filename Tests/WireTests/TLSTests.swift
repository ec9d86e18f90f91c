import Foundation
import Testing
@testable import Wire

@Suite struct TLSTests {
    static func serverContext() throws -> TLSContext {
        let files = TestCertificate.files
        return try TLSContext(.server(certificateChainFile: files.certificate, privateKeyFile: files.key))
    }

    @Test func echoesOverTLSWithVerification() async throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group, tls: try Self.serverContext())
        let clientTLS = try TLSContext(.client(trustRoots: .file(TestCertificate.files.certificate)))
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next(), tls: clientTLS)
        #expect(client.isConnected, "\(client.failure.values)")
        let payload = pattern(1 << 20)
        client.withConnection { $0.write(payload) }
        #expect(await eventually { client.received.count == payload.count })
        #expect(client.received.values == payload)
        client.withConnection { $0.close() }
        #expect(await eventually { client.closed.values == ["clean"] })
        #expect(await eventually { server.closes.count == 1 })
    }

    @Test func verifiesTheHostNameSentAsSNI() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group, tls: try Self.serverContext())
        let clientTLS = try TLSContext(.client(trustRoots: .file(TestCertificate.files.certificate)))
        let good = await TestClient.connect(
            to: server.listener.localAddress, on: group.next(), tls: clientTLS,
            serverName: "localhost")
        #expect(good.isConnected, "\(good.failure.values)")
        let bad = await TestClient.connect(
            to: server.listener.localAddress, on: group.next(), tls: clientTLS,
            serverName: "example.invalid")
        #expect(!bad.isConnected)
        #expect(bad.failure.values.first?.contains("verify") == true, "\(bad.failure.values)")
    }

    @Test func rejectsAnUntrustedCertificate() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group, tls: try Self.serverContext())
        let clientTLS = try TLSContext(.client(trustRoots: .file(TestCertificate.files.otherCertificate)))
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next(), tls: clientTLS)
        #expect(!client.isConnected)
        #expect(client.failure.values.first?.contains("verify") == true, "\(client.failure.values)")
        #expect(await eventually { server.closes.count == 1 })
    }

    @Test func plaintextClientToTLSServerFailsOnlyThatConnection() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group, tls: try Self.serverContext())
        let plain = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        plain.withConnection { $0.write(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
        #expect(await eventually { server.closes.count == 1 })
        #expect(server.closes.values.first?.contains("TLS") == true)
        // The server still serves TLS clients.
        let clientTLS = try TLSContext(.client(trustRoots: .file(TestCertificate.files.certificate)))
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next(), tls: clientTLS)
        client.withConnection { $0.write(Array("still fine".utf8)) }
        #expect(await eventually { client.received.values == Array("still fine".utf8) })
    }

    @Test func missingKeyFileIsAConfigurationError() {
        #expect(throws: TLSError.self) {
            _ = try TLSContext(
                .server(certificateChainFile: "/nonexistent/cert.pem", privateKeyFile: "/nonexistent/key.pem"))
        }
    }
}
