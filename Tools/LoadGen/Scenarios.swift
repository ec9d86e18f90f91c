// The scenarios of loadgen.py, on one event loop. Each returns the scenario part of the JSON line.
import DocumentModel
import Foundation
import Glibc

/// A session opened by `open_one`: connected, ACK received and, when pulled, the PULL-DOC-REPLY.
struct Opened {
    let conn: Conn
    let t0: Double
    let tAck: Double
    let reply: BokehMessage?
}

final class Scenarios {
    let loop: Loop
    let options: Options
    let ps: ProcStats

    init(loop: Loop, options: Options, ps: ProcStats) {
        self.loop = loop
        self.options = options
        self.ps = ps
    }

    var now: Double { monotonicNow() }

    // MARK: Building blocks

    /// Sends PULL-DOC-REQ; PATCH-DOCs before the reply are skipped (as BokehJS does).
    func startPull(_ conn: Conn, timeout: Double, completion: @escaping (Result<BokehMessage, LoadGenError>) -> Void) {
        var finished = false
        func done(_ c: Conn, _ r: Result<BokehMessage, LoadGenError>) {
            guard !finished else { return }
            finished = true
            c.onMessage = nil
            c.onClose = nil
            c.deadline = 0
            completion(r)
        }
        conn.deadline = monotonicNow() + timeout
        let rid = conn.send(msgtype: "PULL-DOC-REQ", content: "{}")
        var skipped = 0
        conn.onMessage = { c, m in
            if m.msgtype == "PATCH-DOC" {
                skipped += 1
                if skipped > 100_000 { c.fail("too many messages before PULL-DOC-REPLY") }
                return
            }
            guard m.msgtype == "PULL-DOC-REPLY", m.reqid == rid else {
                c.fail("expected PULL-DOC-REPLY to \(rid), got \(m.msgtype) (reqid \(m.reqid ?? "none"))")
                return
            }
            done(c, .success(m))
        }
        conn.onClose = { c, reason in done(c, .failure(LoadGenError(reason ?? "connection closed"))) }
    }

    /// loadgen.py's `open_one`: connect (fresh or given session id), ACK, optionally pull.
    func startOpen(
        args: [(String, String)] = [], sessionID: String? = nil, pull: Bool = true, timeout: Double = 30,
        policy: ContentPolicy = .skip, completion: @escaping (Result<Opened, LoadGenError>) -> Void
    ) {
        let t0 = monotonicNow()
        let conn: Conn
        do { conn = try loop.connect(sessionID: sessionID ?? loop.newSessionID(), args: args, policy: policy) } catch {
            loop.later { completion(.failure(error)) }
            return
        }
        let deadline = t0 + timeout
        conn.deadline = deadline
        var finished = false
        func done(_ c: Conn, _ r: Result<Opened, LoadGenError>) {
            guard !finished else { return }
            finished = true
            c.onMessage = nil
            c.onClose = nil
            c.deadline = 0
            completion(r)
        }
        conn.onMessage = { c, m in
            guard m.msgtype == "ACK" else {
                c.fail("expected ACK, got \(m.msgtype)")
                return
            }
            let tAck = m.tDone
            guard pull else {
                done(c, .success(Opened(conn: c, t0: t0, tAck: tAck, reply: nil)))
                return
            }
            finished = true  // the pull reports from here on
            self.startPull(c, timeout: Swift.max(0.001, deadline - monotonicNow())) { r in
                completion(r.map { Opened(conn: c, t0: t0, tAck: tAck, reply: $0) })
            }
        }
        conn.onClose = { c, reason in done(c, .failure(LoadGenError(reason ?? "connection closed"))) }
    }

    /// Runs the loop until `start` reports.
    func wait<T>(_ start: (@escaping (Result<T, LoadGenError>) -> Void) -> Void) throws(LoadGenError) -> T {
        var result: Result<T, LoadGenError>?
        start { result = $0 }
        try loop.run(until: { result != nil })
        guard let result else { throw LoadGenError("no result") }
        return try result.get()
    }

    func openOne(
        args: [(String, String)] = [], sessionID: String? = nil, pull: Bool = true, timeout: Double = 30,
        policy: ContentPolicy = .skip
    ) throws(LoadGenError) -> Opened {
        try wait {
            startOpen(args: args, sessionID: sessionID, pull: pull, timeout: timeout, policy: policy, completion: $0)
        }
    }

    /// Closes `conns` (closing handshake) and runs the loop until every one is gone.
    func closeAll(_ conns: [Conn]) throws(LoadGenError) {
        var left = 0
        for c in conns where c.state != .closed {
            left += 1
            c.onMessage = nil
            c.onClose = { _, _ in left -= 1 }
            c.close()
        }
        try loop.run(until: { left == 0 })
    }

