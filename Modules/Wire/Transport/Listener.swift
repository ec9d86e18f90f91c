import Glibc

/// How a ``Listener`` binds and what its connections get.
public struct ListenerConfiguration: Sendable, Hashable {
    /// `listen(2)` backlog. Default 1024.
    public var backlog: Int32
    /// `SO_REUSEADDR` (TCP): rebind while old connections linger in TIME_WAIT. Default true.
    public var reuseAddress: Bool
    /// `SO_REUSEPORT` (TCP): several listeners (loops or processes) share the port; the kernel spreads
    /// connections between them. Default false.
    public var reusePort: Bool
    /// Accepts per readiness event before yielding to other work. Default 64.
    public var maxAcceptsPerEvent: Int
    /// After a failed accept (`EMFILE`/`ENFILE`: out of descriptors), stop accepting for this long. Default 100 ms.
    public var acceptBackoff: Duration
    /// Applied to every accepted connection.
    public var connection: ConnectionConfiguration

    public init(
        backlog: Int32 = 1024, reuseAddress: Bool = true, reusePort: Bool = false, maxAcceptsPerEvent: Int = 64,
        acceptBackoff: Duration = .milliseconds(100), connection: ConnectionConfiguration = .default
    ) {
        self.backlog = backlog
        self.reuseAddress = reuseAddress
        self.reusePort = reusePort
        self.maxAcceptsPerEvent = Swift.max(1, maxAcceptsPerEvent)
        self.acceptBackoff = acceptBackoff
        self.connection = connection
    }
}

/// A listening socket (TCP or Unix domain) accepting on one loop and handing each connection to a loop of
/// a group, round-robin.
///
/// The handle is `Sendable`: bind from any thread, read ``localAddress``, ``close()`` from any thread.
public final class Listener: Sendable {
    /// The bound address; with port 0, the port the kernel chose.
    public let localAddress: SocketAddress
    public let eventLoop: EventLoop
    private let acceptor: LoopBoundAcceptor

    /// Binds, listens and starts accepting.
    ///
    /// - Parameters:
    ///   - address: where to listen; port 0 picks a free port.
    ///   - group: loops that own accepted connections (round-robin); the acceptor runs on `group.next()`.
    ///   - tls: when set, connections speak TLS (server side).
    ///   - childInitializer: called on the connection's loop for each accepted connection; set its callbacks there.
    public init(
        bindTo address: SocketAddress, group: EventLoopGroup,
        configuration: ListenerConfiguration = ListenerConfiguration(),
        tls: TLSContext? = nil, childInitializer: @escaping @Sendable (Connection) -> Void
    ) throws(SystemError) {
        // trap-safe: C constant
        let fd = try System.socket(domain: address.family, type: Int32(SOCK_STREAM.rawValue))
        do {
            if address.port != nil {
                if configuration.reuseAddress {
                    try System.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
                }
                if configuration.reusePort { try System.setOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1) }
                if case .ipv6 = address.kind {
                    // trap-safe: C constant
                    try System.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
                }
            }
            try System.bind(fd, address)
            try System.listen(fd, backlog: configuration.backlog)
            localAddress = try System.localAddress(fd).withPath(of: address)
        } catch {
            System.close(fd)
            throw error
        }
        eventLoop = group.next()
        acceptor = LoopBoundAcceptor(fd: fd, unixPath: address.unixPath)
        let loop = eventLoop
        let box = acceptor
        loop.execute {
            let a = Acceptor(
                fd: fd, loop: loop, group: group, configuration: configuration, tls: tls,
                unixPath: address.unixPath, childInitializer: childInitializer)
            box.set(a)
            a.start()
        }
    }

    /// Stops accepting and closes the socket (connections already accepted stay open). Any thread.
    public func close() {
        let box = acceptor
        eventLoop.execute { box.stop() }
    }
}

/// Carries the acceptor between the handle and its loop. `@unchecked Sendable`: a loop-bound box; its
/// fields are read and written only inside tasks run on the acceptor's loop (`set` and `stop` are both
/// submitted there with `execute`), so they are never touched concurrently.
private final class LoopBoundAcceptor: @unchecked Sendable {
    private var acceptor: Acceptor?
    private var stopped = false
    let fd: Int32
    let unixPath: String?

    init(fd: Int32, unixPath: String?) {
        self.fd = fd
        self.unixPath = unixPath
    }

    func set(_ a: Acceptor) {
        acceptor = a
        if stopped { stop() }
    }

    func stop() {
        stopped = true
        acceptor?.stop()
        acceptor = nil
    }
}

private final class Acceptor: EventHandler {
    let fd: Int32
    let loop: EventLoop
    let group: EventLoopGroup
    let configuration: ListenerConfiguration
    let tls: TLSContext?
    let unixPath: String?
    let childInitializer: @Sendable (Connection) -> Void
    var open = true

    init(
        fd: Int32, loop: EventLoop, group: EventLoopGroup, configuration: ListenerConfiguration, tls: TLSContext?,
        unixPath: String?, childInitializer: @escaping @Sendable (Connection) -> Void
    ) {
        self.fd = fd
        self.loop = loop
        self.group = group
        self.configuration = configuration
        self.tls = tls
        self.unixPath = unixPath
        self.childInitializer = childInitializer
    }

    func start() {
        do { try loop.register(fd, events: System.eventIn, handler: self) } catch {
            stop()
        }
    }

    func stop() {
        guard open else { return }
        open = false
        loop.deregister(fd)
        System.close(fd)
        if let unixPath { System.unlink(unixPath) }
    }

    func handleEvent(_ events: UInt32) {
        for _ in 0..<Swift.max(1, configuration.maxAcceptsPerEvent) {
            guard open else { return }
            let result: IOResult<Int32>
            do { result = try System.accept(fd) } catch {
                // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), or anything else the listening
                // socket keeps reporting: stop asking for a while, or a level-triggered loop would spin on it.
                backOff()
                return
            }
            guard case .processed(let child) = result else { return }
            hand(child)
        }
    }

    private func hand(_ child: Int32) {
        let target = group.next()
        let config = configuration.connection
        let tls = self.tls
        let initializer = childInitializer
        let start: @Sendable () -> Void = {
            guard let c = try? Connection.adopt(fd: child, eventLoop: target, configuration: config, tls: tls) else {
                return
            }
            initializer(c)
        }
        if target === loop {
            start()
        } else if !target.execute(start) {
            System.close(child)  // that loop has shut down
        }
    }

    private func backOff() {
        try? loop.modify(fd, events: 0)
        loop.scheduleLocal(in: configuration.acceptBackoff) { [weak self] in
            guard let self, self.open else { return }
            try? self.loop.modify(self.fd, events: System.eventIn)
        }
    }

    func loopWillClose() {
        stop()
    }
}

extension SocketAddress {
    /// The path of a Unix-domain address; nil for IP addresses.
    public var unixPath: String? {
        if case .unix(let p) = kind { return p }
        return nil
    }

    /// getsockname does not return the path of a Unix socket reliably; keep the one we bound.
    func withPath(of bound: SocketAddress) -> SocketAddress {
        if case .unix = bound.kind { return bound }
        return self
    }
}
