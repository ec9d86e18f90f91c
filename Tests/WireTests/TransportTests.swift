import Foundation
import Glibc
import Locking
import Testing
@testable import Wire

/// A client connection driven from a test: records what it reads and how it closed.
final class TestClient: Sendable {
    let loop: EventLoop
    let received = Recorder<UInt8>()
    let closed = Recorder<String>()
    let readEOF = Recorder<Bool>()
    let failure = Recorder<String>()
    private let box = Lock<LoopBound<Connection>?>(nil)

    init(loop: EventLoop) { self.loop = loop }

    /// Connects and waits until connected (or failed).
    static func connect(
        to address: SocketAddress, on loop: EventLoop, configuration: ConnectionConfiguration = .default,
        tls: TLSContext? = nil, serverName: String? = nil,
        onConnected: (@Sendable (Connection) -> Void)? = nil
    ) async -> TestClient {
        let client = TestClient(loop: loop)
        loop.execute {
            Connection.connect(to: address, on: loop, configuration: configuration, tls: tls, serverName: serverName) {
                r in
                switch r {
                case .failure(let e):
                    client.failure.append("\(e)")
                case .success(let c):
                    c.onRead = { client.received.append(contentsOf: $0) }
                    c.onReadEOF = { client.readEOF.append(true) }
                    c.onClose = { e in client.closed.append(e.map { "\($0)" } ?? "clean") }
                    client.box.withLock { $0 = LoopBound(c, eventLoop: loop) }
                    onConnected?(c)
                }
            }
        }
        _ = await eventually { client.isConnected || client.failure.count > 0 }
        return client
    }

    var isConnected: Bool { box.withLock { $0 != nil } }

    /// Runs `body` with the connection on its loop.
    func withConnection(_ body: @escaping @Sendable (Connection) -> Void) {
        guard let b = box.withLock({ $0 }) else { return }
        loop.execute { body(b.value) }
    }
}

/// A server that echoes, with a record of accepted connections and their endings.
final class TestEchoServer: Sendable {
    let listener: Listener
    let closes: Recorder<String>
    let accepted: Recorder<Int>

    init(
        group: EventLoopGroup, address: SocketAddress = loopback,
        configuration: ListenerConfiguration = ListenerConfiguration(),
        tls: TLSContext? = nil
    ) throws {
        let closes = Recorder<String>()
        let accepted = Recorder<Int>()
        self.closes = closes
        self.accepted = accepted
        listener = try Listener(bindTo: address, group: group, configuration: configuration, tls: tls) { c in
            accepted.append(1)
            c.onRead = { [unowned c] bytes in c.write(bytes) }
            c.onClose = { e in closes.append(e.map { "\($0)" } ?? "clean") }
        }
    }
}

func pattern(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { p in
        for i in 0..<count { p[i] = UInt8(truncatingIfNeeded: i &* 7 &+ i >> 9) }
    }
    return out
}

