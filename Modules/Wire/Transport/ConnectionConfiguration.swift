/// Limits and timeouts of one stream connection (TCP or Unix, plain or TLS).
public struct ConnectionConfiguration: Sendable, Hashable {
    /// Stop reading from the peer while more than this many bytes wait to be sent. Default 1 MiB: an echoing
    /// or request/response peer that does not read its answers stops being read, so it cannot make us buffer
    /// without bound. (Two peers that both write far more than they read would then wait on each other:
    /// raise this on the side that must keep reading.)
    public var writeHighWatermark: Int
    /// Resume reading once the queue drains to this many bytes. Default 256 KiB.
    public var writeLowWatermark: Int
    /// Hard cap on the bytes queued *behind* the write being sent: a write made while more than this already
    /// waits there fails and closes the connection with ``ConnectionError/writeBufferFull``. One write may be of
    /// any size, so a large reply reaches a peer that reads it; a peer that falls behind holds at most the
    /// write being sent, this many bytes and one more write. Default 64 MiB.
    public var maxPendingWriteBytes: Int
    /// Close (``ConnectionError/writeStalled``) when bytes wait to be sent and none could be written for this
    /// long: the peer stopped reading. Default 60 s; nil never closes for this.
    public var writeStallTimeout: Duration?
    /// Close when nothing has been received for this long. Default nil (never).
    public var readTimeout: Duration?
    /// Close when nothing has been sent or received for this long. Default nil (never).
    public var idleTimeout: Duration?
    /// Give up on a graceful close (flushing queued bytes) after this long, then drop the connection.
    /// Default 10 s.
    public var closeTimeout: Duration
    /// When the peer shuts down its sending side, keep ours open (half-close) and report it through
    /// ``Connection/onReadEOF``. Default false: end of input closes the connection once writes are flushed.
    public var allowHalfClose: Bool
    /// Reads per readiness event before yielding to other connections. Default 4.
    public var maxReadsPerEvent: Int
    /// Disable Nagle's algorithm on TCP sockets. Default true (WebSocket frames are latency-sensitive).
    public var tcpNoDelay: Bool

    public init(
        writeHighWatermark: Int = 1 << 20, writeLowWatermark: Int = 256 << 10, maxPendingWriteBytes: Int = 64 << 20,
        readTimeout: Duration? = nil, idleTimeout: Duration? = nil, closeTimeout: Duration = .seconds(10),
        allowHalfClose: Bool = false, maxReadsPerEvent: Int = 4, tcpNoDelay: Bool = true,
        writeStallTimeout: Duration? = .seconds(60)
    ) {
        self.writeHighWatermark = Swift.max(1, writeHighWatermark)
        self.writeLowWatermark = Swift.min(Swift.max(0, writeLowWatermark), self.writeHighWatermark)
        self.maxPendingWriteBytes = Swift.max(self.writeHighWatermark, maxPendingWriteBytes)
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.closeTimeout = closeTimeout
        self.allowHalfClose = allowHalfClose
        self.maxReadsPerEvent = Swift.max(1, maxReadsPerEvent)
        self.tcpNoDelay = tcpNoDelay
        self.writeStallTimeout = writeStallTimeout
    }

    public static let `default` = ConnectionConfiguration()
}

/// Why a connection ended abnormally.
public struct ConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case readTimeout, idleTimeout, closeTimeout, connectTimeout, writeBufferFull, writeStalled, system, tls
        case loopShutdown
    }

    private let code: Code
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public static let readTimeout = Self(.readTimeout, "nothing received within the read timeout")
    public static let idleTimeout = Self(.idleTimeout, "connection idle too long")
    public static let closeTimeout = Self(.closeTimeout, "graceful close did not finish in time")
    public static let connectTimeout = Self(.connectTimeout, "connect timed out")
    public static let writeBufferFull = Self(.writeBufferFull, "peer does not read: write queue limit reached")
    public static let writeStalled = Self(
        .writeStalled, "peer does not read: nothing written within the write stall timeout")
    public static let loopShutdown = Self(.loopShutdown, "event loop shut down")
    public static func system(_ error: SystemError) -> Self { Self(.system, error.description) }
    public static func tls(_ error: TLSError) -> Self { Self(.tls, error.description) }

    /// Whether this is a TLS failure (handshake, verification, record layer).
    public var isTLS: Bool { code == .tls }

    public var description: String { detail }

    public static func == (a: Self, b: Self) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }
}
