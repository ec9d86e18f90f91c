"""Session churn: open a session, PULL-DOC, close, many times, paced; sample the server's RSS.

    python3 Tools/hostile/churn.py --port PORT --pid PID [--app bench_app] [--cycles 10000] [--pace-ms 5]
        [--same-session] [--sample-every 500] [--warmup 2000] [--json]

Each cycle uses a new session id (or, with --same-session, one id for every cycle), so with a short
--unused-session-lifetime only a few hundred sessions are alive at once. Prints RSS and open descriptors
every --sample-every cycles and, at the end, the growth after warm-up (cycles before --warmup are not
counted) as KB and percent, plus KB per cycle. Standard library only.
"""

import argparse
import json
import sys
import time

from bokehws import BokehSocket, Closed, open_fds, rss_kb, session_id, token


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--app", default="bench_app")
    ap.add_argument("--cycles", type=int, default=10000)
    ap.add_argument("--pace-ms", type=float, default=5.0)
    ap.add_argument("--same-session", action="store_true")
    ap.add_argument("--sample-every", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=2000)
    ap.add_argument("--settle-s", type=float, default=0.0, help="wait this long after the last cycle, then sample again")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    shared = session_id()
    samples = []
    failures = 0
    start = time.monotonic()
    for i in range(args.cycles + 1):
        if i % args.sample_every == 0:
            samples.append((i, rss_kb(args.pid), open_fds(args.pid), round(time.monotonic() - start, 2)))
            if not args.json:
                print(f"cycle {i:7d}  rss {samples[-1][1] / 1024:8.1f} MB  fds {samples[-1][2]:5d}  t {samples[-1][3]:7.1f} s",
                      flush=True)
        if i == args.cycles:
            break
        t0 = time.monotonic()
        sid = shared if args.same_session else session_id()
        try:
            ws = BokehSocket(args.host, args.port, args.app, tok=token(sid))
            ws.recv_until("ACK")
            ws.pull()
            ws.close()
        except (Closed, OSError) as e:
            failures += 1
            if failures <= 5:
                print(f"cycle {i}: {e}", file=sys.stderr)
        delay = args.pace_ms / 1000 - (time.monotonic() - t0)
        if delay > 0:
            time.sleep(delay)
    if args.settle_s > 0:
        time.sleep(args.settle_s)
        samples.append((args.cycles, rss_kb(args.pid), open_fds(args.pid), round(time.monotonic() - start, 2)))
    after = [s for s in samples if s[0] >= args.warmup]
    base = after[0] if after else samples[0]
    end = samples[-1]
    growth_kb = end[1] - base[1]
    result = {
        "cycles": args.cycles,
        "failures": failures,
        "warmup_cycles": args.warmup,
        "rss_start_kb": samples[0][1],
        "rss_after_warmup_kb": base[1],
        "rss_end_kb": end[1],
        "rss_peak_after_warmup_kb": max(s[1] for s in after) if after else end[1],
        "growth_after_warmup_kb": growth_kb,
        "growth_after_warmup_pct": round(100.0 * growth_kb / base[1], 2) if base[1] else None,
        "kb_per_cycle_after_warmup": round(growth_kb / max(1, end[0] - base[0]), 4),
        "fds_start": samples[0][2],
        "fds_end": end[2],
        "seconds": round(time.monotonic() - start, 1),
        "samples": samples,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
