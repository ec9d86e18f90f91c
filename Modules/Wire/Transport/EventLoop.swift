import Dispatch
import Foundation
import Glibc
import Locking
import Synchronization

/// Something registered with an ``EventLoop`` for readiness events on one file descriptor.
///
/// Called only on the loop's thread.
package protocol EventHandler: AnyObject {
    /// `events` is the epoll mask (`EPOLLIN`, `EPOLLOUT`, `EPOLLHUP`, `EPOLLERR`, `EPOLLRDHUP`).
    func handleEvent(_ events: UInt32)
    /// The loop is shutting down: release the descriptor without waiting for the peer.
    func loopWillClose()
}

/// A handle to a task scheduled on an ``EventLoop``: a delayed or periodic task. Cancel from any thread.
public final class Scheduled: Sendable {
    private let cancelled = Atomic<Bool>(false)

    init() {}

    /// Stops the task from running (again). A task already running finishes.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// One thread running an epoll loop, in the spirit of Tornado's IOLoop.
///
/// Use it to run work on the next tick (``execute(_:)``), after a delay (``scheduleTask(in:_:)``),
/// periodically (``schedulePeriodic(initialDelay:every:_:)``), and to watch sockets. Every method marked
/// "any thread" may be called from anywhere; a cross-thread submission wakes the loop through an eventfd.
/// Connections registered with a loop are touched only on its thread.
///
/// It is also a `SerialExecutor`, so an actor can be pinned to it (`unownedExecutor`).
///
/// `@unchecked Sendable`: the cross-thread state (the task queue, the stop flag) lives in a `Lock`, the
/// thread id in an `Atomic`; everything else (timers, registrations, the read buffer) is touched only on
/// the loop's own thread, which ``assertInEventLoop()`` checks on the registration paths.
public final class EventLoop: @unchecked Sendable {
    private struct Shared {
        var tasks: [@Sendable () -> Void] = []
        var stopping = false
    }

    private final class Timer {
        let handle: Scheduled
        let action: () -> Void
        let period: UInt64?
        /// When it is due (periodic timers keep their phase: the next run is due one period after this).
        var deadline: UInt64 = 0
        init(handle: Scheduled, action: @escaping () -> Void, period: UInt64?) {
            self.handle = handle
            self.action = action
            self.period = period
        }
    }

    private func insert(_ timer: Timer, deadline: UInt64) {
        timer.deadline = deadline
        timers.insert(deadline: deadline, timer)
    }

    public let name: String
    /// Where the loop reads the time (timers, timeouts, keep-alive). Any thread.
    public let clock: any LoopClock
    private let epfd: Int32
    private let wakeFD: Int32
    private let shared = Lock(Shared())
    private let threadID = Atomic<UInt>(0)
    private let finished = DispatchSemaphore(value: 0)
    private let hasFinished = Atomic<Bool>(false)

    // Loop-thread state.
    private var timers = TimerHeap<Timer>()
    private var localTasks: [() -> Void] = []
    /// Set while the loop runs tasks, timers and I/O callbacks: connections queue what they write and are
    /// flushed together before the loop polls again, so all the messages an iteration produces for one
    /// connection leave in one write, and writes to many connections leave back to back.
    package private(set) var deferringWrites = false
    private var deferredFlushes: [Connection] = []
    private var handlers: [Int32: any EventHandler] = [:]
    /// Scratch space for socket reads, shared by every connection on this loop (one read at a time).
    package let readBuffer: UnsafeMutableRawBufferPointer
    /// Largest number of events taken from one `epoll_wait`.
    private let maxEvents = 256
    private let busyPollNanoseconds: UInt64

    /// Starts a loop on a new thread.
    /// - Parameter readBufferSize: bytes read per `read(2)` call; 64 KiB by default.
    /// - Parameter busyPoll: after handling events, keep polling (without sleeping) this long for more before
    ///   blocking in `epoll_wait`: request/reply latency drops by a wake-up, at the cost of that much CPU per burst
    ///   of activity. Zero (the default) never spins.
    /// - Parameter clock: where timers read the time; a ``ManualClock`` lets tests move it.
    public init(
        name: String = "wire-loop", readBufferSize: Int = 64 * 1024, busyPoll: Duration = .zero,
        clock: any LoopClock = SystemClock.shared
    ) throws(SystemError) {
        self.name = name
        self.clock = clock
        self.busyPollNanoseconds = busyPoll.nanoseconds
        epfd = try System.epollCreate()
        do {
            wakeFD = try System.eventFD()
            try System.epollControl(epfd, System.EpollOperation.add, wakeFD, events: System.eventIn)
        } catch {
            System.close(epfd)
            throw error
        }
        readBuffer = .allocate(byteCount: Swift.max(1024, readBufferSize), alignment: 16)
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        // Reserved address space, touched only as deep as it is used: room for values nested as deep as the
        // JSON reader allows (512 levels) even in unoptimised builds, whose frames are several times larger.
        thread.stackSize = Self.threadStackSize
        thread.start()
        clock.attach(self)
    }

