import Glibc

/// A non-blocking stream connection (TCP or Unix domain, optionally TLS) owned by one ``EventLoop``.
///
/// Set the callbacks, then ``write(_:)`` and ``close()``. Bytes arrive through ``onRead`` (decrypted when
/// TLS is on); ``onClose`` runs exactly once, with nil after a clean close or an error otherwise.
/// Writes are queued and flushed with `writev`; when more than ``ConnectionConfiguration/writeHighWatermark``
/// bytes are queued the connection stops reading until the queue drains (``isBackpressured``, ``onWritable``).
/// A peer that does not read is closed: when more than ``ConnectionConfiguration/maxPendingWriteBytes`` already
/// wait behind the write being sent (``ConnectionError/writeBufferFull``), or when nothing could be written for
/// ``ConnectionConfiguration/writeStallTimeout`` (``ConnectionError/writeStalled``). One write may be of any
/// size: a reader that keeps reading receives it whole.
///
/// - Important: everything here runs on ``eventLoop``'s thread. To reach a connection from elsewhere,
///   hop with `eventLoop.execute` and a ``LoopBound`` box.
public final class Connection: EventHandler {
    private enum State {
        case connecting
        case open
        /// Flushing queued bytes before closing.
        case closing
        case closed
    }

    public let eventLoop: EventLoop
    public let configuration: ConnectionConfiguration
    /// The peer's address (nil for unnamed Unix sockets or when unknown).
    public let remoteAddress: SocketAddress?

    /// Received bytes, in order.
    public var onRead: (([UInt8]) -> Void)?
    /// The peer shut down its sending side (only with ``ConnectionConfiguration/allowHalfClose``).
    public var onReadEOF: (() -> Void)?
    /// The write queue drained below the low watermark after reading was paused for backpressure.
    public var onWritable: (() -> Void)?
    /// The connection is gone: nil for a clean close, else why.
    public var onClose: ((ConnectionError?) -> Void)?

    private let fd: Int32
    private var state: State
    private var tls: TLSEngine?
    private var queue: [OutgoingChunk] = []
    private var queueHead = 0
    /// The unsent bytes of each queued write (one per write call: usually a whole message), oldest first.
    private var units: [Int] = []
    private var unitHead = 0
    /// When the queue last made progress (bytes written, or the queue became non-empty).
    private var writeProgressAt: UInt64 = 0
    private var stallTimer: Scheduled?
    /// Registered with the loop for a flush before it polls again; whether the queue was empty then.
    private var flushDeferredPending = false
    private var deferredFromEmpty = false
    private var headOffset = 0
    public private(set) var pendingWriteBytes = 0
    private var userPausedReading = false
    private var backpressurePaused = false
    private var readEOF = false
    private var shutdownWriteRequested = false
    private var writeShut = false
    private var registeredEvents: UInt32 = 0
    private var lastRead: UInt64
    private var lastActivity: UInt64
    private var timer: Scheduled?
    private var connectTimer: Scheduled?
    private var closeTimer: Scheduled?
    private var connectCompletion: ((Result<Connection, ConnectionError>) -> Void)?

    init(
        fd: Int32, eventLoop: EventLoop, configuration: ConnectionConfiguration, remoteAddress: SocketAddress?,
        tls: TLSEngine?, connecting: Bool
    ) {
        self.fd = fd
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.remoteAddress = remoteAddress
        self.tls = tls
        state = connecting ? .connecting : .open
        let now = eventLoop.now
        lastRead = now
        lastActivity = now
    }

    /// Registers an accepted descriptor. On failure the descriptor is closed.
    static func adopt(fd: Int32, eventLoop: EventLoop, configuration: ConnectionConfiguration, tls: TLSContext?)
        throws -> Connection
    {
        do {
            let engine = try tls.map { ctx throws(TLSError) in try TLSEngine(context: ctx, serverName: nil) }
            let remote = System.peerAddress(fd)
            let c = Connection(
                fd: fd, eventLoop: eventLoop, configuration: configuration, remoteAddress: remote,
                tls: engine, connecting: false)
            if configuration.tcpNoDelay, remote?.port != nil {
                // trap-safe: C constant
                try? System.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            }
            try c.register()
            return c
        } catch {
            System.close(fd)
            throw error
        }
    }