    func warmup(_ n: Int, args: [(String, String)] = []) throws(LoadGenError) {
        for _ in 0..<n {
            let o = try openOne(args: args)
            try closeAll([o.conn])
        }
    }

    /// loadgen.py's `open_many`: `n` sessions, at most `concurrency` opening at once.
    func openMany(
        _ n: Int, args: [(String, String)], sessionID: String? = nil, concurrency: Int, deadline: Double?,
        policy: ContentPolicy = .skip
    ) throws(LoadGenError) -> (conns: [Conn], errors: [String]) {
        var conns: [Conn] = []
        var errors: [String] = []
        var started = 0, finished = 0, inflight = 0
        var launching = false
        func launch() {
            guard !launching else { return }
            launching = true
            defer { launching = false }
            while inflight < concurrency && started < n {
                started += 1
                let t = monotonicNow()
                if let deadline, t > deadline {
                    errors.append("deadline")
                    finished += 1
                    continue
                }
                inflight += 1
                let timeout = deadline.map { Swift.max(1.0, $0 - t) } ?? 30
                startOpen(args: args, sessionID: sessionID, timeout: timeout, policy: policy) { r in
                    inflight -= 1
                    finished += 1
                    switch r {
                    case .success(let o): conns.append(o.conn)
                    case .failure(let e): errors.append(String(e.description.prefix(200)))
                    }
                    launch()
                }
            }
        }
        try loop.run(until: {
            launch()
            return finished == n
        })
        return (conns, errors)
    }

    // MARK: open

    func open(sessions: Int, concurrency: Int, warmup w: Int) throws(LoadGenError) -> Report {
        try warmup(w)
        var lats: [Double] = [], ackLats: [Double] = [], errors: [String] = []
        var next = 0, running = concurrency
        let deadline = now + options.maxTime
        let cpu0 = ps.cpu(), scpu0 = selfCPU(), rss0 = ps.rssKiB()

        func work() {
            guard next < sessions, monotonicNow() < deadline else {
                running -= 1
                return
            }
            next += 1
            startOpen(timeout: Swift.max(1.0, deadline - monotonicNow())) { r in
                switch r {
                case .success(let o):
                    if let reply = o.reply { lats.append(reply.tDone - o.t0) }
                    ackLats.append(o.tAck - o.t0)
                    o.conn.onClose = { _, _ in self.loop.later(work) }
                    o.conn.close()
                case .failure(let e):
                    errors.append(String(e.description.prefix(200)))
                    self.loop.later(work)
                }
            }
        }
        let t0 = now
        for _ in 0..<concurrency { work() }
        try loop.run(until: { running == 0 })
        let wall = now - t0
        let cpu1 = ps.cpu()
        var out = Report()
        out.set("scenario", "open")
        out.set("sessions", lats.count)
        out.set("requested", sessions)
        out.set("concurrency", concurrency)
        out.set("errors", errors.count)
        out.set("wall_s", wall, digits: 3)
        out.set("sessions_per_s", wall > 0 ? Double(lats.count) / wall : nil, digits: 2)
        out.latencies(lats)
        out.latencies(ackLats, prefix: "ack")
        out.set("server_cpu_s", cpuDelta(cpu0, cpu1), digits: 3)
        out.set(
            "server_cpu_ms_per_session",
            cpuDelta(cpu0, cpu1).flatMap { lats.isEmpty ? nil : $0 * 1000 / Double(lats.count) },
            digits: 3)
        out.set("server_rss_kb_before", rss0)
        out.set("server_rss_kb_after", ps.rssKiB())
        out.set("loadgen_cpu_s", selfCPU() - scpu0, digits: 3)
        out.errorSample(errors)
        return out
    }

    // MARK: patch

    private final class PatchWorker {
        let conn: Conn
        let slider: String
        let status: String
        var i = 0
        init(conn: Conn, slider: String, status: String) {
            self.conn = conn
            self.slider = slider
            self.status = status
        }
    }