    /// Now on the loop's clock, in monotonic nanoseconds. Any thread.
    package var now: UInt64 { clock.monotonicNanoseconds() }

    deinit {
        readBuffer.deallocate()
    }

    /// Stack size of every loop thread: 16 MiB.
    public static let threadStackSize = 16 << 20

    /// Whether the caller runs on this loop's thread. Any thread.
    public var inEventLoop: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "not on event loop \(name)", file: file, line: line)
    }

    // MARK: Submitting work (any thread)

    /// Runs `task` on the loop's next tick. Any thread. Returns false (and drops the task) once the loop has
    /// stopped, so a caller handing over a resource can release it instead.
    @discardableResult
    public func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        let onLoop = inEventLoop
        // Wake under the lock: the loop closes the eventfd under the same lock, so we never write to a
        // descriptor number that has since been closed and reused.
        return shared.withLock { s -> Bool in
            if hasFinished.load(ordering: .relaxed) { return false }
            s.tasks.append(task)
            if !onLoop { wake() }
            return true
        }
    }

    /// Runs `task` on the loop: right now when called on the loop's own thread, else on its next tick. Any
    /// thread. Returns false (and drops the task) when it had to be submitted and the loop has stopped.
    @discardableResult
    public func run(_ task: @escaping @Sendable () -> Void) -> Bool {
        if inEventLoop {
            task()
            return true
        }
        return execute(task)
    }

    /// Runs `task` on the loop's next tick unless cancelled first. Any thread.
    @discardableResult
    public func nextTick(_ task: @escaping @Sendable () -> Void) -> Scheduled {
        let handle = Scheduled()
        execute { if !handle.isCancelled { task() } }
        return handle
    }

    /// Runs `task` on the loop after `delay`. Any thread.
    @discardableResult
    public func scheduleTask(in delay: Duration, _ task: @escaping @Sendable () -> Void) -> Scheduled {
        schedule(after: delay.nanoseconds, period: nil, task)
    }

    /// Runs `task` every `period` (first after `initialDelay`, default one period) until cancelled. Any thread.
    @discardableResult
    public func schedulePeriodic(
        initialDelay: Duration? = nil, every period: Duration, _ task: @escaping @Sendable () -> Void
    )
        -> Scheduled
    {
        let p = Swift.max(1, period.nanoseconds)
        return schedule(after: initialDelay?.nanoseconds ?? p, period: p, task)
    }

    private func schedule(after delay: UInt64, period: UInt64?, _ task: @escaping @Sendable () -> Void) -> Scheduled {
        let handle = Scheduled()
        let deadline = now &+ delay
        let timer = SendableTimer(handle: handle, action: task, period: period)
        if inEventLoop {
            addTimer(timer, deadline: deadline)
        } else {
            execute { self.addTimer(timer, deadline: deadline) }
        }
        return handle
    }

    /// Runs `body` on the loop and returns its result to the calling thread. Must not be called on the loop.
    public func submitAndWait<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        precondition(!inEventLoop, "submitAndWait on the loop's own thread would deadlock")
        let result = Lock<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        execute {
            let r = Result { try body() }
            result.withLock { $0 = r }
            done.signal()
        }
        // A loop that already stopped never runs the task.
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if hasFinished.load(ordering: .acquiring) { throw SystemError("submitAndWait", errno: ECANCELED) }
        }
        let outcome = result.withLock { $0 } ?? .failure(SystemError("submitAndWait", errno: ECANCELED))
        return try outcome.get()
    }

    /// Graceful shutdown: stops accepting timers, runs the tasks already submitted, closes every registered
    /// descriptor, and returns when the thread has exited. From another thread it waits; on the loop's own
    /// thread it only requests the stop. Idempotent.
    public func shutdown() {
        let onLoop = inEventLoop
        shared.withLock { s in
            s.stopping = true
            if !onLoop && !hasFinished.load(ordering: .relaxed) { wake() }
        }
        if onLoop { return }
        if !hasFinished.load(ordering: .acquiring) {
            finished.wait()
            finished.signal()  // let other waiters through
        }
    }

    /// Whether the loop's thread has exited.
    public var isShutDown: Bool { hasFinished.load(ordering: .acquiring) }

    private func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { try? System.write(wakeFD, $0) }
    }

    // MARK: Loop-thread API

    /// Runs a loop-bound closure on the next tick. Only on the loop.
    package func executeLocal(_ task: @escaping () -> Void) {
        assertInEventLoop()
        localTasks.append(task)
    }

    /// Schedules a loop-bound closure. Only on the loop.
    @discardableResult
    package func scheduleLocal(in delay: Duration, _ task: @escaping () -> Void) -> Scheduled {
        assertInEventLoop()
        let handle = Scheduled()
        insert(Timer(handle: handle, action: task, period: nil), deadline: now &+ delay.nanoseconds)
        return handle
    }

    package func register(_ fd: Int32, events: UInt32, handler: any EventHandler) throws(SystemError) {
        assertInEventLoop()
        try System.epollControl(epfd, System.EpollOperation.add, fd, events: events)
        handlers[fd] = handler
    }

    package func modify(_ fd: Int32, events: UInt32) throws(SystemError) {
        assertInEventLoop()
        try System.epollControl(epfd, System.EpollOperation.modify, fd, events: events)
    }

    /// Stops watching `fd` (before it is closed).
    package func deregister(_ fd: Int32) {
        assertInEventLoop()
        if handlers.removeValue(forKey: fd) != nil {
            try? System.epollControl(epfd, System.EpollOperation.delete, fd, events: 0)
        }
    }

    /// Number of descriptors registered (for tests and metrics). Only on the loop.
    package var registrationCount: Int { handlers.count }

    // MARK: The loop

    private struct SendableTimer: @unchecked Sendable {
        // Carries a @Sendable action to the loop thread; unchecked only because Timer is a plain class
        // created here and handed over once.
        let handle: Scheduled
        let action: @Sendable () -> Void
        let period: UInt64?
    }

    private func addTimer(_ t: SendableTimer, deadline: UInt64) {
        guard !t.handle.isCancelled else { return }
        insert(Timer(handle: t.handle, action: t.action, period: t.period), deadline: deadline)
    }

    /// Runs the tasks submitted from other threads (writes deferred); whether a stop was requested. The tasks
    /// are released before it returns, so what they captured does not live on while the loop sleeps.
    private func runSubmittedTasks() -> Bool {
        let (tasks, stopping) = shared.withLock { s -> ([@Sendable () -> Void], Bool) in
            let t = s.tasks
            s.tasks.removeAll(keepingCapacity: true)
            return (t, s.stopping)
        }
        deferringWrites = true
        for t in tasks { t() }
        return stopping
    }

    private func loop() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        let events = System.EventBuffer(capacity: maxEvents)
        defer { events.deallocate() }
        var active = false  // the last poll returned events (busy polling only follows activity)
        while true {
            let stopping = runSubmittedTasks()
            runLocalTasks()
            runDueTimers()
            flushDeferredWrites()
            if stopping { break }

            let busy = !localTasks.isEmpty || shared.withLock { !$0.tasks.isEmpty || $0.stopping }
            var timeout: Int32 = -1
            if busy {
                timeout = 0
            } else if let next = timers.nextDeadline {
                timeout = clock.sleepMilliseconds(until: next)
            }
            var n = 0
            do {
                if timeout != 0 && busyPollNanoseconds > 0 && active {
                    // Spin briefly for the next request before paying for a sleep and a wake-up.
                    // (Spinning is CPU time, so it is measured on the system's clock.)
                    let now = System.monotonicNanoseconds()
                    var until = now &+ busyPollNanoseconds
                    if let next = timers.nextDeadline, clock === SystemClock.shared { until = Swift.min(until, next) }
                    // (Work submitted meanwhile shows up as the wake-up descriptor's event.)
                    while n == 0 && System.monotonicNanoseconds() < until {
                        n = try System.epollWait(epfd, events, timeoutMilliseconds: 0)
                    }
                }
                if n == 0 { n = try System.epollWait(epfd, events, timeoutMilliseconds: timeout) }
            } catch {
                fatalError("epoll_wait failed on loop \(name): \(error)")
            }
            active = n > 0
            deferringWrites = true
            for i in 0..<n {
                let (fd, mask) = events[i]
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = withUnsafeMutableBytes(of: &value) { try? System.read(wakeFD, $0) }
                } else if let h = handlers[fd] {
                    h.handleEvent(mask)
                }
            }
            flushDeferredWrites()
        }
        // Graceful stop: finish submitted work (bounded rounds), close what is still registered.
        for _ in 0..<16 {
            let tasks = shared.withLock { s -> [@Sendable () -> Void] in
                let t = s.tasks
                s.tasks.removeAll()
                return t
            }
            if tasks.isEmpty && localTasks.isEmpty { break }
            for t in tasks { t() }
            runLocalTasks()
        }
        for (_, h) in handlers { h.loopWillClose() }
        handlers.removeAll()
        timers.removeAll()
        localTasks.removeAll()
        shared.withLock { s in
            hasFinished.store(true, ordering: .releasing)
            s.tasks.removeAll()
            System.close(wakeFD)
        }
        System.close(epfd)
        finished.signal()
    }

    /// A connection queued bytes while writes are deferred: flush it before the loop polls again. Loop thread.
    package func deferFlush(_ connection: Connection) {
        deferredFlushes.append(connection)
    }

    private func flushDeferredWrites() {
        deferringWrites = false
        guard !deferredFlushes.isEmpty else { return }
        let connections = deferredFlushes
        deferredFlushes.removeAll(keepingCapacity: true)
        for connection in connections { connection.flushDeferred() }
    }

    private func runLocalTasks() {
        guard !localTasks.isEmpty else { return }
        let tasks = localTasks
        localTasks.removeAll(keepingCapacity: true)
        for t in tasks { t() }
    }

    /// Runs the timers due on the loop's clock (a ``ManualClock`` that moved), writes flushed after. Only on the loop.
    package func runDueTimersNowOnLoop() {
        deferringWrites = true
        runDueTimers()
        runLocalTasks()
        flushDeferredWrites()
    }

    /// Runs the timers due now on the loop and returns when they have. Any thread but the loop's.
    package func runDueTimersNow() async {
        await withLockedContinuation { (done: LockedContinuation<Void, Never>) in
            if !execute({
                self.runDueTimersNowOnLoop(); done.resume()
            }) {
                done.resume()
            }
        }
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        let now = self.now
        var fired = 0
        // Bounded per tick so a flood of timers cannot starve I/O.
        while fired < 4096, let t = timers.popDue(now: now) {
            guard !t.handle.isCancelled else { continue }
            fired += 1
            // Many due timers: send what the last ones wrote rather than hold it until all have run.
            if fired % 64 == 0 {
                flushDeferredWrites()
                deferringWrites = true
            }
            t.action()
            if let p = t.period, !t.handle.isCancelled {
                // Fixed rate, as Tornado's PeriodicCallback: one period after the planned time, skipping runs
                // already missed, so a late wake-up does not shift every later run.
                var next = t.deadline &+ p
                if next <= now { next &+= ((now - next) / p + 1) * p }
                insert(t, deadline: next)
            }
        }
    }
}

