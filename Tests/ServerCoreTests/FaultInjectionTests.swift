import Foundation
import Locking
import Routing
@testable import ServerCore
import Testing
@testable import Wire

/// Faults injected under the transport's system calls (Wire's `System` seam): partial writes and EAGAIN at every
/// byte boundary, resets mid-message, descriptors exhausted on accept. Each must end in a correct answer, a clean
/// close or a retry; never a crash, a hang, or a corrupted neighbour. Serialized: the seam is process-wide, so each
/// rule picks only its own server's sockets (by local port).
@Suite(.serialized) struct FaultInjectionTests {
    static let body: [UInt8] = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }

    /// A server whose extra route `/blob` answers ``body`` (whole, or streamed in pieces with `?stream`).
    static func server() throws -> Server {
        try startServer(path: "/app", application: divApplication) {
            $0.front.extraRoutes = [ExtraRoute(pattern: "/blob", identifier: "blob")]
            $0.front.extraRequestHandler = { request in
                let body = Array(Self.body.prefix(request.argument("size").flatMap { Int($0) } ?? Self.body.count))
                guard request.argument("stream") != nil else {
                    return ExtraResponse(headers: [("Content-Type", "application/octet-stream")], body: body)
                }
                let pieces = Lock(
                    stride(from: 0, to: body.count, by: 1024).map { Array(body[$0..<min($0 + 1024, body.count)]) })
                return ExtraResponse(headers: [("Content-Type", "application/octet-stream")]) {
                    pieces.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                }
            }
        }
    }

    /// Whether `fd` is a socket of the server on `port` (accepted or listening).
    static func isServerSocket(_ fd: Int32, port: Int) -> Bool {
        (try? System.localAddress(fd))?.port == port
    }

    /// Runs `body` against a fresh ``server()`` whose `kind` calls go through `decide` (given the call's number,
    /// from 1, and its descriptor); the rule is removed and the server stopped afterwards.
    static func withFaults(
        on kind: SystemCallKind, _ decide: @escaping @Sendable (_ call: Int, _ fd: Int32) -> SystemFault?,
        _ body: (_ port: Int) async throws -> Void
    ) async throws {
        let server = try Self.server()
        defer {
            System.injectFaults(nil)
            server.stop()
        }
        let port = server.port
        let calls = Lock(0)
        System.injectFaults { call, fd in
            guard call == kind, Self.isServerSocket(fd, port: port) else { return nil }
            let n = calls.withLock { c -> Int in
                c += 1
                return c
            }
            return decide(n, fd)
        }
        try await body(port)
        #expect(calls.withLock { $0 } > 0, "no \(kind) call went through the rule")
    }

    @Test(arguments: [1, 2, 3, 7, 100, 4096])
    func partialWritesAndEAGAINDeliverEveryByte(cap: Int) async throws {
        // Every other call would block; the rest write at most `cap` bytes.
        try await Self.withFaults(on: .write, { n, _ in n % 2 == 0 ? .fail(EAGAIN) : .short(cap) }) { port in
            // Tiny caps cost a system call (and the rule a getsockname) per byte or two: a shorter body keeps it quick.
            let size = cap < 4 ? 1200 : cap < 10 ? 3000 : Self.body.count
            let expected = Array(Self.body.prefix(size))
            for query in ["?size=\(size)", "?stream&size=\(size)"] {
                let response = try await rawExchange(
                    .ipv4(port), Array("GET /blob\(query) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
                let (head, payload) = splitResponse(response)
                #expect(head.hasPrefix("HTTP/1.1 200 OK"), "cap \(cap) \(query)")
                let received = query.contains("stream") ? dechunk(payload) : Array(payload)
                #expect(received == expected, "cap \(cap) \(query): \(received?.count ?? -1) bytes")
            }
        }
    }

    @Test func shortReadsAndSpuriousEAGAINLoseNothing() async throws {
        try await Self.withFaults(on: .read, { n, _ in n % 3 == 0 ? .fail(EAGAIN) : .short(1 + n % 5) }) { port in
            let pipelined =
                "GET /app/metadata HTTP/1.1\r\nHost: x\r\n\r\nGET /blob HTTP/1.1\r\nHost: x\r\n"
                + "X-Long: \(String(repeating: "v", count: 3000))\r\nConnection: close\r\n\r\n"
            let text = try await rawExchange(.ipv4(port), Array(pipelined.utf8))
            #expect(String(decoding: text, as: UTF8.self).components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(text.suffix(Self.body.count) == ArraySlice(Self.body))
        }
    }

    @Test func aResetMidMessageClosesThatConnectionOnly() async throws {
        let server = try Self.server()
        defer {
            System.injectFaults(nil)
            server.stop()
        }
        let port = server.port
        let written = Lock(0)
        let victim = Lock<Int?>(nil)
        System.injectFaults { kind, fd in
            guard kind == .write, Self.isServerSocket(fd, port: port), let peer = System.peerAddress(fd)?.port else {
                return nil
            }
            // The first connection to write is the victim (known by its peer's port: descriptors are reused):
            // after 5,000 bytes its peer "resets".
            let chosen = victim.withLock { v -> Int in
                if v == nil { v = peer }
                return v ?? peer
            }
            guard peer == chosen else { return nil }
            return written.withLock { total -> SystemFault? in
                total += 1000
                return total > 5000 ? .fail(ECONNRESET) : .short(1000)
            }
        }
        let cut = try await rawExchange(
            .ipv4(port), Array("GET /blob HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect(cut.count < Self.body.count)  // the reset connection ends early, cleanly closed
        // Its neighbours, during and after, are served whole.
        let whole = try await rawExchange(
            .ipv4(port), Array("GET /blob HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect(Array(splitResponse(whole).body) == Self.body)
        #expect(try await rawGet(.ipv4(port), "/app").hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func outOfDescriptorsOnAcceptBacksOffAndRecovers() async throws {
        let exhausted = Lock(true)
        let attempts = Lock(0)
        try await Self.withFaults(
            on: .accept,
            { _, _ in
                guard exhausted.withLock({ $0 }) else { return nil }
                attempts.withLock { $0 += 1 }
                return .fail(EMFILE)
            }
        ) { port in
            // A client connects (the kernel completes the handshake) and sends its request while accept fails.
            let response = Task {
                try await rawExchange(
                    .ipv4(port), Array("GET /app/metadata HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            }
            try await Task.sleep(for: .milliseconds(500))
            let tries = attempts.withLock { $0 }
            // The accept loop does not spin: about one try per 100 ms backoff.
            #expect(tries >= 1 && tries <= 12, "\(tries) accept attempts in 500 ms")
            exhausted.withLock { $0 = false }
            let text = String(decoding: try await response.value, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200 OK"))
        }
    }
}
