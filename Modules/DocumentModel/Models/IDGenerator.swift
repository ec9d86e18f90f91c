import Synchronization

/// Bokeh-style ids `"p<N>"` from one process-wide counter starting at 1000.
///
/// Model ids, message ids and buffer ids share the counter, as in Python Bokeh (`BOKEH_SIMPLE_IDS`).
/// Thread-safe; the Protocol layer uses it for message ids.
public enum IDGenerator {
    private static let counter = Atomic<Int>(1000)

    /// The next id, e.g. `"p1000"`.
    public static func next() -> String {
        "p\(counter.add(1, ordering: .relaxed).oldValue)"
    }

    /// Restarts the counter (for reproducing golden vectors in tests; never needed in production).
    public static func reset(to value: Int = 1000) {
        counter.store(value, ordering: .relaxed)
    }
}

/// The opaque identity of whoever made a document change (a connection, a session, a client).
///
/// Events carry their setter so a server can skip echoing a change back to the connection it came from.
public struct Setter: Hashable, Sendable, CustomStringConvertible {
    private static let counter = Atomic<UInt64>(1)
    public let rawValue: UInt64

    /// A new setter identity, distinct from every other one in this process.
    public init() { rawValue = Self.counter.add(1, ordering: .relaxed).oldValue }

    public var description: String { "Setter(\(rawValue))" }
}
