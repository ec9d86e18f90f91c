import Glibc
import Synchronization

/// A fixed set of ``EventLoop``s, one thread each, handed out round-robin.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    /// The clock all the loops share.
    public let clock: any LoopClock
    private let counter = Atomic<Int>(0)

    /// The number of online CPU cores: the default loop count.
    // trap-safe: C constant
    public static var coreCount: Int { Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Starts `numberOfThreads` loops (default: one per core).
    /// `busyPoll`: see ``EventLoop/init(name:readBufferSize:busyPoll:)``.
    /// `clock`: where every loop reads the time (a ``ManualClock`` in tests).
    public init(
        numberOfThreads: Int = EventLoopGroup.coreCount, name: String = "wire-loop", busyPoll: Duration = .zero,
        clock: any LoopClock = SystemClock.shared
    ) throws(SystemError) {
        self.clock = clock
        var loops: [EventLoop] = []
        for i in 0..<Swift.max(1, numberOfThreads) {
            do { loops.append(try EventLoop(name: "\(name)-\(i)", busyPoll: busyPoll, clock: clock)) } catch {
                for l in loops { l.shutdown() }
                throw error
            }
        }
        self.loops = loops
    }

    /// The next loop, round-robin. Any thread.
    public func next() -> EventLoop {
        let i = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        // trap-safe: a remainder below loops.count
        return loops[Int(UInt(bitPattern: i) % UInt(loops.count))]
    }

    /// Shuts every loop down gracefully and waits for their threads. Not from one of the group's loops.
    public func shutdown() {
        for l in loops { l.shutdown() }
    }
}
