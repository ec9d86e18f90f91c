/// Bytes received but not yet consumed by a decoder.
///
/// Decoders append whatever the transport read and consume from the front. Consumed space is
/// reclaimed lazily (when more than half the storage is dead), so a long-lived connection does not
/// grow its buffer and appending stays amortised O(n).
package struct InputBuffer: Sendable {
    package private(set) var storage: [UInt8] = []
    package private(set) var readIndex = 0

    /// Capacity kept across messages once everything was consumed (64 KiB, one socket read);
    /// larger storage is released so an idle connection does not hold on to its biggest message.
    package static let retainedCapacity = 64 * 1024

    package init() {}

    /// Number of unread bytes.
    @inline(__always) package var count: Int { storage.count - readIndex }
    @inline(__always) package var isEmpty: Bool { readIndex == storage.count }

    package mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        if readIndex > 0, readIndex == storage.count {
            // Keep a modest buffer for the next read; give back what one large message grew.
            storage.removeAll(keepingCapacity: storage.capacity <= Self.retainedCapacity)
            readIndex = 0
        } else if readIndex > 4096, readIndex * 2 > storage.count {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }

    /// The unread byte at `offset` from the read position.
    @inline(__always) package func byte(at offset: Int) -> UInt8 { storage[readIndex + offset] }

    /// Skips `n` unread bytes.
    @inline(__always) package mutating func consume(_ n: Int) {
        precondition(n <= count, "consume past the end of the buffer")
        readIndex += n
    }

    /// Removes and returns the next `n` bytes.
    package mutating func read(_ n: Int) -> [UInt8] {
        let out = Array(storage[readIndex..<(readIndex + n)])
        readIndex += n
        return out
    }

    /// Removes and returns every unread byte.
    package mutating func readAll() -> [UInt8] {
        let out = Array(storage[readIndex...])
        storage.removeAll(keepingCapacity: storage.capacity <= Self.retainedCapacity)
        readIndex = 0
        return out
    }

    /// Offset (from the read position) of the first LF at or after `start` within the first `limit`
    /// unread bytes, or nil when there is none yet.
    package func firstLF(from start: Int = 0, limit: Int) -> Int? {
        let unread = storage.count - readIndex
        let end = readIndex + Swift.min(unread, Swift.max(0, limit))
        let begin = readIndex + Swift.min(unread, Swift.max(0, start))
        guard begin < end else { return nil }
        return storage.withUnsafeBufferPointer { p -> Int? in
            var i = begin
            while i < end {
                if p[i] == 0x0A { return i - readIndex }
                i += 1
            }
            return nil
        }
    }

    /// Calls `body` with the unread bytes.
    package func withUnreadBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { p in
            try body(UnsafeBufferPointer(rebasing: p[readIndex...]))
        }
    }
}