extension EventLoop: CustomStringConvertible {
    public var description: String { "EventLoop(\(name))" }
}

/// A task may prefer the loop as its executor (`Task(executorPreference: loop)`): its code then runs on the loop's
/// thread between awaits, never on the concurrency pool.
extension EventLoop: TaskExecutor {
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }
}

extension EventLoop: SerialExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        execute { unowned.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        assertInEventLoop()
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `0...UInt64.max`.
    var nanoseconds: UInt64 {
        let (s, atto) = components
        if s < 0 { return 0 }
        // trap-safe: s >= 0 (checked above)
        let (whole, overflow) = UInt64(s).multipliedReportingOverflow(by: 1_000_000_000)
        let (total, carry) = whole.addingReportingOverflow(UInt64(clamping: atto / 1_000_000_000))
        return overflow || carry ? .max : total
    }
}

/// A value that may be carried across threads but used only on its event loop.
///
/// `@unchecked Sendable`: every access checks that the caller is on `eventLoop`'s thread, so the wrapped
/// value is never touched concurrently (apple/swift-nio's `NIOLoopBound`).
public struct LoopBound<Value>: @unchecked Sendable {
    public let eventLoop: EventLoop
    private let _value: Value

    public init(_ value: Value, eventLoop: EventLoop) {
        eventLoop.assertInEventLoop()
        self.eventLoop = eventLoop
        _value = value
    }

    public var value: Value {
        eventLoop.assertInEventLoop()
        return _value
    }
}
