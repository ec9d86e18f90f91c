// One epoll loop on the calling thread driving many client WebSockets that speak the Bokeh protocol.
//
// Frames are decoded in place from the loop's read buffer: a frame that arrived whole is handed on as a
// pointer into that buffer, and only the parts of split frames that a scenario needs are copied. Payloads
// nobody reads (metadata, big binary buffers) are only counted.
import Foundation
import Glibc
import Wire

struct LoadGenError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    static let hardTimeout = LoadGenError("hard timeout")
}

/// What a connection keeps of message contents.
enum ContentPolicy {
    /// Nothing beyond the header fields.
    case skip
    /// The content frame of every message (patch: ids and status text).
    case keep
    /// PATCH-DOC contents are scanned for the `y` column and y[0] is read from its buffer (fanout).
    case streamScan
    /// Everything: header, metadata, content and buffer ids and sizes (dump).
    case all
}

/// The Bokeh message a connection has just received completely. Only fields its policy asks for are set.
struct BokehMessage {
    var msgtype = ""
    var reqid: String?
    var numBuffers = 0
    var nbytes = 0
    var tFirst = 0.0
    var tDone = 0.0
    var header: [UInt8] = []
    var metadata: [UInt8] = []
    var content: [UInt8] = []
    var buffers: [(id: String, length: Int)] = []
    var bufferCount = 0
    /// y[0] of a ColumnsStreamed PATCH-DOC (streamScan only).
    var streamTimestamp: Double?
}

final class Conn {
    enum State { case connecting, upgrading, open, closing, closed }
    private enum Part { case header, metadata, content, bufferHeader, bufferPayload }

    let fd: Int32
    let sessionID: String
    unowned let loop: Loop
    private(set) var state = State.connecting
    var policy: ContentPolicy
    /// Operation deadline (monotonic seconds; 0 = none). When it passes the connection fails with "timeout".
    var deadline = 0.0
    var lastReceive = 0.0
    /// Scenario slot (index into the scenario's arrays).
    var tag = 0

    var onOpen: ((Conn) -> Void)?
    var onMessage: ((Conn, inout BokehMessage) -> Void)?
    /// Called once, when the socket is gone: nil after a clean close we started, else the reason.
    var onClose: ((Conn, String?) -> Void)?

    private var request: [UInt8]
    /// `sec-websocket-accept: <value>` in lower case, as looked for in the lower-cased response head.
    private let expectedAccept: [UInt8]
    private static let switching = Array("HTTP/1.1 101".utf8)
    private static let bokehProtocol = Array("sec-websocket-protocol: bokeh".utf8)
    private var response: [UInt8] = []
    private var out: [UInt8] = []
    private var outOffset = 0
    private var watchingOut = true

    // Frame decoder.
    private var pendingHeader: [UInt8] = []
    private var inFrame = false
    private var frameRemaining = 0
    private var frameOpcode: UInt8 = 0
    private var frameFin = false
    private var control: [UInt8] = []
    // Current WebSocket message (possibly fragmented).
    private var messageIsText = false
    private var messageKeep = 0
    private var messageLength = 0
    private var kept: [UInt8] = []
    // Current Bokeh message.
    private var part = Part.header
    private var message = BokehMessage()
    private var buffersLeft = 0
    private var yBufferID: [UInt8] = []
    private var currentBufferID: [UInt8] = []

    init(loop: Loop, fd: Int32, sessionID: String, request: [UInt8], acceptKey: String, policy: ContentPolicy) {
        self.loop = loop
        self.fd = fd
        self.sessionID = sessionID
        self.request = request
        expectedAccept = Array("sec-websocket-accept: \(acceptKey)".utf8).map {
            $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0
        }
        self.policy = policy
    }

    // MARK: Sending

