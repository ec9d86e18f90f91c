"""Soak: hours of churn compressed into minutes, against one server process; standard library only.

    python3 Tools/hostile/soak.py --port PORT --pid PID [--cycles 100000] [--workers 3] [--streams 20]
        [--viewers 20] [--sample-s 2] [--warmup-pct 10] [--tolerance-pct 5] [--json]

Runs at once:
- churn workers, each cycle: open a new session of bench_app, ACK, PULL-DOC, PATCH-DOC its title to the session's
  own id, OK, PULL-DOC again and check the title is that id (no data lost, none from another session), close;
- --streams connections to sessions of stream_app, each reading its PATCH-DOCs, checking that the `streamed=<n>`
  counter of its own session only ever grows by one;
- --viewers connections to one shared stream_app session (a broadcast), each checking the same.
The server's RSS and open descriptors are sampled every --sample-s seconds. After the first --warmup-pct of the
cycles the churn pauses for --settle-s (unused sessions are reaped, the streams go on): that is the baseline. At
the end, after the same pause, RSS and descriptors must be within --tolerance-pct of it: they come back. Exits 1 on any failure, lost or crossed data, or
growth beyond the tolerance.
"""

import argparse
import json
import re
import sys
import threading
import time

from bokehws import BokehSocket, Closed, open_fds, rss_kb, session_id, token

COUNTER = re.compile(rb'streamed=(\d+)')


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.cycles = 0
        self.failures = []
        self.crossed = 0
        self.stream_messages = 0
        self.stream_gaps = 0

    def fail(self, what):
        with self.lock:
            self.failures.append(what)


def churn(args, stats, stop, quota):
    while not stop.is_set():
        with stats.lock:
            if stats.cycles >= quota:
                return
            stats.cycles += 1
        sid = session_id()
        try:
            ws = BokehSocket(args.host, args.port, "bench_app", tok=token(sid))
            ws.recv_until("ACK")
            ws.pull()
            msgid = ws.send_message("PATCH-DOC", {"events": [{"kind": "TitleChanged", "title": sid}]})
            header, _, content, _ = ws.recv_until("OK", reqid=msgid)
            if header["msgtype"] != "OK":
                stats.fail(f"PATCH-DOC answered {header['msgtype']}: {content[:200]!r}")
            _, doc, _ = ws.pull()
            title = json.loads(doc)["doc"]["title"]
            if title != sid:
                with stats.lock:
                    stats.crossed += 1
                stats.fail(f"session {sid[:8]}… pulled title {title[:12]!r}")
            ws.close()
        except (Closed, OSError, ValueError, KeyError) as e:
            stats.fail(f"cycle: {e!r}")


def watch(args, stats, stop, sid, name):
    """Reads a stream_app session's PATCH-DOCs; its counter must go up by one each time it changes."""
    try:
        ws = BokehSocket(args.host, args.port, "stream_app", tok=token(sid))
        ws.recv_until("ACK")
        _, doc, _ = ws.pull()
        found = COUNTER.findall(doc)
        last = int(found[-1]) if found else 0
        ws.sock.settimeout(5)
        while not stop.is_set():
            header, _, content, _ = ws.recv_message()
            if header["msgtype"] != "PATCH-DOC":
                continue
            with stats.lock:
                stats.stream_messages += 1
            for n in map(int, COUNTER.findall(content)):
                if n != last + 1 and n != last:
                    with stats.lock:
                        stats.stream_gaps += 1
                    stats.fail(f"{name}: counter {last} then {n}")
                last = n
        ws.close()
    except (Closed, OSError, ValueError) as e:
        if not stop.is_set():
            stats.fail(f"{name}: {e!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--cycles", type=int, default=100000)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--streams", type=int, default=20)
    ap.add_argument("--viewers", type=int, default=20)
    ap.add_argument("--sample-s", type=float, default=2.0)
    ap.add_argument("--warmup-pct", type=float, default=50.0)
    ap.add_argument("--tolerance-pct", type=float, default=5.0)
    ap.add_argument("--rss-tolerance-pct", type=float, default=None,
                    help="RSS bound, default --tolerance-pct (a short run ends before the allocator's high-water plateau)")
    ap.add_argument("--settle-s", type=float, default=10.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    stats = Stats()
    stop = threading.Event()
    watchers = []
    shared = session_id()
    for i in range(args.streams):
        watchers.append(threading.Thread(target=watch, args=(args, stats, stop, session_id(), f"stream {i}"), daemon=True))
    for i in range(args.viewers):
        watchers.append(threading.Thread(target=watch, args=(args, stats, stop, shared, f"viewer {i}"), daemon=True))
    for t in watchers:
        t.start()
    time.sleep(1.0)
    start = time.monotonic()
    samples = []  # (seconds, cycles, rss_kb, fds)

    def sample():
        with stats.lock:
            cycles = stats.cycles
        samples.append((round(time.monotonic() - start, 1), cycles, rss_kb(args.pid), open_fds(args.pid)))
        if not args.json:
            s = samples[-1]
            print(f"t {s[0]:7.1f} s  cycles {s[1]:7d}  rss {s[2] / 1024:7.1f} MB  fds {s[3]:5d}  "
                  f"stream msgs {stats.stream_messages}", flush=True)

    def run_churn(quota):
        workers = [threading.Thread(target=churn, args=(args, stats, stop, quota), daemon=True)
                   for _ in range(args.workers)]
        for t in workers:
            t.start()
        while any(t.is_alive() for t in workers):
            time.sleep(args.sample_s)
            sample()
            if len(stats.failures) > 50:
                stop.set()

    # Warm-up, then a quiet spell (unused sessions reaped, streams still running): the baseline. The rest of the
    # cycles, then the same quiet spell: the end. Both are measured in the same state.
    sample()
    run_churn(int(args.cycles * args.warmup_pct / 100.0))
    time.sleep(args.settle_s)
    sample()
    base = samples[-1]
    run_churn(args.cycles)
    seconds = time.monotonic() - start
    time.sleep(args.settle_s)
    sample()
    stop.set()
    for t in watchers:
        t.join(timeout=10)

    end = samples[-1]
    peak = max(s[2] for s in samples)
    rss_growth = 100.0 * (end[2] - base[2]) / base[2] if base[2] else 0.0
    fd_growth = 100.0 * (end[3] - base[3]) / base[3] if base[3] else 0.0
    result = {
        "cycles": stats.cycles,
        "cycles_per_s": round(stats.cycles / seconds, 1) if seconds else None,
        "seconds": round(seconds, 1),
        "failures": len(stats.failures),
        "crossed": stats.crossed,
        "stream_messages": stats.stream_messages,
        "stream_gaps": stats.stream_gaps,
        "rss_baseline_kb": base[2],
        "rss_peak_kb": peak,
        "rss_end_kb": end[2],
        "rss_growth_pct": round(rss_growth, 2),
        "fds_baseline": base[3],
        "fds_end": end[3],
        "fd_growth_pct": round(fd_growth, 2),
    }
    rss_bound = args.tolerance_pct if args.rss_tolerance_pct is None else args.rss_tolerance_pct
    ok = (not stats.failures and stats.stream_messages > 0 and rss_growth <= rss_bound
          and fd_growth <= args.tolerance_pct)
    result["passed"] = ok
    if args.json:
        result["samples"] = samples
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=1))
        for f in stats.failures[:10]:
            print("failure:", f, file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
