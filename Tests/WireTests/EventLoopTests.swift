import Dispatch
import Foundation
import Glibc
import Locking
import Synchronization
import Testing
@testable import Wire

@Suite struct TimerHeapTests {
    @Test func popsInDeadlineOrderAndKeepsInsertionOrderForTies() {
        var heap = TimerHeap<Int>()
        var rng = SystemRandomNumberGenerator()
        var expected: [(UInt64, Int)] = []
        for i in 0..<500 {
            let d = UInt64.random(in: 0..<50, using: &rng)
            heap.insert(deadline: d, i)
            expected.append((d, i))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var out: [Int] = []
        while let v = heap.popDue(now: .max) { out.append(v) }
        #expect(out == expected.map(\.1))
    }

    @Test func popsNothingBeforeTheDeadline() {
        var heap = TimerHeap<String>()
        heap.insert(deadline: 100, "a")
        #expect(heap.popDue(now: 99) == nil)
        #expect(heap.nextDeadline == 100)
        #expect(heap.popDue(now: 100) == "a")
        #expect(heap.isEmpty)
    }
}

@Suite struct SystemCallTests {
    @Test func retriesEINTRAndReportsEAGAINAsAValue() throws {
        var calls = 0
        let r = try System.syscall("test") { () -> Int in
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(r == .processed(7))
        #expect(calls == 3)
        let blocked = try System.syscall("test") { () -> Int in
            errno = EAGAIN
            return -1
        }
        #expect(blocked == .wouldBlock)
        #expect(throws: SystemError("test", errno: EBADF)) {
            _ = try System.syscall("test") { () -> Int in
                errno = EBADF
                return -1
            }
        }
    }

    @Test func readingAClosedDescriptorIsAnError() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        #expect(throws: SystemError.self) { _ = try System.read(-1, buffer) }
    }
}

@Suite struct EventLoopTests {
    @Test func executeRunsOnTheLoopThread() async throws {
        let loop = try EventLoop(name: "t")
        defer { loop.shutdown() }
        let seen = Recorder<Bool>()
        #expect(!loop.inEventLoop)
        loop.execute { seen.append(loop.inEventLoop) }
        #expect(await eventually { seen.count == 1 })
        #expect(seen.values == [true])
    }