    /// Sends a Bokeh message (header, `{}` metadata, content) as three masked text frames in one write.
    /// Returns the msgid.
    @discardableResult
    func send(msgtype: String, content: String, reqid: String? = nil) -> String {
        let msgid = loop.nextMessageID()
        var header = #"{"msgid": "\#(msgid)", "msgtype": "\#(msgtype)""#
        if let reqid { header += #", "reqid": "\#(reqid)""# }
        header += "}"
        var frames: [UInt8] = []
        frames.reserveCapacity(header.utf8.count + content.utf8.count + 40)
        ClientFrame.append(opcode: ClientFrame.text, text: header, key: loop.maskKey(), to: &frames)
        ClientFrame.append(opcode: ClientFrame.text, text: "{}", key: loop.maskKey(), to: &frames)
        ClientFrame.append(opcode: ClientFrame.text, text: content, key: loop.maskKey(), to: &frames)
        write(frames)
        return msgid
    }

    private func write(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        if out.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n == bytes.count { return }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                fail("write: \(String(cString: strerror(errno)))")
                return
            }
            out.append(contentsOf: bytes[Swift.max(0, n)...])
            outOffset = 0
        } else {
            out.append(contentsOf: bytes)
        }
        watch(out: true)
    }

    private func flush() {
        while outOffset < out.count {
            let n = out.withUnsafeBytes { p in
                Glibc.write(fd, UnsafeRawBufferPointer(rebasing: p[outOffset...]).baseAddress, p.count - outOffset)
            }
            if n > 0 {
                outOffset += n
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                fail("write: \(String(cString: strerror(errno)))")
                return
            }
        }
        out.removeAll(keepingCapacity: false)
        outOffset = 0
        watch(out: false)
    }

    private func watch(out: Bool) {
        guard watchingOut != out, state != .closed else { return }
        watchingOut = out
        let events = System.eventIn | System.eventReadHangUp | Loop.edgeTriggered | (out ? System.eventOut : 0)
        try? System.epollControl(loop.epfd, .modify, fd, events: events)
    }

    /// Starts the closing handshake (close 1000); `onClose(nil)` follows when the server answers, the
    /// socket ends, or after 2 s.
    func close() {
        switch state {
        case .open:
            state = .closing
            var frame: [UInt8] = []
            let code: [UInt8] = [0x03, 0xE8]
            code.withUnsafeBytes {
                ClientFrame.append(opcode: ClientFrame.close, payload: $0, key: loop.maskKey(), to: &frame)
            }
            write(frame)
            deadline = monotonicNow() + 2.0
        case .connecting, .upgrading:
            teardown(reason: nil)
        case .closing, .closed:
            break
        }
    }

    /// Drops the connection with an error.
    func fail(_ reason: String) {
        teardown(reason: reason)
    }

    private func teardown(reason: String?) {
        guard state != .closed else { return }
        let wasClosing = state == .closing
        state = .closed
        loop.remove(self)
        let cb = onClose
        onClose = nil
        onMessage = nil
        onOpen = nil
        cb?(self, wasClosing && reason == nil ? nil : (reason ?? "connection closed"))
    }

    // MARK: Events

    func handle(_ events: UInt32) {
        if state == .connecting {
            guard events & (System.eventOut | System.eventError | System.eventHangUp) != 0 else { return }
            let err = (try? System.getOption(fd, level: SOL_SOCKET, name: SO_ERROR)) ?? EIO
            guard err == 0 else {
                fail("connect: \(String(cString: strerror(err)))")
                return
            }
            state = .upgrading
            let req = request
            request = []
            out = []
            watchingOut = true
            write(req)
            if out.isEmpty { watch(out: false) }
            return
        }
        if events & System.eventOut != 0 {
            flush()
            if state == .closed { return }
        }
        if events & (System.eventIn | System.eventHangUp | System.eventError | System.eventReadHangUp) != 0 {
            readAvailable()
        }
    }

    /// Reads until the socket is drained (a short read or EAGAIN): the loop is edge-triggered.
    private func readAvailable() {
        let buffer = loop.readBuffer
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                lastReceive = loop.now
                received(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                if state == .closed || n < buffer.count { return }
            } else if n == 0 {
                teardown(reason: state == .closing ? nil : "connection closed by the server")
                return
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK {
                    teardown(reason: state == .closing ? nil : "read: \(String(cString: strerror(errno)))")
                }
                return
            }
        }
    }

    private func received(_ data: UnsafeRawBufferPointer) {
        if state == .upgrading {
            response.append(contentsOf: data)
            guard let end = ByteScan.findEnd(ofHead: response) else {
                if response.count > 64 * 1024 { fail("handshake response too large") }
                return
            }
            // Header names and the accept value compared in lower case, bytes only (no Foundation strings).
            var head = Array(response[..<end])
            let rest = Array(response[end...])
            response = []
            guard head.starts(with: Self.switching) else {
                let line = head.prefix { $0 != 0x0D }
                fail("server rejected WebSocket connection: \(String(decoding: line, as: UTF8.self))")
                return
            }
            for j in head.indices where head[j] >= 0x41 && head[j] <= 0x5A { head[j] |= 0x20 }
            let ok = head.withUnsafeBytes { h in
                ByteScan.find(expectedAccept, in: h) != nil && ByteScan.find(Self.bokehProtocol, in: h) != nil
            }
            guard ok else {
                fail("invalid Sec-WebSocket-Accept or no bokeh subprotocol in the handshake response")
                return
            }
            state = .open
            onOpen?(self)
            if !rest.isEmpty, state != .closed { rest.withUnsafeBytes { decode($0) } }
            return
        }
        decode(data)
    }

    // MARK: Frame decoding

    private func decode(_ data: UnsafeRawBufferPointer) {
        var i = 0
        let n = data.count
        while i < n, state != .closed {
            if !inFrame {
                if pendingHeader.isEmpty {
                    switch Self.frameHeader(UnsafeRawBufferPointer(rebasing: data[i..<n])) {
                    case .incomplete:
                        pendingHeader.append(contentsOf: data[i..<n])
                        return
                    case .invalid(let why):
                        fail(why)
                        return
                    case .header(let length, let fin, let opcode, let payload):
                        i += length
                        // Fast path: a whole single-frame data message inside this read.
                        if fin, opcode != 0, opcode < 8, payload <= n - i {
                            messageIsText = opcode == 1
                            messageKeep = keepLimit()
                            messageLength = payload
                            kept.removeAll(keepingCapacity: true)
                            let body = UnsafeRawBufferPointer(rebasing: data[i..<(i + Swift.min(payload, messageKeep))])
                            i += payload
                            dataMessage(body)
                            continue
                        }
                        if !beginFrame(fin: fin, opcode: opcode, payload: payload) { return }
                    }
                } else {
                    // A header split across reads: take bytes until it is complete (at most 14).
                    pendingHeader.append(data[i])
                    i += 1
                    let parsed = pendingHeader.withUnsafeBytes { Self.frameHeader($0) }
                    switch parsed {
                    case .incomplete: continue
                    case .invalid(let why):
                        fail(why)
                        return
                    case .header(_, let fin, let opcode, let payload):
                        pendingHeader.removeAll(keepingCapacity: true)
                        if !beginFrame(fin: fin, opcode: opcode, payload: payload) { return }
                    }
                }
            } else {
                let take = Swift.min(frameRemaining, n - i)
                framePayload(UnsafeRawBufferPointer(rebasing: data[i..<(i + take)]))
                i += take
                frameRemaining -= take
                if frameRemaining == 0 { endFrame() }
            }
        }
    }

    private enum FrameHeader {
        case incomplete
        case invalid(String)
        case header(length: Int, fin: Bool, opcode: UInt8, payload: Int)
    }

    private static func frameHeader(_ p: UnsafeRawBufferPointer) -> FrameHeader {
        guard p.count >= 2 else { return .incomplete }
        let b0 = p[0], b1 = p[1]
        let opcode = b0 & 0x0F
        guard b0 & 0x70 == 0 else { return .invalid("server frame with reserved bits set") }
        guard [0, 1, 2, 8, 9, 10].contains(opcode) else { return .invalid("reserved opcode \(opcode)") }
        guard b1 & 0x80 == 0 else { return .invalid("server frame is masked") }
        let len7 = Int(b1 & 0x7F)
        if len7 < 126 { return .header(length: 2, fin: b0 & 0x80 != 0, opcode: opcode, payload: len7) }
        if len7 == 126 {
            guard p.count >= 4 else { return .incomplete }
            return .header(length: 4, fin: b0 & 0x80 != 0, opcode: opcode, payload: Int(p[2]) << 8 | Int(p[3]))
        }
        guard p.count >= 10 else { return .incomplete }
        var l: UInt64 = 0
        for j in 2..<10 { l = l << 8 | UInt64(p[j]) }
        guard l < 1 << 40 else { return .invalid("frame length \(l) too large") }
        return .header(length: 10, fin: b0 & 0x80 != 0, opcode: opcode, payload: Int(l))
    }

    /// Starts a frame whose payload arrives over later reads. False when the connection failed.
    private func beginFrame(fin: Bool, opcode: UInt8, payload: Int) -> Bool {
        inFrame = true
        frameFin = fin
        frameOpcode = opcode
        frameRemaining = payload
        if opcode >= 8 {
            guard fin, payload <= 125 else {
                fail("invalid control frame")
                return false
            }
            control.removeAll(keepingCapacity: true)
        } else if opcode == 0 {
            // Continuation: same message, same keep limit.
        } else {
            messageIsText = opcode == 1
            messageKeep = keepLimit()
            messageLength = 0
            kept.removeAll(keepingCapacity: true)
        }
        if payload == 0 { endFrame() }
        return state != .closed
    }

    private func framePayload(_ p: UnsafeRawBufferPointer) {
        if frameOpcode >= 8 {
            control.append(contentsOf: p)
            return
        }
        messageLength += p.count
        let room = messageKeep - kept.count
        if room > 0 { kept.append(contentsOf: p.prefix(room)) }
    }

    private func endFrame() {
        inFrame = false
        switch frameOpcode {
        case 8:
            // Server close: answer (unless we started it) and drop the socket.
            if state == .open {
                var frame: [UInt8] = []
                let code = Array(control.prefix(2))
                code.withUnsafeBytes {
                    ClientFrame.append(opcode: ClientFrame.close, payload: $0, key: loop.maskKey(), to: &frame)
                }
                write(frame)
                let c = control.count >= 2 ? Int(control[0]) << 8 | Int(control[1]) : 1005
                teardown(reason: "server closed the connection (code \(c))")
            } else {
                teardown(reason: nil)
            }
        case 9:
            var frame: [UInt8] = []
            control.withUnsafeBytes {
                ClientFrame.append(opcode: ClientFrame.pong, payload: $0, key: loop.maskKey(), to: &frame)
            }
            write(frame)
        case 10:
            break
        default:
            if frameFin { kept.withUnsafeBytes { dataMessage($0) } }
        }
    }

    // MARK: Bokeh message assembly

    /// How many payload bytes of the next WebSocket message the current Bokeh part needs.
    private func keepLimit() -> Int {
        switch part {
        case .header: return Int.max
        case .metadata: return policy == .all ? Int.max : 0
        case .content: return policy == .skip ? 0 : Int.max
        case .bufferHeader: return policy == .all || !yBufferID.isEmpty ? 4096 : 0
        case .bufferPayload:
            return policy == .streamScan && !yBufferID.isEmpty && currentBufferID == yBufferID ? 8 : 0
        }
    }

    /// One complete WebSocket data message (`messageIsText`, `messageLength`); `body` holds its first
    /// `messageKeep` bytes.
    private func dataMessage(_ body: UnsafeRawBufferPointer) {
        guard state == .open || state == .closing else { return }
        let length = messageLength
        switch part {
        case .header:
            guard messageIsText else {
                fail("expected three text frames (header, metadata, content)")
                return
            }
            message = BokehMessage()
            // fanout reads the wall clock itself; skip the per-message monotonic reads there.
            if policy != .streamScan { message.tFirst = monotonicNow() }
            message.nbytes = length
            guard let msgtype = ByteScan.string("\"msgtype\"", in: body) else {
                fail("message header without msgtype: \(String(decoding: body.prefix(200), as: UTF8.self))")
                return
            }
            message.msgtype = msgtype
            message.reqid = ByteScan.string("\"reqid\"", in: body)
            message.numBuffers = ByteScan.int("\"num_buffers\"", in: body) ?? 0
            if policy == .all { message.header = Array(body) }
            part = .metadata
        case .metadata:
            guard messageIsText else {
                fail("expected three text frames (header, metadata, content)")
                return
            }
            message.nbytes += length
            if policy == .all { message.metadata = Array(body) }
            part = .content
        case .content:
            guard messageIsText else {
                fail("expected three text frames (header, metadata, content)")
                return
            }
            message.nbytes += length
            yBufferID.removeAll(keepingCapacity: true)
            switch policy {
            case .skip: break
            case .keep, .all: message.content = Array(body)
            case .streamScan:
                if message.msgtype == "PATCH-DOC", let r = ByteScan.streamedYBufferID(in: body) {
                    yBufferID.append(contentsOf: body[r])
                }
            }
            buffersLeft = message.numBuffers
            if buffersLeft == 0 { complete() } else { part = .bufferHeader }
        case .bufferHeader:
            guard messageIsText else {
                fail("expected buffer header text frame + binary payload frame")
                return
            }
            message.nbytes += length
            currentBufferID.removeAll(keepingCapacity: true)
            if let r = ByteScan.stringRange("\"id\"", in: body) { currentBufferID.append(contentsOf: body[r]) }
            part = .bufferPayload
        case .bufferPayload:
            guard !messageIsText else {
                fail("expected buffer header text frame + binary payload frame")
                return
            }
            message.nbytes += length
            message.bufferCount += 1
            if policy == .all {
                message.buffers.append((String(decoding: currentBufferID, as: UTF8.self), length))
            } else if !yBufferID.isEmpty, currentBufferID == yBufferID, body.count >= 8 {
                message.streamTimestamp = Double(bitPattern: UInt64(littleEndian: body.loadUnaligned(as: UInt64.self)))
            }
            buffersLeft -= 1
            if buffersLeft <= 0 { complete() } else { part = .bufferHeader }
        }
    }

    private func complete() {
        part = .header
        if policy != .streamScan { message.tDone = monotonicNow() }
        if state == .open { onMessage?(self, &message) }
    }
}

