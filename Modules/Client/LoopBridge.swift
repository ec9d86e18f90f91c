import Dispatch
import Synchronization
import Wire

/// Hands an operation to an event loop and waits for its completion, asynchronously or by blocking the
/// calling thread. The operation must call its completion exactly once; every client operation
/// guarantees that with a timer.
enum LoopBridge {
    typealias Completion<T> = @Sendable (Result<T, ClientError>) -> Void

    static func run<T: Sendable>(on loop: EventLoop, _ start: @escaping @Sendable (@escaping Completion<T>) -> Void)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = Once<T> { continuation.resume(with: $0.mapError { $0 as any Error }) }
            if !loop.execute({ start(once.complete) }) { once.complete(.failure(.usage("the client's event loop has stopped"))) }
        }
    }

    static func runBlocking<T: Sendable>(on loop: EventLoop, _ start: @escaping @Sendable (@escaping Completion<T>) -> Void)
        throws -> T
    {
        precondition(!loop.inEventLoop, "a blocking client call on the client's own event loop would deadlock")
        let result = Mutex<Result<T, ClientError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let once = Once<T> { r in
            result.withLock { $0 = r }
            done.signal()
        }
        if !loop.execute({ start(once.complete) }) { once.complete(.failure(.usage("the client's event loop has stopped"))) }
        // The operation's own timer completes it; a loop that stops underneath never will.
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if loop.isShutDown { once.complete(.failure(.usage("the client's event loop has stopped"))) }
        }
        return try (result.withLock { $0 } ?? .failure(.usage("no result"))).get()
    }
}

/// Calls `body` with the first result only.
private final class Once<T: Sendable>: Sendable {
    private let body: Mutex<(@Sendable (Result<T, ClientError>) -> Void)?>
    init(_ body: @escaping @Sendable (Result<T, ClientError>) -> Void) { self.body = Mutex(body) }
    @Sendable func complete(_ result: Result<T, ClientError>) {
        let taken = body.withLock { b -> (@Sendable (Result<T, ClientError>) -> Void)? in
            defer { b = nil }
            return b
        }
        taken?(result)
    }
}
