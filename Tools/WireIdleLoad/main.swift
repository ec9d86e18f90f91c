// wire-idle-load: opens many idle WebSocket connections to a server and reports the connection rate and
// the server's memory per connection.
//
//   wire-idle-load --url ws://127.0.0.1:PORT --connections 10000 [--concurrency 256] [--hold SECONDS]
//                  [--server-pid PID] [--threads N]
//
// Keeps at most --concurrency handshakes in flight. After all are open it holds them for --hold seconds,
// checks every one is still open (and that a sample still echoes), then closes them all.
import Dispatch
import Foundation
import Glibc
import Locking
import Synchronization
import Wire

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("wire-idle-load: \(message)\n".utf8))
    exit(2)
}

struct Options {
    var url = ""
    var total = 10_000
    var concurrency = 256
    var hold = 5.0
    var serverPID: Int32?
    var threads = 2
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let v = args.popFirst() else { fail("\(flag) needs a value") }
        return v
    }
    while let a = args.popFirst() {
        switch a {
        case "--url": o.url = value(a)
        case "--connections": o.total = Int(value(a)) ?? o.total
        case "--concurrency": o.concurrency = max(1, Int(value(a)) ?? o.concurrency)
        case "--hold": o.hold = Double(value(a)) ?? o.hold
        case "--server-pid": o.serverPID = Int32(value(a))
        case "--threads": o.threads = max(1, Int(value(a)) ?? o.threads)
        default: fail("unknown argument \(a)")
        }
    }
    return o
}
let options = parseOptions()
let url = options.url, total = options.total, concurrency = options.concurrency, hold = options.hold
let serverPID = options.serverPID, threads = options.threads
guard !url.isEmpty else { fail("--url is required") }
signal(SIGPIPE, SIG_IGN)

/// Resident set size of `pid` in KiB, from /proc.
func rssKiB(_ pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

struct Counters {
    var started = 0
    var opened = 0
    var failed = 0
    var closedEarly = 0
    var firstError: String?
}

let counters = Lock(Counters())
let allSettled = DispatchSemaphore(value: 0)
func makeGroup() -> EventLoopGroup {
    do { return try EventLoopGroup(numberOfThreads: threads, name: "load") } catch { fail("\(error)") }
}
let group = makeGroup()

/// Per-loop list of open channels (touched only on that loop).
final class Pool {
    var channels: [WebSocketChannel] = []
}
let pools = group.loops.map { LoopBoundPool(loop: $0) }

/// `@unchecked Sendable`: a loop-bound box, its pool used only inside tasks run on `loop`.
final class LoopBoundPool: @unchecked Sendable {
    let loop: EventLoop
    let pool = Pool()
    init(loop: EventLoop) { self.loop = loop }
}

let baseline = serverPID.flatMap(rssKiB)
let start = DispatchTime.now().uptimeNanoseconds

@Sendable func launchNext() {
    let index = counters.withLock { c -> Int? in
        guard c.started < total else { return nil }
        c.started += 1
        return c.started - 1
    }
    guard let index else { return }
    let box = pools[index % pools.count]
    box.loop.execute {
        var configuration = WebSocketClientConfiguration()
        configuration.connectTimeout = .seconds(30)
        WebSocketClient.connect(to: url, on: box.loop, configuration: configuration) { result in
            switch result {
            case .success(let channel):
                box.pool.channels.append(channel)
                channel.onClose = { _ in counters.withLock { $0.closedEarly += 1 } }
                let done = counters.withLock { c -> Bool in
                    c.opened += 1
                    return c.opened + c.failed == total
                }
                if done { allSettled.signal() }
            case .failure(let error):
                let done = counters.withLock { c -> Bool in
                    c.failed += 1
                    if c.firstError == nil { c.firstError = "\(error)" }
                    return c.opened + c.failed == total
                }
                if done { allSettled.signal() }
            }
            launchNext()
        }
    }
}

for _ in 0..<min(concurrency, total) { launchNext() }
if allSettled.wait(timeout: .now() + .seconds(600)) == .timedOut { fail("timed out opening connections") }
let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let snapshot = counters.withLock { $0 }
let rate = Double(snapshot.opened) / elapsed
print(
    String(
        format: "opened %d connections (%d failed) in %.2f s: %.0f connections/s", snapshot.opened, snapshot.failed,
        elapsed, rate))
if let e = snapshot.firstError { print("first error: \(e)") }

Thread.sleep(forTimeInterval: hold)
if let pid = serverPID, let before = baseline, let after = rssKiB(pid) {
    let per = snapshot.opened > 0 ? Double(after - before) * 1024 / Double(snapshot.opened) : 0
    print(
        String(
            format: "server RSS: %d KiB before, %d KiB with %d idle connections: %.0f bytes per connection",
            before, after, snapshot.opened, per))
}

// Every connection must still be open; a sample must still echo.
let echoed = Atomic<Int>(0)
let checked = DispatchSemaphore(value: 0)
for box in pools {
    box.loop.execute {
        let open = box.pool.channels.filter { $0.isOpen }
        guard let sample = open.first else {
            checked.signal()
            return
        }
        sample.onMessage = { m in
            if m == .text("still there?") { echoed.add(1, ordering: .relaxed) }
            checked.signal()
        }
        sample.send(.text("still there?"))
    }
}
for _ in pools { _ = checked.wait(timeout: .now() + .seconds(10)) }
let closedEarly = counters.withLock { $0.closedEarly }
print(
    "after holding \(hold) s: \(snapshot.opened - closedEarly) still open, \(closedEarly) closed early, echo check \(echoed.load(ordering: .relaxed))/\(pools.count)"
)

let closedAll = DispatchSemaphore(value: 0)
for box in pools {
    box.loop.execute {
        for c in box.pool.channels {
            c.onClose = nil
            c.close(code: .goingAway)
        }
        box.pool.channels.removeAll()
        closedAll.signal()
    }
}
for _ in pools { closedAll.wait() }
Thread.sleep(forTimeInterval: 0.5)
group.shutdown()
exit(snapshot.failed == 0 && closedEarly == 0 && snapshot.opened == total ? 0 : 1)