extension ByteScan {
    /// Offset just past the `\r\n\r\n` ending an HTTP head.
    static func findEnd(ofHead bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { p in find("\r\n\r\n", in: p).map { $0 + 4 } }
    }
}

/// The epoll loop. Everything runs on the thread that calls ``run(until:)``.
final class Loop {
    /// `EPOLLET`. Edge-triggered readiness saves the kernel re-polling every socket that was read on each
    /// `epoll_wait` (a fifth of the kernel time with 20,000 streaming sockets); Wire's `System` has no name for it.
    static let edgeTriggered: UInt32 = 1 << 31
    let epfd: Int32
    let readBuffer: UnsafeMutableRawBufferPointer
    private var conns: [Conn?] = []
    private(set) var active = 0
    private let events = System.EventBuffer(capacity: 1024)
    private var rng: FastRandom
    private var messageCounter = 0
    private let pid = getpid()
    let target: Target
    /// Past it, ``run(until:deadline:)`` throws ``LoadGenError/hardTimeout``.
    var hardDeadline = Double.infinity
    /// Refreshed once per loop turn.
    private(set) var now = monotonicNow()
    private var nextSweep = 0.0
    /// Called about every 100 ms with the current time (fanout's receive timeouts).
    var onSweep: ((Double) -> Void)?
    /// Work deferred to the next loop turn (keeps completion chains off the stack).
    private var deferred: [() -> Void] = []

