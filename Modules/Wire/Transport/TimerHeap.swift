/// A min-heap of deadlines, earliest first; equal deadlines come out in insertion order.
///
/// Pure and clock-free: the event loop passes `now` in. Cancelled entries are skipped lazily by the
/// loop when they come due, so cancelling is O(1).
package struct TimerHeap<Payload> {
    /// Ordering keys, kept apart from the payloads so that comparisons touch no reference counts.
    private struct Key {
        var deadline: UInt64
        var sequence: UInt64
    }

    private var keys: [Key] = []
    private var payloads: [Payload] = []
    private var nextSequence: UInt64 = 0

    package init() {}

    package var count: Int { keys.count }
    package var isEmpty: Bool { keys.isEmpty }
    /// The earliest deadline, if any.
    package var nextDeadline: UInt64? { keys.first?.deadline }

    package mutating func insert(deadline: UInt64, _ payload: Payload) {
        keys.append(Key(deadline: deadline, sequence: nextSequence))
        payloads.append(payload)
        nextSequence &+= 1
        siftUp(keys.count - 1)
    }

    /// Removes and returns the earliest entry whose deadline is at or before `now`.
    package mutating func popDue(now: UInt64) -> Payload? {
        guard let first = keys.first, first.deadline <= now else { return nil }
        let lastIndex = keys.count - 1
        keys.swapAt(0, lastIndex)
        payloads.swapAt(0, lastIndex)
        keys.removeLast()
        let payload = payloads.removeLast()
        if !keys.isEmpty { siftDown(0) }
        return payload
    }

    package mutating func removeAll() {
        keys.removeAll()
        payloads.removeAll()
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = keys[a], y = keys[b]
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.sequence < y.sequence
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        keys.swapAt(a, b)
        payloads.swapAt(a, b)
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { return }
            swap(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < keys.count && less(l, m) { m = l }
            if r < keys.count && less(r, m) { m = r }
            if m == i { return }
            swap(i, m)
            i = m
        }
    }
}