    func patch(count: Int, concurrency: Int, warmup w: Int) throws(LoadGenError) -> Report {
        try warmup(w)
        var workers: [PatchWorker] = []
        for _ in 0..<concurrency {
            let o = try openOne(policy: .keep)
            guard let reply = o.reply, let content = try? JSONReader.parse(reply.content) else {
                throw LoadGenError("unreadable PULL-DOC-REPLY content")
            }
            let names = findNamedModels(content["doc"] ?? .null)
            guard let slider = names["slider"], let status = names["status"] else {
                diagnostic("document has no models named 'slider' and 'status'")
                exit(1)
            }
            workers.append(PatchWorker(conn: o.conn, slider: slider, status: status))
        }
        var lats: [Double] = [], errors: [String] = []
        var mismatches = 0, next = 0, running = workers.count
        let deadline = now + options.maxTime

        func step(_ w: PatchWorker) {
            guard next < count, monotonicNow() < deadline else {
                w.conn.onMessage = nil
                w.conn.onClose = nil
                running -= 1
                return
            }
            next += 1
            w.i += 1
            let v = (w.i % 100) + 1
            let content =
                #"{"events": [{"kind": "ModelChanged", "model": {"id": "\#(w.slider)"}, "attr": "value", "new": \#(v)}]}"#
            let t0 = monotonicNow()
            let rid = w.conn.send(msgtype: "PATCH-DOC", content: content)
            w.conn.deadline = t0 + Swift.max(1.0, deadline - t0 + 5)
            var gotOK = false, gotText = false
            let expected = "value=\(v)"
            w.conn.onMessage = { c, m in
                if m.msgtype == "OK" && m.reqid == rid {
                    gotOK = true
                } else if m.msgtype == "ERROR" {
                    errors.append("server ERROR: \(String(decoding: m.content.prefix(200), as: UTF8.self))")
                    c.onMessage = nil
                    c.onClose = nil
                    c.deadline = 0
                    running -= 1
                    return
                } else if m.msgtype == "PATCH-DOC", let parsed = try? JSONReader.parse(m.content) {
                    for e in parsed["events"]?.arrayValue ?? [] {
                        if e["attr"]?.stringValue == "text" && e["model"]?["id"]?.stringValue == w.status {
                            gotText = true
                            if e["new"]?.stringValue != expected { mismatches += 1 }
                        }
                    }
                }
                if gotOK && gotText {
                    lats.append(monotonicNow() - t0)
                    c.deadline = 0
                    step(w)
                }
            }
            w.conn.onClose = { _, reason in
                errors.append(String((reason ?? "connection closed").prefix(200)))
                running -= 1
            }
        }

        let cpu0 = ps.cpu(), scpu0 = selfCPU()
        let t0 = now
        for w in workers { step(w) }
        try loop.run(until: { running == 0 })
        let wall = now - t0
        let cpu1 = ps.cpu()
        try closeAll(workers.map(\.conn))
        var out = Report()
        out.set("scenario", "patch")
        out.set("concurrency", concurrency)
        out.set("round_trips", lats.count)
        out.set("requested", count)
        out.set("errors", errors.count)
        out.set("text_mismatches", mismatches)
        out.set("wall_s", wall, digits: 3)
        out.set("round_trips_per_s", wall > 0 ? Double(lats.count) / wall : nil, digits: 2)
        out.latencies(lats)
        out.set("server_cpu_s", cpuDelta(cpu0, cpu1), digits: 3)
        out.set(
            "server_cpu_ms_per_rt",
            cpuDelta(cpu0, cpu1).flatMap { lats.isEmpty ? nil : $0 * 1000 / Double(lats.count) },
            digits: 3)
        out.set("loadgen_cpu_s", selfCPU() - scpu0, digits: 3)
        out.errorSample(errors)
        return out
    }

    // MARK: fanout