    init(target: Target, readBufferSize: Int = 4 << 20) throws {
        epfd = try System.epollCreate()
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 64)
        self.target = target
        var seed = SystemRandomNumberGenerator()
        rng = FastRandom(seed: seed.next())
    }

    deinit {
        readBuffer.deallocate()
        events.deallocate()
        Glibc.close(epfd)
    }

    func maskKey() -> UInt32 { UInt32(truncatingIfNeeded: rng.next()) }

    func nextMessageID() -> String {
        messageCounter += 1
        return "lg\(pid)_\(messageCounter)"
    }

    func newSessionID() -> String { SessionID.make(using: &rng) }

    /// Starts connecting a WebSocket to the target with session `sessionID` and query `args`.
    func connect(sessionID: String, args: [(String, String)], policy: ContentPolicy) throws(LoadGenError) -> Conn {
        let fd = Glibc.socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoadGenError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(target.port).bigEndian)
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 && errno != EINPROGRESS {
            let e = errno
            Glibc.close(fd)
            throw LoadGenError("connect: \(String(cString: strerror(e)))")
        }
        let key = WebSocketHandshake.generateKey(using: &rng)
        let token = SessionToken.make(sessionID: sessionID, expiry: Int(wallNow()) + 300)
        let request = """
            GET \(target.wsPath(args)) HTTP/1.1\r
            Host: \(target.host)\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: \(key)\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Protocol: bokeh, \(token)\r
            Origin: \(target.origin)\r
            User-Agent: bokeh-loadgen\r
            \r

            """
        let conn = Conn(
            loop: self, fd: fd, sessionID: sessionID, request: Array(request.utf8),
            acceptKey: WebSocketHandshake.acceptValue(forKey: key), policy: policy)
        if Int(fd) >= conns.count { conns.append(contentsOf: repeatElement(nil, count: Int(fd) + 1024 - conns.count)) }
        conns[Int(fd)] = conn
        active += 1
        do {
            try System.epollControl(
                epfd, .add, fd, events: System.eventIn | System.eventOut | System.eventReadHangUp | Loop.edgeTriggered)
        } catch {
            conns[Int(fd)] = nil
            active -= 1
            Glibc.close(fd)
            throw LoadGenError("epoll_ctl: \(error)")
        }
        return conn
    }

    /// Forgets and closes `conn`'s socket (called by the connection itself).
    func remove(_ conn: Conn) {
        let fd = Int(conn.fd)
        guard fd < conns.count, conns[fd] === conn else { return }
        try? System.epollControl(epfd, .delete, conn.fd, events: 0)
        conns[fd] = nil
        active -= 1
        Glibc.close(conn.fd)
    }

    /// Runs `task` on the next loop turn.
    func later(_ task: @escaping () -> Void) { deferred.append(task) }

    /// Runs the loop until `done()` holds (true) or `deadline` passes (false).
    @discardableResult
    func run(until done: () -> Bool, deadline: Double = .infinity) throws(LoadGenError) -> Bool {
        while true {
            now = monotonicNow()
            while !deferred.isEmpty {
                let tasks = deferred
                deferred.removeAll()
                for t in tasks { t() }
            }
            if done() { return true }
            if now >= hardDeadline { throw .hardTimeout }
            if now >= deadline { return false }
            if now >= nextSweep {
                nextSweep = now + 0.1
                sweep()
                if done() { return true }
            }
            let wait = deferred.isEmpty ? Swift.min(deadline, hardDeadline, nextSweep) - now : 0
            let ms = Int32(clamping: Int(Swift.max(0, wait * 1000).rounded(.up)))
            let n: Int
            do { n = try System.epollWait(epfd, events, timeoutMilliseconds: ms) } catch {
                throw LoadGenError("\(error)")
            }
            if n > 0 { now = monotonicNow() }
            for i in 0..<n {
                let (fd, mask) = events[i]
                if Int(fd) < conns.count, let c = conns[Int(fd)] { c.handle(mask) }
            }
        }
    }

    /// Runs the loop for `seconds`.
    func run(for seconds: Double) throws(LoadGenError) {
        let end = monotonicNow() + seconds
        try run(until: { false }, deadline: end)
    }

    /// Fails connections whose operation deadline passed.
    private func sweep() {
        for case let c? in conns where c.deadline > 0 && now > c.deadline {
            c.deadline = 0
            if c.state == .closing { c.fail("close timeout") } else { c.fail("TimeoutError()") }
        }
        onSweep?(now)
    }
}

/// The server under test: only 127.0.0.1 (loadgen.py's `Target`).
struct Target {
    let port: Int
    let appPath: String
    let host: String
    let origin: String

    init(url: String) throws(LoadGenError) {
        guard let comps = URLComponents(string: url), let scheme = comps.scheme, ["http", "ws"].contains(scheme) else {
            throw LoadGenError("--url must be http://127.0.0.1:PORT/APP or ws://127.0.0.1:PORT/APP[/ws]")
        }
        guard comps.host == "127.0.0.1" else {
            throw LoadGenError("refusing to target '\(comps.host ?? "")'; only 127.0.0.1 is allowed")
        }
        port = comps.port ?? 80
        var path = comps.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/ws") { path.removeLast(3) }
        appPath = path
        host = "127.0.0.1:\(port)"
        origin = "http://\(host)"
    }

    func wsPath(_ args: [(String, String)]) -> String {
        let q = args.isEmpty ? "" : "?" + args.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return "\(appPath)/ws\(q)"
    }
}
