import CEpoll
import Glibc
import Locking
import Synchronization

/// A failed system call: the function's name and `errno`.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    public let function: String
    public let errno: Int32

    public init(_ function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    public var description: String { "\(function): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// The outcome of a non-blocking call: done, or it would have blocked (`EAGAIN`/`EWOULDBLOCK`).
package enum IOResult<T> {
    case processed(T)
    case wouldBlock
}

extension IOResult: Sendable where T: Sendable {}
extension IOResult: Equatable where T: Equatable {}

/// Every system call of the transport goes through here.
///
/// ``syscall(_:_:)`` retries `EINTR` and reports `EAGAIN` as ``IOResult/wouldBlock`` instead of an error,
/// so callers see only real failures as ``SystemError``. Transport code calls these static functions and
/// never Glibc directly, so this enum is the single seam between the event loop and the kernel.
package enum System {
    /// Runs `body` until it does not fail with `EINTR`. A negative result with `EAGAIN`/`EWOULDBLOCK`
    /// becomes ``IOResult/wouldBlock``; any other negative result throws.
    @inline(__always)
    package static func syscall<T: FixedWidthInteger>(_ function: String, _ body: () -> T) throws(SystemError)
        -> IOResult<T>
    {
        while true {
            let rc = body()
            if rc >= 0 { return .processed(rc) }
            let e = Glibc.errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw SystemError(function, errno: e)
        }
    }

    /// As ``syscall(_:_:)`` for calls that never legitimately block (socket, bind, epoll_ctl, ...).
    @inline(__always)
    package static func call<T: FixedWidthInteger>(_ function: String, _ body: () -> T) throws(SystemError) -> T {
        switch try syscall(function, body) {
        case .processed(let v): return v
        case .wouldBlock: throw SystemError(function, errno: EAGAIN)
        }
    }

    /// Hands free heap pages back to the kernel. glibc keeps freed memory for reuse, so without this a
    /// server's resident size stays at the most sessions it ever held at once.
    package static func releaseFreedMemory() {
        _ = CEpoll_malloc_trim()
    }

    package static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int>
    {
        var buffer = buffer
        if let fault = injectedFault(.read, fd) {
            switch fault {
            case .fail(let e): return try failed("read", e)
            case .short(let n): buffer = UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(max(1, n)))
            }
        }
        return try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    static func writev(_ fd: Int32, _ iov: UnsafeBufferPointer<iovec>) throws(SystemError) -> IOResult<Int> {
        // trap-safe: at most 16 vectors per call
        try syscall("writev") { Glibc.writev(fd, iov.baseAddress, Int32(iov.count)) }
    }

    /// `writev` for sockets, without SIGPIPE when the peer is gone (EPIPE is returned instead).
    static func sendv(_ fd: Int32, _ iov: UnsafeBufferPointer<iovec>) throws(SystemError) -> IOResult<Int> {
        if let fault = injectedFault(.write, fd) {
            switch fault {
            case .fail(let e): return try failed("sendmsg", e)
            case .short(let n):
                // A short write: at most n bytes, from the first vector.
                guard let first = iov.first else { break }
                return try sendNow(
                    fd, UnsafeRawBufferPointer(start: first.iov_base, count: min(max(1, n), first.iov_len)))
            }
        }
        return try syscall("sendmsg") {
            var header = msghdr()
            header.msg_iov = UnsafeMutablePointer(mutating: iov.baseAddress)
            header.msg_iovlen = iov.count
            // trap-safe: C constant
            return Glibc.sendmsg(fd, &header, Int32(MSG_NOSIGNAL))
        }
    }

    /// `write` for sockets, without SIGPIPE when the peer is gone.
    static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        var buffer = buffer
        if let fault = injectedFault(.write, fd) {
            switch fault {
            case .fail(let e): return try failed("send", e)
            case .short(let n): buffer = UnsafeRawBufferPointer(rebasing: buffer.prefix(max(1, n)))
            }
        }
        return try sendNow(fd, buffer)
    }

    private static func sendNow(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        // trap-safe: C constant
        try syscall("send") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    package static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try syscall("write") { Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }

    package static func socket(domain: Int32, type: Int32) throws(SystemError) -> Int32 {
        try call("socket") {
            // trap-safe: C constants
            Glibc.socket(domain, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
    }

    package static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(SystemError) {
        var v = value
        _ = try call("setsockopt") { Glibc.setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    package static func getOption(_ fd: Int32, level: Int32, name: Int32) throws(SystemError) -> Int32 {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = try call("getsockopt") { Glibc.getsockopt(fd, level, name, &v, &len) }
        return v
    }

    package static func bind(_ fd: Int32, _ address: SocketAddress) throws(SystemError) {
        _ = try address.withSockAddr { (p, len) throws(SystemError) in try call("bind") { Glibc.bind(fd, p, len) } }
    }

    package static func listen(_ fd: Int32, backlog: Int32) throws(SystemError) {
        _ = try call("listen") { Glibc.listen(fd, backlog) }
    }

    /// Non-blocking connect: `.wouldBlock` means in progress (`EINPROGRESS`); wait for writability.
    package static func connect(_ fd: Int32, _ address: SocketAddress) throws(SystemError) -> IOResult<Int32> {
        try address.withSockAddr { (p, len) throws(SystemError) in
            while true {
                if Glibc.connect(fd, p, len) == 0 { return .processed(0) }
                let e = Glibc.errno
                if e == EINTR { continue }
                if e == EINPROGRESS || e == EAGAIN { return .wouldBlock }
                throw SystemError("connect", errno: e)
            }
        }
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    package static func accept(_ fd: Int32) throws(SystemError) -> IOResult<Int32> {
        if case .fail(let e)? = injectedFault(.accept, fd) { return try failed("accept4", e) }
        while true {
            // trap-safe: C constants
            let rc = CEpoll_accept4(fd, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            if rc >= 0 { return .processed(rc) }
            let e = Glibc.errno
            switch e {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            // The peer gave up before we accepted: not the listener's fault, try the next one.
            case ECONNABORTED, EPROTO: continue
            default: throw SystemError("accept4", errno: e)
            }
        }
    }

    package static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { p throws(SystemError) in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SystemError) in
                try call("getsockname") { Glibc.getsockname(fd, sa, &len) }
            }
        }
        return SocketAddress(storage: storage)
    }

    /// The peer's address, or nil when it has none (unnamed Unix sockets) or is gone.
    package static func peerAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.getpeername(fd, $0, &len) }
        }
        guard rc == 0, len > MemoryLayout<sa_family_t>.size else { return nil }
        return SocketAddress(storage: storage)
    }

    /// Removes a Unix socket's file.
    package static func unlink(_ path: String) {
        _ = Glibc.unlink(path)
    }

    package static func shutdown(_ fd: Int32, how: Int32) {
        _ = Glibc.shutdown(fd, how)
    }

    /// Closes `fd`. `EINTR` is not retried: on Linux the descriptor is released either way.
    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// epoll event bits, as plain integers for the rest of the transport.
    package static let eventIn = EPOLLIN.rawValue
    package static let eventOut = EPOLLOUT.rawValue
    package static let eventError = EPOLLERR.rawValue
    package static let eventHangUp = EPOLLHUP.rawValue
    package static let eventReadHangUp = EPOLLRDHUP.rawValue

    package enum EpollOperation {
        case add, modify, delete
        var raw: Int32 {
            switch self {
            case .add: EPOLL_CTL_ADD
            case .modify: EPOLL_CTL_MOD
            case .delete: EPOLL_CTL_DEL
            }
        }
    }

    /// Storage for the events of one `epoll_wait`.
    package struct EventBuffer {
        fileprivate let events: UnsafeMutableBufferPointer<epoll_event>
        package init(capacity: Int) { events = .allocate(capacity: capacity) }
        package func deallocate() { events.deallocate() }
        package subscript(i: Int) -> (fd: Int32, events: UInt32) { (events[i].data.fd, events[i].events) }
    }

    package static func epollCreate() throws(SystemError) -> Int32 {
        // trap-safe: C constant
        try call("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    package static func epollControl(_ epfd: Int32, _ op: EpollOperation, _ fd: Int32, events: UInt32)
        throws(SystemError)
    {
        var ev = epoll_event()
        ev.events = events
        ev.data.fd = fd
        _ = try call("epoll_ctl") { epoll_ctl(epfd, op.raw, fd, &ev) }
    }

    /// Waits for events; an interrupted wait returns zero events (the loop recomputes its timeout).
    package static func epollWait(_ epfd: Int32, _ buffer: EventBuffer, timeoutMilliseconds: Int32)
        throws(SystemError) -> Int
    {
        // trap-safe: the loop's event buffer (256 entries)
        let rc = epoll_wait(epfd, buffer.events.baseAddress, Int32(buffer.events.count), timeoutMilliseconds)
        if rc >= 0 { return Int(rc) }
        if Glibc.errno == EINTR { return 0 }
        throw SystemError("epoll_wait", errno: Glibc.errno)
    }

    package static func eventFD() throws(SystemError) -> Int32 {
        // trap-safe: C constants
        try call("eventfd") { CEpoll.eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK)) }
    }

    /// Monotonic time in nanoseconds (the loop's clock).
    package static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        // trap-safe: CLOCK_MONOTONIC is non-negative
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

// MARK: Fault injection

/// A system call of the transport that tests can make fail (``System/injectFaults(_:)``).
package enum SystemCallKind: Sendable, Hashable {
    /// `read` on a connection.
    case read
    /// `send`, `sendmsg` on a connection.
    case write
    /// `accept4` on a listening socket.
    case accept
}

/// What an injected fault does to one call.
package enum SystemFault: Sendable, Hashable {
    /// The call fails with this errno, as the kernel would report it (`EAGAIN` is "would block").
    case fail(Int32)
    /// A read or write moves at most this many bytes (at least one): a short read or a partial write.
    case short(Int)
}

/// Decides, call by call, whether to inject a fault: the call's kind and descriptor in, a fault or nil out.
package typealias SystemFaultRule = @Sendable (SystemCallKind, Int32) -> SystemFault?

extension System {
    private static let faultsArmed = Atomic<Bool>(false)
    private static let faultRule = Lock<SystemFaultRule?>(nil)

    /// Makes transport system calls fail or come up short as `rule` says, process-wide, until it is set to nil.
    /// For tests: a rule should pick its own descriptors (by local port, say) so that others are untouched.
    package static func injectFaults(_ rule: SystemFaultRule?) {
        faultRule.withLock { $0 = rule }
        faultsArmed.store(rule != nil, ordering: .sequentiallyConsistent)
    }

    /// The fault for this call, if any; one relaxed load when none is armed.
    @inline(__always)
    static func injectedFault(_ kind: SystemCallKind, _ fd: Int32) -> SystemFault? {
        guard faultsArmed.load(ordering: .relaxed) else { return nil }
        return faultRule.withLock { $0 }?(kind, fd)
    }

    /// An injected failure as the real call would report it.
    private static func failed<T>(_ function: String, _ e: Int32) throws(SystemError) -> IOResult<T> {
        if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
        throw SystemError(function, errno: e)
    }
}