    func fanout(clients: Int, duration: Double, settle: Double, shared: Bool, openConcurrency: Int, periodMs: Double)
        throws(LoadGenError) -> Report
    {
        let deadline = now + options.maxTime
        let tOpen0 = now
        let args = [("stream", "1")]
        var conns: [Conn], errs: [String]
        if shared {
            let first = try openOne(args: args, policy: .streamScan)
            let rest = try openMany(
                clients - 1, args: args, sessionID: first.conn.sessionID, concurrency: openConcurrency, deadline: nil,
                policy: .streamScan)
            conns = [first.conn] + rest.conns
            errs = rest.errors
        } else {
            (conns, errs) = try openMany(
                clients, args: args, concurrency: openConcurrency, deadline: deadline, policy: .streamScan)
        }
        let openS = now - tOpen0
        var counts = [Int](repeating: 0, count: conns.count)
        var stopped = [Bool](repeating: false, count: conns.count)
        var lags: [Double] = []
        var recvErrors: [String] = []
        var measuring = false
        lags.reserveCapacity(
            Swift.min(20_000_000, Int(Double(conns.count) * (1000 / Swift.max(1, periodMs)) * (duration + 1))))
        let start = now
        for (idx, c) in conns.enumerated() {
            c.tag = idx
            c.lastReceive = start
            c.onMessage = { c, m in
                guard measuring, m.msgtype == "PATCH-DOC" else { return }
                counts[c.tag] += 1
                if let ts = m.streamTimestamp { lags.append(wallNow() - ts) }
            }
            c.onClose = { c, reason in
                if !stopped[c.tag] {
                    stopped[c.tag] = true
                    recvErrors.append(String((reason ?? "connection closed").prefix(200)))
                }
            }
        }
        // A reader that waits more than 5 s for a message gives up (loadgen.py's recv timeout).
        var nextCheck = start + 1
        loop.onSweep = { t in
            guard t >= nextCheck else { return }
            nextCheck = t + 1
            for c in conns where !stopped[c.tag] && t - c.lastReceive > 5 {
                stopped[c.tag] = true
                c.onMessage = nil
                recvErrors.append("TimeoutError()")
            }
        }
        defer { loop.onSweep = nil }
        try loop.run(for: Swift.min(settle, Swift.max(0, deadline - now)))
        let cpu0 = ps.cpu(), scpu0 = selfCPU()
        measuring = true
        let t0 = now
        try loop.run(for: Swift.max(0, Swift.min(duration, deadline - now)))
        measuring = false
        let wall = now - t0
        let cpu1 = ps.cpu()
        let scpu1 = selfCPU()
        loop.onSweep = nil
        try closeAll(conns)
        let total = counts.reduce(0, +)
        let sessions = shared ? 1 : conns.count
        let expected = (1000.0 / periodMs) * wall * Double(shared ? conns.count : sessions)
        var out = Report()
        out.set("scenario", "fanout")
        out.set("mode", shared ? "shared" : "per-session")
        out.set("clients", conns.count)
        out.set("requested", clients)
        out.set("open_errors", errs.count)
        out.set("recv_errors", recvErrors.count)
        out.set("open_s", openS, digits: 3)
        out.set("wall_s", wall, digits: 3)
        out.set("msgs", total)
        out.set("msgs_per_s", wall > 0 ? Double(total) / wall : nil, digits: 2)
        out.set("expected_msgs_per_s", wall > 0 ? expected / wall : nil, digits: 2)
        out.set("delivery_ratio", expected != 0 ? Double(total) / expected : nil, digits: 4)
        out.set("per_client_min", counts.min())
        out.set("per_client_max", counts.max())
        out.latencies(lags, prefix: "lag")
        out.set("server_cpu_s", cpuDelta(cpu0, cpu1), digits: 3)
        out.set("server_cpu_pct", cpuDelta(cpu0, cpu1).flatMap { wall > 0 ? 100 * $0 / wall : nil }, digits: 1)
        out.set("server_rss_kb", ps.rssKiB())
        out.set("loadgen_cpu_s", scpu1 - scpu0, digits: 3)
        out.errorSample(errs + recvErrors)
        return out
    }

    // MARK: idle

    func idle(sessions: Int, hold: Double, openConcurrency: Int, warmup w: Int) throws(LoadGenError) -> Report {
        guard ps.pid != nil else {
            FileHandle.standardError.write(Data("loadgen idle: --pid of the server process is required\n".utf8))
            exit(1)
        }
        let deadline = now + options.maxTime
        try warmup(w)
        let scpu0 = selfCPU()
        try loop.run(for: 1.0)
        let rss0 = ps.rssKiB(), cpu0 = ps.cpu()
        let t0 = now
        let (conns, errs) = try openMany(sessions, args: [], concurrency: openConcurrency, deadline: deadline)
        let openS = now - t0
        let rss1 = ps.rssKiB()
        try loop.run(for: Swift.max(0, Swift.min(hold, deadline - now)))
        let rss2 = ps.rssKiB(), cpu2 = ps.cpu()
        try closeAll(conns)
        try loop.run(for: 1.0)
        let rss3 = ps.rssKiB()
        let n = conns.count
        var out = Report()
        out.set("scenario", "idle")
        out.set("sessions", n)
        out.set("requested", sessions)
        out.set("errors", errs.count)
        out.set("open_s", openS, digits: 3)
        out.set("hold_s", .double(hold))
        out.set("server_rss_kb_before", rss0)
        out.set("server_rss_kb_opened", rss1)
        out.set("server_rss_kb_after_hold", rss2)
        out.set("server_rss_kb_after_close", rss3)
        out.set(
            "rss_kb_per_session", n > 0 ? rss2.flatMap { a in rss0.map { Double(a - $0) / Double(n) } } : nil, digits: 1
        )
        out.set("server_cpu_s_open_and_hold", cpuDelta(cpu0, cpu2), digits: 3)
        out.set("error_sample", errs.isEmpty ? .null : .array(errs.prefix(3).map(JSONValue.string)))
        out.set("loadgen_cpu_s", selfCPU() - scpu0, digits: 3)
        return out
    }