    @Test func tasksRunInSubmissionOrder() async throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let order = Recorder<Int>()
        for i in 0..<1000 { loop.execute { order.append(i) } }
        #expect(await eventually { order.count == 1000 })
        #expect(order.values == Array(0..<1000))
    }

    @Test func scheduledTasksRunByDeadline() async throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: clock)
        defer { loop.shutdown() }
        let order = Recorder<Int>()
        loop.scheduleTask(in: .milliseconds(60)) { order.append(3) }
        loop.scheduleTask(in: .milliseconds(20)) { order.append(1) }
        loop.scheduleTask(in: .milliseconds(40)) { order.append(2) }
        loop.execute { order.append(0) }
        await clock.advance(by: .milliseconds(19))
        #expect(order.values == [0])
        await clock.advance(by: .milliseconds(1))
        #expect(order.values == [0, 1])
        await clock.advance(by: .milliseconds(40))
        #expect(order.values == [0, 1, 2, 3])
    }

    @Test func busyPollingLoopKeepsOrderAndTimers() async throws {
        // A long spin window so that submissions and timers arrive while the loop polls without sleeping.
        let clock = ManualClock()
        let loop = try EventLoop(name: "spin", busyPoll: .milliseconds(20), clock: clock)
        defer { loop.shutdown() }
        let order = Recorder<Int>()
        let fired = Recorder<Int>()
        loop.scheduleTask(in: .milliseconds(30)) { fired.append(order.count) }
        for i in 0..<100 {
            loop.execute { order.append(i) }
            if i % 10 == 0 { await Task.yield() }
        }
        #expect(await eventually { order.count == 100 })
        #expect(order.values == Array(0..<100))
        #expect(fired.count == 0)
        await clock.advance(by: .milliseconds(30))
        #expect(fired.values == [100])
    }

    @Test func delayedTaskWaitsAtLeastItsDelay() async throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: clock)
        defer { loop.shutdown() }
        let ran = Recorder<UInt64>()
        let start = clock.monotonicNanoseconds()
        loop.scheduleTask(in: .milliseconds(50)) { ran.append(clock.monotonicNanoseconds() - start) }
        await clock.advance(by: .milliseconds(49))
        #expect(ran.count == 0)
        await clock.advance(by: .milliseconds(1))
        #expect(ran.values == [50_000_000])
    }

    @Test func systemClockSleepsUntilTheNextDeadline() {
        let clock = SystemClock.shared
        let now = clock.monotonicNanoseconds()
        let ms = clock.sleepMilliseconds(until: now + 50_000_000)
        #expect(ms >= 49 && ms <= 50)
        #expect(clock.sleepMilliseconds(until: now) == 0)
        #expect(clock.sleepMilliseconds(until: .max) == Int32.max)
        #expect(abs(clock.unixSeconds() - Date().timeIntervalSince1970) < 5)
    }

    @Test func manualClockMovesOnlyWhenAdvanced() async throws {
        let clock = ManualClock(unixSeconds: 1_000)
        let before = clock.monotonicNanoseconds()
        #expect(clock.monotonicNanoseconds() == before)
        #expect(clock.sleepMilliseconds(until: before + 1) == -1)
        #expect(clock.sleepMilliseconds(until: before) == 0)
        await clock.advance(by: .seconds(2))
        #expect(clock.monotonicNanoseconds() == before + 2_000_000_000)
        #expect(clock.unixSeconds() == 1_002)
    }

    @Test func cancelledTaskNeverRuns() async throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: clock)
        defer { loop.shutdown() }
        let ran = Recorder<Int>()
        let handle = loop.scheduleTask(in: .milliseconds(30)) { ran.append(1) }
        handle.cancel()
        loop.scheduleTask(in: .milliseconds(60)) { ran.append(2) }
        await clock.advance(by: .milliseconds(60))
        #expect(ran.values == [2])
        #expect(handle.isCancelled)
    }

    @Test func cancelledNextTickNeverRuns() async throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let ran = Recorder<Int>()
        try loop.submitAndWait {
            let h = loop.nextTick { ran.append(1) }
            loop.nextTick { ran.append(2) }
            h.cancel()
        }
        #expect(await eventually { ran.count == 1 })
        #expect(ran.values == [2])
    }

    @Test func periodicTaskRepeatsUntilCancelled() async throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: clock)
        defer { loop.shutdown() }
        let ticks = Recorder<Int>()
        let handle = loop.schedulePeriodic(initialDelay: .zero, every: .milliseconds(10)) { ticks.append(1) }
        await clock.advance(by: .zero)
        #expect(ticks.count == 1)
        for _ in 0..<4 { await clock.advance(by: .milliseconds(10)) }
        #expect(ticks.count == 5)
        // A late wake-up skips the runs it missed (fixed rate, as Tornado's PeriodicCallback).
        await clock.advance(by: .milliseconds(35))
        #expect(ticks.count == 6)
        handle.cancel()
        await clock.advance(by: .milliseconds(100))
        #expect(ticks.count == 6)
    }

    @Test func acceptsWorkFromManyThreads() async throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let counter = Lock(0)
        let onLoop = Atomic<Bool>(true)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<500 {
                loop.execute {
                    if !loop.inEventLoop { onLoop.store(false, ordering: .relaxed) }
                    counter.withLock { $0 += 1 }
                }
            }
        }
        #expect(await eventually { counter.withLock { $0 } == 4000 })
        let allOnLoop = onLoop.load(ordering: .relaxed)
        #expect(allOnLoop)
    }

    @Test func submitAndWaitReturnsTheResult() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        #expect(try loop.submitAndWait { loop.inEventLoop ? 42 : 0 } == 42)
    }

    @Test func shutdownRunsSubmittedTasksThenStops() throws {
        let loop = try EventLoop()
        let ran = Recorder<Int>()
        for i in 0..<100 { loop.execute { ran.append(i) } }
        loop.shutdown()
        #expect(loop.isShutDown)
        #expect(ran.count == 100)
        loop.execute { ran.append(-1) }  // ignored after shutdown
        loop.shutdown()  // idempotent
        #expect(ran.count == 100)
    }

    @Test func shutdownRequestedFromTheLoopItself() async throws {
        let loop = try EventLoop()
        loop.execute { loop.shutdown() }
        #expect(await eventually { loop.isShutDown })
    }

    @Test func actorRunsOnTheLoopAsItsExecutor() async throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        actor Pinned {
            let loop: EventLoop
            init(loop: EventLoop) { self.loop = loop }
            nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
            func onLoop() -> Bool { loop.inEventLoop }
        }
        #expect(await Pinned(loop: loop).onLoop())
    }

    @Test func groupHandsOutLoopsRoundRobin() throws {
        let group = try EventLoopGroup(numberOfThreads: 3)
        defer { group.shutdown() }
        let picks = (0..<6).map { _ in group.next() }
        #expect(picks[0] === picks[3] && picks[1] === picks[4] && picks[2] === picks[5])
        #expect(picks[0] !== picks[1] && picks[1] !== picks[2])
        #expect(EventLoopGroup.coreCount >= 1)
    }
}
