/// A continuation whose value passes through a ``Lock`` on its way to the resumed task.
///
/// The Swift runtime's hand-off from the resuming thread (an event loop's) to the task is invisible to
/// ThreadSanitizer on Linux, so everything the resuming thread wrote before resuming reads as racing with the task.
/// The lock's unlock (resume) and lock (the task's read) are a hand-off it sees. Resuming twice traps, as with
/// `CheckedContinuation`.
package struct LockedContinuation<T: Sendable, Failure: Error>: Sendable {
    fileprivate let box: Lock<Result<T, Failure>?>
    fileprivate let continuation: CheckedContinuation<Void, Never>

    package func resume(with result: sending Result<T, Failure>) {
        box.withLock { $0 = result }
        continuation.resume()
    }

    package func resume(returning value: sending T) { resume(with: .success(value)) }
    package func resume(throwing error: Failure) { resume(with: .failure(error)) }
}

extension LockedContinuation where T == Void {
    package func resume() { resume(with: .success(())) }
}

/// `withCheckedThrowingContinuation` through a ``LockedContinuation``.
package func withLockedThrowingContinuation<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ body: (LockedContinuation<T, any Error>) -> Void
) async throws -> T {
    let box = Lock<Result<T, any Error>?>(nil)
    await withCheckedContinuation(isolation: isolation) { body(LockedContinuation(box: box, continuation: $0)) }
    return try box.withLock { stored -> Result<T, any Error> in
        // Resumed, so set: the continuation is resumed only after the result is stored.
        stored ?? .failure(CancellationError())
    }.get()
}

/// `withCheckedContinuation` through a ``LockedContinuation``.
package func withLockedContinuation<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ body: (LockedContinuation<T, Never>) -> Void
) async -> T {
    let box = Lock<Result<T, Never>?>(nil)
    await withCheckedContinuation(isolation: isolation) { body(LockedContinuation(box: box, continuation: $0)) }
    let stored = box.withLock { $0 }
    switch stored {
    case .success(let value)?: return value
    case nil: preconditionFailure("a LockedContinuation resumed without a value")
    }
}
