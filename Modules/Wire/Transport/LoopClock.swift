import Foundation
import Locking

/// Where an ``EventLoop`` reads the time: its timers, connection timeouts, keep-alive pings and, above Wire,
/// session expiry and the unused-session reaper all ask the loop's clock, never the system directly.
///
/// ``SystemClock`` is the real one. ``ManualClock`` moves only when a test says so, so a test of a timeout
/// advances the clock instead of sleeping.
public protocol LoopClock: AnyObject, Sendable {
    /// Nanoseconds on a monotonic clock (only differences mean anything).
    func monotonicNanoseconds() -> UInt64
    /// Seconds since 1970-01-01 UTC: token expiry, HTTP dates.
    func unixSeconds() -> Double
    /// How long a loop whose next timer is due at `deadline` (``monotonicNanoseconds()``) may sleep: a number
    /// of milliseconds, 0 for "poll", -1 for "until something wakes it".
    func sleepMilliseconds(until deadline: UInt64) -> Int32
    /// A loop started with this clock (a manual clock wakes its loops when it moves).
    func attach(_ loop: EventLoop)
}

/// The system's clocks: `CLOCK_MONOTONIC` and the wall clock.
public final class SystemClock: LoopClock {
    /// The clock every loop uses unless given another.
    public static let shared = SystemClock()

    private init() {}

    public func monotonicNanoseconds() -> UInt64 { System.monotonicNanoseconds() }
    public func unixSeconds() -> Double { Date().timeIntervalSince1970 }

    public func sleepMilliseconds(until deadline: UInt64) -> Int32 {
        let now = System.monotonicNanoseconds()
        return deadline > now ? Int32(clamping: (deadline - now + 999_999) / 1_000_000) : 0
    }

    public func attach(_ loop: EventLoop) {}
}

/// A clock that stands still until ``advance(by:)``: tests drive timers, timeouts, keep-alive, session expiry
/// and the reaper with it, without waiting on the wall clock.
///
/// Advancing wakes every loop using the clock; timers that became due run on their loops right away.
/// ``advance(by:)`` returns once each loop has run the timers that were due (what those timers start, such
/// as a write to a socket, may still be under way).
public final class ManualClock: LoopClock {
    private struct State {
        var nanoseconds: UInt64
        var unixSeconds: Double
        var loops: [WeakLoop] = []
    }

    private struct WeakLoop {
        weak var loop: EventLoop?
    }

    private let state: Lock<State>

    /// - Parameters:
    ///   - unixSeconds: the wall-clock time to start at (default: now).
    public init(unixSeconds: Double? = nil) {
        // Starts well above zero, like a real monotonic clock, so "a long time ago" stays representable.
        state = Lock(State(nanoseconds: 1_000_000_000_000, unixSeconds: unixSeconds ?? Date().timeIntervalSince1970))
    }

    public func monotonicNanoseconds() -> UInt64 { state.withLock { $0.nanoseconds } }
    public func unixSeconds() -> Double { state.withLock { $0.unixSeconds } }

    public func sleepMilliseconds(until deadline: UInt64) -> Int32 {
        deadline > monotonicNanoseconds() ? -1 : 0
    }

    public func attach(_ loop: EventLoop) {
        state.withLock { s in
            s.loops.removeAll { $0.loop == nil }
            s.loops.append(WeakLoop(loop: loop))
        }
    }

    /// Moves both clocks forward by `duration`, runs what became due on every loop, and returns when they have.
    public func advance(by duration: Duration) async {
        let loops = move(by: duration)
        for loop in loops { await loop.runDueTimersNow() }
    }

    /// As ``advance(by:)``, for callers that are not async. Not from one of the clock's loops.
    public func advanceBlocking(by duration: Duration) {
        for loop in move(by: duration) { _ = try? loop.submitAndWait { loop.runDueTimersNowOnLoop() } }
    }

    private func move(by duration: Duration) -> [EventLoop] {
        state.withLock { s -> [EventLoop] in
            s.nanoseconds = s.nanoseconds.addingReportingOverflow(duration.nanoseconds).partialValue
            s.unixSeconds += Double(duration.nanoseconds) / 1e9
            return s.loops.compactMap(\.loop)
        }
    }
}