    // MARK: bigpull

    func bigpull(rows: Int, repeats: Int, warmup w: Int) throws(LoadGenError) -> Report {
        try warmup(w)
        let scpu0 = selfCPU()
        struct Run { let openAck, pull, firstFrame: Double; let bytes, buffers: Int; let cpu: Double? }
        var res: [Run] = []
        let deadline = now + options.maxTime
        for _ in 0..<repeats {
            if now > deadline { break }
            let cpu0 = ps.cpu()
            let t0 = now
            let o = try openOne(args: [("rows", String(rows))], pull: false, timeout: Swift.max(1.0, deadline - now))
            let tReq = now
            let reply = try wait { startPull(o.conn, timeout: Swift.max(1.0, deadline - now), completion: $0) }
            let cpu1 = ps.cpu()
            res.append(
                Run(
                    openAck: o.tAck - t0, pull: reply.tDone - tReq, firstFrame: reply.tFirst - tReq,
                    bytes: reply.nbytes,
                    buffers: reply.bufferCount, cpu: cpuDelta(cpu0, cpu1)))
            try closeAll([o.conn])
        }
        let med = { (k: (Run) -> Double) in Stats.median(res.map(k)) }
        var out = Report()
        out.set("scenario", "bigpull")
        out.set("rows", rows)
        out.set("repeats", res.count)
        out.set("pull_s_median", med(\.pull), digits: 4)
        out.set("pull_s_all", .array(res.map { .double(Stats.round($0.pull, 4)) }))
        out.set("first_frame_s_median", med(\.firstFrame), digits: 4)
        out.set("open_ack_s_median", med(\.openAck), digits: 4)
        out.set("bytes", res.first?.bytes)
        out.set("buffers", res.first?.buffers)
        out.set("MB_per_s", res.first.flatMap { r in med(\.pull).map { Double(r.bytes) / $0 / 1e6 } }, digits: 2)
        out.set(
            "server_cpu_s_per_session_median", res.first?.cpu == nil ? nil : Stats.median(res.compactMap(\.cpu)),
            digits: 3)
        out.set("server_rss_kb", ps.rssKiB())
        out.set("loadgen_cpu_s", selfCPU() - scpu0, digits: 3)
        return out
    }

    // MARK: dump, wait

    func dump(args: [(String, String)]) throws(LoadGenError) -> Report {
        let o = try openOne(args: args, policy: .all)
        try closeAll([o.conn])
        guard let reply = o.reply else { throw LoadGenError("no reply") }
        func parse(_ bytes: [UInt8]) throws(LoadGenError) -> JSONValue {
            do { return try JSONReader.parse(bytes) } catch { throw LoadGenError("invalid JSON in reply: \(error)") }
        }
        var out = Report()
        out.set("scenario", "dump")
        out.set("header", try parse(reply.header))
        out.set("metadata", try parse(reply.metadata))
        out.set("content", try parse(reply.content))
        var buffers = JSONObject()
        for b in reply.buffers { buffers[b.id] = .int(b.length) }
        out.set("buffers", .object(buffers))
        out.set("bytes", reply.nbytes)
        return out
    }

    func waitReady() throws(LoadGenError) -> Report {
        let deadline = now + options.maxTime
        var last: String?
        var out = Report()
        out.set("scenario", "wait")
        while now < deadline {
            do {
                let o = try openOne(pull: false, timeout: 5.0)
                try closeAll([o.conn])
                out.set("ready", .bool(true))
                return out
            } catch {
                if error.description == LoadGenError.hardTimeout.description { throw error }
                last = String(error.description.prefix(200))
                try loop.run(for: 0.25)
            }
        }
        out.set("ready", .bool(false))
        out.set("error", last)
        return out
    }
}

func cpuDelta(_ a: Double?, _ b: Double?) -> Double? {
    guard let a, let b else { return nil }
    return b - a
}

/// Model name → id for every object in a serialized document (loadgen.py's `find_named_models`).
func findNamedModels(_ doc: JSONValue) -> [String: String] {
    var found: [String: String] = [:]
    func walk(_ v: JSONValue) {
        switch v {
        case .object(let o):
            if o["type"]?.stringValue == "object", let id = o["id"]?.stringValue,
                let name = o["attributes"]?["name"]?.stringValue, found[name] == nil
            {
                found[name] = id
            }
            for m in o.members { walk(m.value) }
        case .array(let a):
            for e in a { walk(e) }
        default:
            break
        }
    }
    walk(doc)
    return found
}
