// bokeh-loadgen: a native Bokeh-protocol load generator, a drop-in for /work/shared/bench/loadgen.py.
//
//   bokeh-loadgen --url http://127.0.0.1:PORT/APP [--pid PID] [--max-time S] [--tag T] COMMAND ...
//
// Same commands, options and JSON line as loadgen.py, plus "loadgen": "swift" and "loadgen_cpu_s" (this
// process's CPU seconds over the measured part) so a run shows whether the generator kept up. One epoll
// loop on the calling thread drives every connection; pin it with `taskset -c N`.
import DocumentModel
import Foundation
import Glibc

/// Raises the soft descriptor limit to the hard one (and the hard one too when privileged and `needed`
/// exceeds it); warns when `needed` descriptors will still not fit.
func raiseDescriptorLimit(needed: Int) {
    var lim = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 else { return }
    let want = rlim_t(needed + 1024)
    if lim.rlim_max < want {
        var raised = lim
        raised.rlim_cur = want
        raised.rlim_max = want
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { lim = raised }
    }
    if lim.rlim_cur < lim.rlim_max {
        var raised = lim
        raised.rlim_cur = lim.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { lim = raised }
    }
    if UInt64(needed) + 64 > UInt64(lim.rlim_cur) {
        diagnostic(
            "RLIMIT_NOFILE is \(lim.rlim_cur) (hard \(lim.rlim_max)) but this run needs about \(needed + 64) descriptors; "
                + "connections beyond the limit will fail with EMFILE. Raise the hard limit (ulimit -Hn) first.")
    }
}

func runMain() -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
    let target: Target
    do { target = try Target(url: options.url) } catch {
        diagnostic(error.description)
        return 1
    }
    raiseDescriptorLimit(needed: options.command.connections)
    let ts = wallNow()
    let ps = ProcStats(pid: options.pid)
    var result: Report
    do {
        let loop = try Loop(target: target)
        if case .wait = options.command {} else { loop.hardDeadline = monotonicNow() + options.maxTime + 30 }
        let s = Scenarios(loop: loop, options: options, ps: ps)
        do {
            switch options.command {
            case .open(let k, let c, let w): result = try s.open(sessions: k, concurrency: c, warmup: w)
            case .patch(let n, let c, let w): result = try s.patch(count: n, concurrency: c, warmup: w)
            case .fanout(let n, let t, let settle, let shared, let oc, let period):
                result = try s.fanout(
                    clients: n, duration: t, settle: settle, shared: shared, openConcurrency: oc, periodMs: period)
            case .idle(let n, let hold, let oc, let w):
                result = try s.idle(sessions: n, hold: hold, openConcurrency: oc, warmup: w)
            case .bigpull(let m, let r, let w): result = try s.bigpull(rows: m, repeats: r, warmup: w)
            case .dump(let args): result = try s.dump(args: args)
            case .wait: result = try s.waitReady()
            }
        } catch {
            result = Report()
            result.set("scenario", options.command.name)
            result.set("error", String(error.description.prefix(500)))
        }
    } catch {
        result = Report()
        result.set("scenario", options.command.name)
        result.set("error", "event loop: \(error)")
    }
    var out = Report()
    out.set("ts", Stats.round(ts, 3), digits: 3)
    if let tag = options.tag { out.set("tag", tag) }
    out.set("url", options.url)
    for m in result.object.members { out.set(m.key, m.value) }
    out.set("loadgen", "swift")
    if out["loadgen_cpu_s"] == nil { out.set("loadgen_cpu_s", selfCPU(), digits: 3) }
    FileHandle.standardOutput.write(Data((out.line() + "\n").utf8))
    return out.hasError ? 1 : 0
}

exit(runMain())
