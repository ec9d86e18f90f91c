/// A min-heap of deadlines, earliest first; equal deadlines come out in insertion order.
///
/// Pure and clock-free: the event loop passes `now` in. Cancelled entries are skipped lazily by the
/// loop when they come due, so cancelling is O(1).
package struct TimerHeap<Payload> {
    package struct Entry {
        package var deadline: UInt64
        package var sequence: UInt64
        package var payload: Payload
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    package init() {}

    package var count: Int { entries.count }
    package var isEmpty: Bool { entries.isEmpty }
    /// The earliest deadline, if any.
    package var nextDeadline: UInt64? { entries.first?.deadline }

    package mutating func insert(deadline: UInt64, _ payload: Payload) {
        entries.append(Entry(deadline: deadline, sequence: nextSequence, payload: payload))
        nextSequence &+= 1
        siftUp(entries.count - 1)
    }

    /// Removes and returns the earliest entry whose deadline is at or before `now`.
    package mutating func popDue(now: UInt64) -> Payload? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return first.payload
    }

    package mutating func removeAll() { entries.removeAll() }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = entries[a], y = entries[b]
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.sequence < y.sequence
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { return }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < entries.count && less(l, m) { m = l }
            if r < entries.count && less(r, m) { m = r }
            if m == i { return }
            entries.swapAt(i, m)
            i = m
        }
    }
}
