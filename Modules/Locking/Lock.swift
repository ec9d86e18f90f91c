import Glibc

/// A value guarded by a POSIX mutex: the lock every module of the package uses.
///
/// It is `Synchronization.Mutex`'s shape (`Lock(value)`, `withLock { $0 … }`) over `pthread_mutex_t`, because
/// ThreadSanitizer intercepts the pthread calls but cannot see inside the prebuilt `Synchronization` module: under
/// TSan every `Mutex` reads as unsynchronized, so a clean `make sanitize` would mean nothing. Uncontended, locking
/// costs the same (one atomic exchange in glibc either way).
package final class Lock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock. Not reentrant: `body` must not lock this lock again.
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