@Suite struct TransportTests {
    @Test func echoesOverIPv4() async throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group)
        #expect(server.listener.localAddress.port != 0)
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        let payload = pattern(300_000)
        client.withConnection { $0.write(payload) }
        #expect(await eventually { client.received.count == payload.count })
        #expect(client.received.values == payload)
    }

    @Test func echoesOverIPv6Loopback() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group, address: try SocketAddress(host: "::1", port: 0))
        #expect(server.listener.localAddress.host == "::1")
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        client.withConnection { $0.write(Array("ping".utf8)) }
        #expect(await eventually { client.received.count == 4 })
    }

    @Test func echoesOverUnixSocket() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wire-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        ).path
        let server = try TestEchoServer(group: group, address: SocketAddress(unixPath: path))
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        client.withConnection { $0.write(Array("over unix".utf8)) }
        #expect(await eventually { client.received.values == Array("over unix".utf8) })
        server.listener.close()
        #expect(await eventually { !FileManager.default.fileExists(atPath: path) })
    }

    @Test func manyWritesArriveInOrder() async throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        let server = try TestEchoServer(group: group)
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        let chunks = (0..<2000).map { i in Array("chunk \(i);".utf8) }
        client.withConnection { c in for chunk in chunks { c.write(chunk) } }
        let expected = chunks.flatMap { $0 }
        #expect(await eventually { client.received.count == expected.count })
        #expect(client.received.values == expected)
    }

    @Test func connectionRefusedIsReported() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        // Bind then close a listener to find a port nobody listens on.
        let probe = try Listener(bindTo: loopback, group: group) { _ in }
        let address = probe.localAddress
        probe.close()
        try await Task.sleep(for: .milliseconds(50))
        let client = await TestClient.connect(to: address, on: group.next())
        #expect(!client.isConnected)
        #expect(client.failure.values.first?.contains("refused") == true)
    }

    @Test func reusePortLetsTwoListenersShareAPort() async throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.reusePort = true
        let first = try TestEchoServer(group: group, configuration: config)
        let port = try #require(first.listener.localAddress.port)
        let second = try TestEchoServer(
            group: group, address: try SocketAddress(host: "127.0.0.1", port: port), configuration: config)
        #expect(second.listener.localAddress.port == port)
        var clients: [TestClient] = []
        for _ in 0..<20 { clients.append(await TestClient.connect(to: first.listener.localAddress, on: group.next())) }
        #expect(await eventually { first.accepted.count + second.accepted.count == 20 })
        #expect(clients.allSatisfy { $0.isConnected })
    }

    @Test func portInUseWithoutReusePortFails() throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let first = try TestEchoServer(group: group)
        let port = try #require(first.listener.localAddress.port)
        #expect(throws: SystemError.self) {
            _ = try TestEchoServer(group: group, address: try SocketAddress(host: "127.0.0.1", port: port))
        }
    }

    @Test func readTimeoutClosesASilentConnection() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.connection.readTimeout = .milliseconds(100)
        let server = try TestEchoServer(group: group, configuration: config)
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        #expect(await eventually { server.accepted.count == 1 })
        await clock.advance(by: .milliseconds(99))
        #expect(server.closes.count == 0)
        await clock.advance(by: .milliseconds(1))
        #expect(await eventually { server.closes.values == ["\(ConnectionError.readTimeout)"] })
        #expect(await eventually { client.closed.count == 1 })
    }

    @Test func activityPostponesTheIdleTimeout() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.connection.idleTimeout = .milliseconds(800)
        let server = try TestEchoServer(group: group, configuration: config)
        let client = await TestClient.connect(to: server.listener.localAddress, on: group.next())
        // A byte every 100 ms for 1.6 s, twice the timeout: each echoed before the clock moves on.
        for i in 1...16 {
            client.withConnection { $0.write([1]) }
            #expect(await eventually { client.received.count == i })
            await clock.advance(by: .milliseconds(100))
        }
        #expect(server.closes.count == 0, "\(server.closes.values)")
        await clock.advance(by: .milliseconds(800))
        #expect(await eventually { server.closes.values == ["\(ConnectionError.idleTimeout)"] })
    }

    @Test func halfCloseLetsTheServerFinishItsReply() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.connection.allowHalfClose = true
        let gotEOF = Recorder<Bool>()
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            var request: [UInt8] = []
            c.onRead = { request.append(contentsOf: $0) }
            c.onReadEOF = { [unowned c] in
                gotEOF.append(true)
                c.write(Array("you sent \(request.count) bytes".utf8))
                c.close()
            }
        }
        var clientConfig = ConnectionConfiguration()
        clientConfig.allowHalfClose = true
        let client = await TestClient.connect(to: listener.localAddress, on: group.next(), configuration: clientConfig)
        client.withConnection { c in
            c.write(pattern(1000))
            c.shutdownWrite()
        }
        #expect(await eventually { client.received.values == Array("you sent 1000 bytes".utf8) })
        #expect(gotEOF.count == 1)
        #expect(await eventually { client.closed.values == ["clean"] })
    }

    @Test func nonReadingPeerPausesReadingInsteadOfBuffering() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.connection.writeHighWatermark = 64 * 1024
        config.connection.writeLowWatermark = 16 * 1024
        let maxPending = Lock(0)
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            c.onRead = { [unowned c] bytes in
                c.write(bytes)
                maxPending.withLock { $0 = max($0, c.pendingWriteBytes) }
            }
        }
        // The client queues 32 MiB but does not read: the server must stop reading rather than queue the
        // echo. (The client itself must not pause for its own queue here, or neither side would read.)
        var clientConfig = ConnectionConfiguration()
        clientConfig.writeHighWatermark = 64 << 20
        let client = await TestClient.connect(to: listener.localAddress, on: group.next(), configuration: clientConfig)
        let chunk = pattern(64 * 1024)
        client.withConnection { c in
            c.pauseReading()
            for _ in 0..<512 { c.write(chunk) }
        }
        #expect(await eventually { maxPending.withLock { $0 } > 0 })
        try await Task.sleep(for: .milliseconds(300))
        let peak = maxPending.withLock { $0 }
        let allowed: Int = 64 * 1024 + 4 * 65536
        #expect(peak <= allowed, "server queued \(peak) bytes")
        client.withConnection { $0.resumeReading() }
        let expectedBytes: Int = 512 * chunk.count
        #expect(await eventually(timeout: .seconds(30)) { client.received.count == expectedBytes })
        let finalPeak = maxPending.withLock { $0 }
        #expect(finalPeak <= allowed)
    }

    @Test func writeQueueLimitClosesASlowReader() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let config = oneMiBQueueCap
        let results = Recorder<Bool>()
        let closes = Recorder<String>()
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            c.onClose = { e in closes.append(e.map { "\($0)" } ?? "clean") }
            // Push 64 MiB at a peer that never reads.
            for _ in 0..<1024 {
                let ok = c.write(pattern(64 * 1024))
                results.append(ok)
                if !ok { break }
            }
        }
        let client = await TestClient.connect(to: listener.localAddress, on: group.next())
        client.withConnection { $0.pauseReading() }
        #expect(await eventually { closes.count == 1 })
        #expect(closes.values == ["\(ConnectionError.writeBufferFull)"])
        #expect(results.values.last == false)
        #expect(results.count < 1024)
    }

    @Test func oneWriteLargerThanTheQueueCapReachesAReader() async throws {
        // The cap bounds what waits behind the write being sent, not the size of one write: an 8 MiB reply to
        // a peer that reads goes through with a 1 MiB cap. (Python's Tornado has no cap at all.)
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let config = oneMiBQueueCap
        let big = pattern(8 << 20)
        let small = pattern(512 << 10)
        let results = Recorder<Bool>()
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            results.append(c.write(big))
            results.append(c.write(small))  // waits behind the 8 MiB write: within the cap
            c.close()
        }
        let client = await TestClient.connect(to: listener.localAddress, on: group.next())
        #expect(await eventually(timeout: .seconds(30)) { client.received.count == big.count + small.count })
        #expect(client.received.values == big + small)
        #expect(results.values == [true, true])
        #expect(await eventually { client.closed.values == ["clean"] })
    }

    @Test func theCapHoldsBehindTheWriteBeingSent() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let config = oneMiBQueueCap
        let results = Recorder<Bool>()
        let closes = Recorder<String>()
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            c.onClose = { e in closes.append(e.map { "\($0)" } ?? "clean") }
            results.append(c.write(pattern(8 << 20)))
            results.append(c.write(pattern(2 << 20)))  // nothing waits behind the first yet: accepted
            results.append(c.write(pattern(64 << 10)))  // 2 MiB already wait behind the first: over the cap
        }
        let client = await TestClient.connect(to: listener.localAddress, on: group.next())
        client.withConnection { $0.pauseReading() }
        #expect(await eventually { closes.count == 1 })
        #expect(closes.values == ["\(ConnectionError.writeBufferFull)"])
        #expect(results.values == [true, true, false])
    }

    @Test func aPeerThatStopsReadingIsClosedAfterTheStallTimeoutAndItsQueueFreed() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.connection.writeStallTimeout = .milliseconds(200)
        let closes = Recorder<String>()
        let pendingAtClose = Recorder<Int>()
        let server = Recorder<LoopBound<Connection>>()
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            c.onClose = { [unowned c] e in
                closes.append(e.map { "\($0)" } ?? "clean")
                pendingAtClose.append(c.pendingWriteBytes)
            }
            c.write(pattern(32 << 20))  // more than the socket buffers hold
            server.append(LoopBound(c, eventLoop: c.eventLoop))
        }
        // The client never reads: it pauses before its first read event.
        _ = await TestClient.connect(to: listener.localAddress, on: group.next()) { $0.pauseReading() }
        #expect(await eventually { server.count == 1 })
        let pending = try await pendingBytes(of: server.values[0])
        #expect(pending > 0)
        await clock.advance(by: .milliseconds(199))
        #expect(closes.count == 0)
        await clock.advance(by: .milliseconds(1))
        #expect(await eventually { closes.count == 1 })
        #expect(closes.values == ["\(ConnectionError.writeStalled)"])
        #expect(pendingAtClose.values == [0])
    }

    @Test func aSlowButSteadyReaderIsNotClosedByTheStallTimeout() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(numberOfThreads: 1, clock: clock)
        defer { group.shutdown() }
        var config = ListenerConfiguration()
        config.connection.writeStallTimeout = .seconds(2)
        let closes = Recorder<String>()
        let payload = pattern(32 << 20)
        let server = Recorder<LoopBound<Connection>>()
        let listener = try Listener(bindTo: loopback, group: group, configuration: config) { c in
            c.onClose = { e in closes.append(e.map { "\($0)" } ?? "clean") }
            c.write(payload)
            c.close()
            server.append(LoopBound(c, eventLoop: c.eventLoop))
        }
        let client = await TestClient.connect(to: listener.localAddress, on: group.next()) { $0.pauseReading() }
        #expect(await eventually { server.count == 1 })
        // Read in bursts 1.5 s apart on the loop's clock: the server makes progress within every 2 s window.
        for _ in 0..<4 {
            guard closes.values.isEmpty else { break }
            let before = try await pendingBytes(of: server.values[0])
            guard before > 0 else { break }
            client.withConnection { $0.resumeReading() }
            #expect(await eventually { ((try? pendingBytesBlocking(of: server.values[0])) ?? 0) < before })
            client.withConnection { $0.pauseReading() }
            await clock.advance(by: .milliseconds(1500))
            // (A fast reader may take everything in one burst: then the connection closed cleanly.)
            #expect(closes.values.allSatisfy { $0 == "clean" }, "\(closes.values)")
            if !closes.values.isEmpty { break }
        }
        client.withConnection { $0.resumeReading() }
        #expect(await eventually(timeout: .seconds(30)) { client.received.count == payload.count })
        #expect(await eventually { closes.values == ["clean"] })
    }

    @Test func gracefulCloseFlushesQueuedBytes() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        defer { group.shutdown() }
        let payload = pattern(4 << 20)
        let listener = try Listener(bindTo: loopback, group: group) { c in
            c.write(payload)
            c.close()
        }
        let client = await TestClient.connect(to: listener.localAddress, on: group.next())
        #expect(await eventually(timeout: .seconds(20)) { client.received.count == payload.count })
        #expect(client.received.values == payload)
        #expect(await eventually { client.closed.values == ["clean"] })
    }

    @Test func loopShutdownClosesRegisteredConnections() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1)
        let server = try TestEchoServer(group: group)
        let other = try EventLoopGroup(numberOfThreads: 1)
        defer { other.shutdown() }
        let client = await TestClient.connect(to: server.listener.localAddress, on: other.next())
        #expect(await eventually { server.accepted.count == 1 })
        group.shutdown()
        #expect(server.closes.values == ["\(ConnectionError.loopShutdown)"])
        #expect(await eventually { client.closed.count == 1 })
    }
}

/// A listener whose connections flush at 64 KiB and refuse more than 1 MiB waiting behind the write being sent.
private let oneMiBQueueCap: ListenerConfiguration = {
    var config = ListenerConfiguration()
    config.connection.writeHighWatermark = 64 * 1024
    config.connection.maxPendingWriteBytes = 1 << 20
    return config
}()

/// Bytes the server side of a connection still has to write (read on its loop).
private func pendingBytes(of connection: LoopBound<Connection>) async throws -> Int {
    try pendingBytesBlocking(of: connection)
}

private func pendingBytesBlocking(of connection: LoopBound<Connection>) throws -> Int {
    try connection.eventLoop.submitAndWait { connection.value.pendingWriteBytes }
}