    /// Connects to `address`, then (with `tls`) completes the TLS handshake, then calls `completion`.
    ///
    /// - Parameters:
    ///   - serverName: the host name to verify and send as SNI (defaults to the address's host).
    ///   - timeout: gives up (``ConnectionError/connectTimeout``) after this long, handshake included.
    /// - Important: call on `eventLoop`; `completion` runs there.
    public static func connect(
        to address: SocketAddress, on eventLoop: EventLoop, configuration: ConnectionConfiguration = .default,
        tls: TLSContext? = nil, serverName: String? = nil, timeout: Duration = .seconds(10),
        completion: @escaping (Result<Connection, ConnectionError>) -> Void
    ) {
        eventLoop.assertInEventLoop()
        let fd: Int32
        // trap-safe: C constant
        do { fd = try System.socket(domain: address.family, type: Int32(SOCK_STREAM.rawValue)) } catch {
            completion(.failure(.system(error)))
            return
        }
        let engine: TLSEngine?
        do {
            engine = try tls.map { ctx throws(TLSError) in
                try TLSEngine(context: ctx, serverName: serverName ?? address.host)
            }
        } catch {
            System.close(fd)
            completion(.failure(.tls(error)))
            return
        }
        let c = Connection(
            fd: fd, eventLoop: eventLoop, configuration: configuration, remoteAddress: address, tls: engine,
            connecting: true)
        c.connectCompletion = completion
        if configuration.tcpNoDelay, address.port != nil {
            // trap-safe: C constant
            try? System.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        }
        c.connectTimer = eventLoop.scheduleLocal(in: timeout) { [weak c] in
            guard let c, c.connectCompletion != nil else { return }
            c.finish(.connectTimeout)
        }
        do {
            try c.register()
            switch try System.connect(fd, address) {
            case .processed: c.connected()
            case .wouldBlock: c.updateInterest()
            }
        } catch {
            c.finish(.system(error))
        }
    }

    // MARK: Public operations

    /// Whether the connection can still send.
    public var isOpen: Bool { state == .open && !writeShut && !shutdownWriteRequested }

    /// Whether TLS protects this connection.
    public var isTLS: Bool { tls != nil }

    /// The ALPN protocol agreed during the TLS handshake, if any.
    public var negotiatedApplicationProtocol: String? { tls?.negotiatedProtocol }

    /// Whether more than ``ConnectionConfiguration/writeHighWatermark`` bytes wait to be sent (reading is
    /// paused meanwhile); ``onWritable`` runs when the queue has drained to the low watermark.
    public var isBackpressured: Bool { backpressurePaused }

