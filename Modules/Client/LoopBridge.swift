import Dispatch
import Locking
import Wire

/// Hands an operation to an event loop and waits for its completion (``run(on:_:)``); derives the blocking
/// form of an `async` operation (``blocking(on:_:)``). The operation must call its completion exactly once; every client operation
/// guarantees that with a timer.
enum LoopBridge {
    typealias Completion<T> = @Sendable (Result<T, ClientError>) -> Void

    static func run<T: Sendable>(on loop: EventLoop, _ start: @escaping @Sendable (@escaping Completion<T>) -> Void)
        async throws -> T
    {
        try await withLockedThrowingContinuation { (continuation: LockedContinuation<T, any Error>) in
            let once = Once<T> { continuation.resume(with: $0.mapError { $0 as any Error }) }
            if !loop.execute({ start(once.complete) }) {
                once.complete(.failure(.usage("the client's event loop has stopped")))
            }
        }
    }

    /// The blocking form of every client operation: runs its `async` form to completion and waits for it on
    /// the calling thread (a script's, `main`'s). The operation's own timer bounds it; a loop that stops
    /// underneath ends the wait with an error.
    ///
    /// - Important: not from the client's own loop (it would wait for itself). From async code prefer the
    ///   `async` form: this one blocks the calling thread.
    static func blocking<T: Sendable>(on loop: EventLoop, _ operation: @escaping @Sendable () async throws -> T) throws
        -> T
    {
        precondition(!loop.inEventLoop, "a blocking client call on the client's own event loop would deadlock")
        let result = Lock<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        // The operation runs on the client's loop, not on the concurrency pool: a caller that blocks a pool
        // thread (a test, a script's Task) cannot starve it.
        Task(executorPreference: loop) {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if loop.isShutDown { throw ClientError.usage("the client's event loop has stopped") }
        }
        return try (result.withLock { $0 } ?? .failure(ClientError.usage("no result"))).get()
    }
}

/// Calls `body` with the first result only.
private final class Once<T: Sendable>: Sendable {
    private let body: Lock<(@Sendable (Result<T, ClientError>) -> Void)?>
    init(_ body: @escaping @Sendable (Result<T, ClientError>) -> Void) { self.body = Lock(body) }
    @Sendable func complete(_ result: Result<T, ClientError>) {
        let taken = body.withLock { b -> (@Sendable (Result<T, ClientError>) -> Void)? in
            defer { b = nil }
            return b
        }
        taken?(result)
    }
}

/// Carries a non-Sendable value (a caller's `Document` or `Model`) to the client's loop: it takes the value
/// `sending`, so the caller has given it up, and hands it out once. The `Lock` makes the box Sendable
/// without an unchecked conformance.
final class Handoff<Value>: Sendable {
    private let value: Lock<Value?>
    init(_ value: sending Value?) { self.value = Lock(value) }
    /// The value, the first time; nil after.
    func take() -> sending Value? { value.withLock { $0.take() } }
}