    /// Queues `bytes`. Returns false (and closes with ``ConnectionError/writeBufferFull``) when more than
    /// ``ConnectionConfiguration/maxPendingWriteBytes`` already wait behind the write being sent; false
    /// without effect when the connection is not open.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard state == .open, !writeShut, !shutdownWriteRequested else { return false }
        guard !bytes.isEmpty else { return true }
        if let tls {
            do { try tls.write(bytes) } catch {
                finish(.tls(error))
                return false
            }
            return drainTLSOutput()
        }
        return enqueue([.bytes(bytes)])
    }

    /// Queues several buffers and writes them together (one `writev` when the socket takes them). Same
    /// results as ``write(_:)``. The arrays are not copied.
    @discardableResult
    public func write(contentsOf chunks: [[UInt8]]) -> Bool {
        write(chunks: chunks.map { .bytes($0) })
    }

    /// ``write(contentsOf:)`` for chunks that may share storage with the caller.
    func write(chunks: [OutgoingChunk]) -> Bool {
        guard state == .open, !writeShut, !shutdownWriteRequested else { return false }
        if let tls {
            do { for chunk in chunks where chunk.count > 0 { try tls.write(chunk.array) } } catch {
                finish(.tls(error))
                return false
            }
            return drainTLSOutput()
        }
        return enqueue(chunks)
    }

    /// Stops delivering ``onRead`` until ``resumeReading()``.
    public func pauseReading() {
        userPausedReading = true
        updateInterest()
    }

    public func resumeReading() {
        userPausedReading = false
        updateInterest()
    }

    /// Half-close: flush queued bytes, then shut down our sending side (TLS: after close_notify).
    public func shutdownWrite() {
        guard state == .open, !shutdownWriteRequested else { return }
        shutdownWriteRequested = true
        tls?.shutdown()
        if tls != nil { _ = drainTLSOutput() }
        completeShutdownWriteIfFlushed()
    }

    /// Graceful close: flush queued bytes (TLS: after close_notify), then close. Gives up after
    /// ``ConnectionConfiguration/closeTimeout``.
    public func close() {
        switch state {
        case .connecting:
            finish(nil)
        case .open:
            tls?.shutdown()
            if tls != nil { _ = drainTLSOutput() }
            state = .closing
            if pendingWriteBytes == 0 {
                finish(nil)
            } else {
                updateInterest()
                closeTimer = eventLoop.scheduleLocal(in: configuration.closeTimeout) { [weak self] in
                    self?.finish(.closeTimeout)
                }
            }
        case .closing, .closed:
            break
        }
    }

    /// Closes at once, dropping queued bytes.
    public func abort() {
        finish(nil)
    }

    // MARK: EventHandler

    /// Sends a pending delayed TCP acknowledgement now (Linux `TCP_QUICKACK`, which the kernel re-arms).
    /// A request/reply client calls it when part of a reply arrives, so a peer that holds the rest back
    /// under Nagle's algorithm (Tornado leaves `TCP_NODELAY` off) need not wait for the delayed-ACK timer.
    package func acknowledgeNow() {
        #if os(Linux)
            guard state == .open, remoteAddress?.port != nil else { return }
            // trap-safe: C constants
            try? System.setOption(fd, level: Int32(IPPROTO_TCP), name: Int32(TCP_QUICKACK), value: 1)
        #endif
    }

    package func handleEvent(_ events: UInt32) {
        if state == .connecting {
            if events & (System.eventOut | System.eventError | System.eventHangUp) != 0 { completeConnect() }
            return
        }
        if events & System.eventOut != 0 { flush() }
        guard state != .closed else { return }
        let hangUp = events & (System.eventHangUp | System.eventError) != 0
        if events & (System.eventIn | System.eventReadHangUp) != 0 || hangUp {
            if readingEnabled || hangUp { readable(force: hangUp) }
        }
    }

    package func loopWillClose() {
        finish(.loopShutdown, deregister: false)
    }

    // MARK: Internals

    private var readingEnabled: Bool { !userPausedReading && !backpressurePaused && !readEOF && state != .connecting }

    private func register() throws(SystemError) {
        let events = desiredEvents
        try eventLoop.register(fd, events: events, handler: self)
        registeredEvents = events
        armTimeouts()
    }

    private var desiredEvents: UInt32 {
        var e: UInt32 = 0
        switch state {
        case .connecting:
            e = System.eventOut
        case .open, .closing:
            if readingEnabled && state == .open { e |= System.eventIn | System.eventReadHangUp }
            if pendingWriteBytes > 0 { e |= System.eventOut }
        case .closed:
            break
        }
        return e
    }

    private func updateInterest() {
        guard state != .closed else { return }
        let e = desiredEvents
        guard e != registeredEvents else { return }
        do {
            try eventLoop.modify(fd, events: e)
            registeredEvents = e
        } catch {
            finish(.system(error))
        }
    }

    private func completeConnect() {
        let err: Int32
        do { err = try System.getOption(fd, level: SOL_SOCKET, name: SO_ERROR) } catch {
            finish(.system(error))
            return
        }
        if err != 0 {
            finish(.system(SystemError("connect", errno: err)))
            return
        }
        connected()
    }

    private func connected() {
        state = .open
        if let tls {
            do { try tls.startHandshake() } catch {
                finish(.tls(error))
                return
            }
            _ = drainTLSOutput()
            updateInterest()
        } else {
            reportConnected()
        }
    }

    private func reportConnected() {
        guard let completion = connectCompletion else { return }
        connectCompletion = nil
        connectTimer?.cancel()
        connectTimer = nil
        updateInterest()
        armTimeouts()
        completion(.success(self))
    }

    private func readable(force: Bool) {
        let buffer = eventLoop.readBuffer
        // Replies written while the input is handled go out together, in one write, when it returns.
        for _ in 0..<Swift.max(1, configuration.maxReadsPerEvent) {
            guard state == .open || state == .closing, readingEnabled || force else { return }
            let result: IOResult<Int>
            do { result = try System.read(fd, buffer) } catch {
                finish(.system(error))
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .processed(0):
                readEOF = true
                peerClosed()
                return
            case .processed(let n):
                let now = eventLoop.now
                lastRead = now
                lastActivity = now
                if state == .closing { continue }  // discard input while flushing our close
                if let tls {
                    tls.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    let plain: (bytes: [UInt8], closed: Bool)
                    do { plain = try tls.readPlaintext(scratch: buffer) } catch {
                        _ = drainTLSOutput()  // an alert, if OpenSSL produced one
                        finish(.tls(error))
                        return
                    }
                    if connectCompletion != nil {
                        _ = drainTLSOutput()
                        if tls.isHandshakeComplete { reportConnected() }
                    } else {
                        _ = drainTLSOutput()
                    }
                    if !plain.bytes.isEmpty { onRead?(plain.bytes) }
                    if plain.closed {
                        readEOF = true
                        peerClosed()
                        return
                    }
                } else {
                    onRead?(Array(UnsafeRawBufferPointer(rebasing: buffer[0..<n])))
                }
                if n < buffer.count { return }
            }
        }
    }

    private func peerClosed() {
        if state == .closing || (connectCompletion != nil) {
            finish(connectCompletion != nil ? .system(SystemError("connect", errno: ECONNRESET)) : nil)
            return
        }
        if configuration.allowHalfClose && !writeShut {
            updateInterest()
            onReadEOF?()
            if writeShut && state == .open { finish(nil) }
        } else {
            close()
        }
    }

    /// Queues what TLS produced for one write (or a handshake step) as one write.
    private func drainTLSOutput() -> Bool {
        guard let tls else { return true }
        var records: [OutgoingChunk] = []
        while let out = tls.takeOutput() { records.append(.bytes(out)) }
        return enqueue(records)
    }

    /// Queues `chunks` as one write, of any size, unless more than ``ConnectionConfiguration/maxPendingWriteBytes``
    /// already wait behind the write being sent (the peer is not taking in what it is sent).
    private func enqueue(_ chunks: [OutgoingChunk]) -> Bool {
        guard state != .closed else { return false }
        var total = 0
        for chunk in chunks { total += chunk.count }
        guard total > 0 else { return true }
        if pendingWriteBytes > 0, pendingWriteBytes - units[unitHead] > configuration.maxPendingWriteBytes {
            finish(.writeBufferFull)
            return false
        }
        let wasEmpty = pendingWriteBytes == 0
        if wasEmpty { writeProgressAt = eventLoop.now }
        for chunk in chunks where chunk.count > 0 { queue.append(chunk) }
        units.append(total)
        pendingWriteBytes += total
        return queued(wasEmpty: wasEmpty)
    }

    /// The loop's deferred flush (see ``EventLoop/deferringWrites``).
    package func flushDeferred() {
        flushDeferredPending = false
        guard pendingWriteBytes > 0, state != .closed else { return }
        _ = queued(wasEmpty: deferredFromEmpty)
    }

    /// After bytes were queued: write now (unless a read callback is running: then when it returns), track
    /// backpressure, update the epoll interest.
    private func queued(wasEmpty: Bool) -> Bool {
        if eventLoop.deferringWrites {
            // Stop reading now (not after the flush) so that input already read is not answered beyond the
            // high watermark within this iteration; ``onWritable`` follows when the queue drains.
            if pendingWriteBytes > configuration.writeHighWatermark && !backpressurePaused { backpressurePaused = true }
            // Flushed with the loop's other writes before it polls again (one write for everything queued).
            if !flushDeferredPending {
                flushDeferredPending = true
                deferredFromEmpty = wasEmpty
                eventLoop.deferFlush(self)
            }
            return true
        }
        if wasEmpty { flush() }
        if state != .closed && pendingWriteBytes > configuration.writeHighWatermark && !backpressurePaused {
            backpressurePaused = true
        }
        updateInterest()
        return state != .closed
    }

    /// Writes as much of the queue as the socket takes, up to 16 buffers per `writev`.
    private func flush() {
        while pendingWriteBytes > 0 && state != .closed {
            let end = Swift.min(queue.count, queueHead + 16)
            var iov: [iovec] = []
            iov.reserveCapacity(end - queueHead)
            let result: IOResult<Int>
            do { result = try withIOVecs(from: queueHead, to: end, &iov) } catch {
                finish(.system(error))
                return
            }
            guard case .processed(var written) = result else { break }
            lastActivity = eventLoop.now
            if written > 0 { writeProgressAt = lastActivity }
            pendingWriteBytes -= written
            consumeUnits(written)
            while written > 0 {
                let remaining = queue[queueHead].count - headOffset
                if written >= remaining {
                    written -= remaining
                    queue[queueHead] = .bytes([])
                    queueHead += 1
                    headOffset = 0
                } else {
                    headOffset += written
                    written = 0
                }
            }
        }
        if queueHead > 0 && (queueHead == queue.count || queueHead >= 64) {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        if unitHead > 0 && (unitHead == units.count || unitHead >= 64) {
            units.removeFirst(unitHead)
            unitHead = 0
        }
        guard state != .closed else { return }
        if pendingWriteBytes > 0 { armStallTimer() }
        if backpressurePaused && pendingWriteBytes <= configuration.writeLowWatermark {
            backpressurePaused = false
            onWritable?()
        }
        if pendingWriteBytes == 0 {
            if state == .closing {
                finish(nil)
                return
            }
            completeShutdownWriteIfFlushed()
        }
        updateInterest()
    }

    /// Takes `written` bytes off the per-write counts.
    private func consumeUnits(_ written: Int) {
        var left = written
        while left > 0 && unitHead < units.count {
            let remaining = units[unitHead]
            if left >= remaining {
                left -= remaining
                unitHead += 1
            } else {
                units[unitHead] = remaining - left
                left = 0
            }
        }
    }

    /// While bytes wait, checks that some were written within ``ConnectionConfiguration/writeStallTimeout``.
    private func armStallTimer() {
        guard stallTimer == nil, let limit = configuration.writeStallTimeout?.nanoseconds else { return }
        let now = eventLoop.now
        let due = writeProgressAt &+ limit
        stallTimer = eventLoop.scheduleLocal(in: .nanoseconds(Int64(clamping: due > now ? due - now : 0))) {
            [weak self] in self?.checkStall()
        }
    }

    private func checkStall() {
        stallTimer = nil
        guard state == .open || state == .closing, pendingWriteBytes > 0,
            let limit = configuration.writeStallTimeout?.nanoseconds
        else { return }
        if eventLoop.now &- writeProgressAt >= limit { return finish(.writeStalled) }
        armStallTimer()
    }

    private func withIOVecs(from i: Int, to end: Int, _ iov: inout [iovec]) throws(SystemError) -> IOResult<Int> {
        if i == end {
            return try iov.withUnsafeBufferPointer { p throws(SystemError) in
                p.count == 1
                    ? try System.send(fd, UnsafeRawBufferPointer(start: p[0].iov_base, count: p[0].iov_len))
                    : try System.sendv(fd, p)
            }
        }
        let skip = i == queueHead ? headOffset : 0
        let result = queue[i].withUnsafeBytes { raw -> Result<IOResult<Int>, SystemError> in
            guard let base = raw.baseAddress else { return .success(.processed(0)) }
            iov.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + skip), iov_len: raw.count - skip))
            return Result { () throws(SystemError) in try withIOVecs(from: i + 1, to: end, &iov) }
        }
        return try result.get()
    }

    private func completeShutdownWriteIfFlushed() {
        guard shutdownWriteRequested, !writeShut, pendingWriteBytes == 0 else { return }
        writeShut = true
        // trap-safe: C constant
        System.shutdown(fd, how: Int32(SHUT_WR))
        if readEOF { finish(nil) }
    }

    private func armTimeouts() {
        guard state == .open, timer == nil else { return }
        let limits = [configuration.readTimeout, configuration.idleTimeout].compactMap { $0?.nanoseconds }
        guard let shortest = limits.min() else { return }
        timer = eventLoop.scheduleLocal(in: .nanoseconds(Int64(clamping: shortest))) { [weak self] in
            self?.checkTimeouts()
        }
    }

    private func checkTimeouts() {
        timer = nil
        guard state == .open || state == .closing else { return }
        let now = eventLoop.now
        var next = UInt64.max
        if let r = configuration.readTimeout?.nanoseconds {
            let due = lastRead &+ r
            if due <= now { return finish(.readTimeout) }
            next = Swift.min(next, due - now)
        }
        if let i = configuration.idleTimeout?.nanoseconds {
            let due = lastActivity &+ i
            if due <= now { return finish(.idleTimeout) }
            next = Swift.min(next, due - now)
        }
        if next != .max {
            timer = eventLoop.scheduleLocal(in: .nanoseconds(Int64(clamping: next))) { [weak self] in
                self?.checkTimeouts()
            }
        }
    }

    /// Closes the descriptor and reports once.
    private func finish(_ error: ConnectionError?, deregister: Bool = true) {
        guard state != .closed else { return }
        state = .closed
        timer?.cancel()
        connectTimer?.cancel()
        closeTimer?.cancel()
        stallTimer?.cancel()
        timer = nil
        connectTimer = nil
        closeTimer = nil
        stallTimer = nil
        if deregister { eventLoop.deregister(fd) }
        System.close(fd)
        queue = []
        queueHead = 0
        units = []
        unitHead = 0
        pendingWriteBytes = 0
        tls = nil
        let connect = connectCompletion
        let close = onClose
        connectCompletion = nil
        onRead = nil
        onReadEOF = nil
        onWritable = nil
        onClose = nil
        if let connect {
            connect(.failure(error ?? .system(SystemError("connect", errno: ECONNREFUSED))))
        } else {
            close?(error)
        }
    }
}

@available(*, unavailable)
extension Connection: Sendable {}
