#!/usr/bin/env python3
"""Side-by-side load benchmark: `swift-bokeh serve` against Python `bokeh serve` (stock and TCP_NODELAY).

Every scenario run gets a FRESH server on a free loopback port (server pinned to CPU 0, load generator to
CPU 1 when there are at least two CPUs); the load generator (`loadgen.py` from ../shared/bench, or the native
`bokeh-loadgen`, which has the same command line and JSON output) prints one JSON line per run. The runner
tags each line with the server kind and scenario, appends it to bench-results/<timestamp>.jsonl, then prints
one comparison table (medians over repetitions), the scaling sweeps (Python NODELAY and ours), and writes the tables to
bench-results/<timestamp>.md, a PNG plot and (full mode) the README "Performance" section.

    .venv/bin/python Tools/bench/bench.py --mode full|quick|validate --loadgen swift|python \\
        --bin-dir .build/release --shared ../shared [--kinds py,nodelay,ours] [--only patch_c1,fanout]
    .venv/bin/python Tools/bench/bench.py --render bench-results/<timestamp>.jsonl [--readme 1]   # tables again

Servers are always stopped (TERM, then KILL) by PID, also on errors and Ctrl-C. A run that fails or times
out shows "error" in its cells; the rest of the benchmark continues.
Counts live in PROFILES below; change them there.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# ----------------------------------------------------------------------------------------------- configuration

KINDS = ("py", "nodelay", "ours")
KIND_LABEL = {"py": "Python stock", "nodelay": "Python NODELAY", "ours": "ours"}
PY_KINDS = ("py", "nodelay")


@dataclass
class Scenario:
    """One loadgen invocation per server kind. `py` args go to both Python servers, `ours` to swift-bokeh.
    `None` for a kind means: not run for that kind (its cells show "—")."""
    id: str
    cmd: str                      # loadgen subcommand
    py: list[str] | None
    ours: list[str] | None
    max_time: float = 60.0        # loadgen --max-time (its own wall bound; hard cap 300 s)
    ours_max_time: float | None = None

    def args(self, kind: str) -> list[str] | None:
        return self.ours if kind == "ours" else self.py

    def bound(self, kind: str) -> float:
        return self.ours_max_time if kind == "ours" and self.ours_max_time else self.max_time


def A(s: str) -> list[str]:
    return s.split()


# Core scenarios (the targets). Python counts are scaled down: stock bokeh serve saturates one core
# at ~1,000 patch round trips/s, ~140 sessions/s and a few hundred streaming sessions (results/sweep.jsonl).
CORE_FULL = [
    Scenario("open_c16", "open", A("-k 300 -c 16"), A("-k 2000 -c 16"), max_time=90),
    Scenario("patch_c1", "patch", A("-n 300 -c 1"), A("-n 5000 -c 1"), max_time=60),
    Scenario("patch_c64", "patch", A("-n 3000 -c 64"), A("-n 100000 -c 64"), max_time=60, ours_max_time=20),
    Scenario("fanout", "fanout", A("-n 100 -t 8"), A("-n 5000 -t 8"), max_time=120),
    # Ours with 10,000 clients (100,000 msgs/s expected): at 20,000 the one generator core cannot read the
    # 200,000 msgs/s (one read and one epoll wake-up per message, ~7 µs each) and opening never completes.
    Scenario("fanout_shared", "fanout", A("-n 1000 -t 8 --shared"), A("-n 10000 -t 8 --shared"), max_time=180),
    Scenario("idle", "idle", A("-n 1000 --hold 3"), A("-n 1000 --hold 3"), max_time=120),
    Scenario("bigpull", "bigpull", A("-m 1000000 -r 5"), A("-m 1000000 -r 5"), max_time=90),
]
CORE_QUICK = [
    Scenario("open_c16", "open", A("-k 100 -c 16"), A("-k 500 -c 16"), max_time=30),
    Scenario("patch_c1", "patch", A("-n 60 -c 1"), A("-n 1000 -c 1"), max_time=30),
    Scenario("patch_c64", "patch", A("-n 640 -c 64"), A("-n 5000 -c 64"), max_time=30, ours_max_time=10),
    Scenario("fanout", "fanout", A("-n 50 -t 3 --settle 0.5"), A("-n 300 -t 3 --settle 0.5"), max_time=40),
    Scenario("fanout_shared", "fanout", A("-n 100 -t 3 --settle 0.5 --shared"),
             A("-n 1000 -t 3 --settle 0.5 --shared"), max_time=40),
    Scenario("idle", "idle", A("-n 150 --hold 1 --warmup 2"), A("-n 1000 --hold 1 --warmup 2"), max_time=40),
    Scenario("bigpull", "bigpull", A("-m 1000000 -r 2"), A("-m 1000000 -r 2"), max_time=40),
]


@dataclass
class Sweep:
    """A scaling sweep: `points` values of the swept parameter; Python servers only up to `py_max`."""
    id: str
    cmd: str
    param: str                    # label of the swept parameter
    points: list[int]
    py_max: int
    ours_args: object             # callable(point) -> list[str]
    py_args: object
    max_time: float = 60.0
    kinds: tuple[str, ...] = ("nodelay", "ours")   # Python stock is Nagle-bound; NODELAY is the baseline


SWEEPS_FULL = [
    Sweep("patch", "patch", "connections", [1, 16, 64, 256, 1024], py_max=256,
          ours_args=lambda c: A(f"-n {max(5000, 40 * c)} -c {c}"),
          py_args=lambda c: A(f"-n {1000 if c == 1 else 3000} -c {c}"), max_time=15),
    Sweep("fanout", "fanout", "sessions", [100, 1000, 2000, 3000, 4000, 5000, 10000], py_max=400,
          ours_args=lambda n: A(f"-n {n} -t 5"), py_args=lambda n: A(f"-n {n} -t 5"), max_time=150),
    Sweep("idle", "idle", "sessions", [100, 1000, 2000, 5000, 10000], py_max=2000,
          ours_args=lambda n: A(f"-n {n} --hold 3"), py_args=lambda n: A(f"-n {n} --hold 3"), max_time=150),
]
SWEEPS_QUICK = [
    Sweep("patch", "patch", "connections", [1, 16, 64], py_max=16,
          ours_args=lambda c: A(f"-n {max(1000, 20 * c)} -c {c}"), py_args=lambda c: A(f"-n {20 * max(c, 5)} -c {c}"),
          max_time=10),
    Sweep("fanout", "fanout", "sessions", [100, 1000], py_max=100,
          ours_args=lambda n: A(f"-n {n} -t 2 --settle 0.5"), py_args=lambda n: A(f"-n {n} -t 2 --settle 0.5"),
          max_time=40),
    Sweep("idle", "idle", "sessions", [100, 1000], py_max=100,
          ours_args=lambda n: A(f"-n {n} --hold 1 --warmup 2"), py_args=lambda n: A(f"-n {n} --hold 1 --warmup 2"),
          max_time=40),
]

# Validation: loadgen.py and bokeh-loadgen, same scenarios, against the Python NODELAY server.
VALIDATE_FULL = [
    Scenario("open", "open", A("-k 300 -c 4"), None),
    Scenario("patch_c1", "patch", A("-n 300 -c 1"), None),
    Scenario("patch_c16", "patch", A("-n 2000 -c 16"), None),
    Scenario("fanout_n50", "fanout", A("-n 50 -t 5"), None),
    Scenario("bigpull", "bigpull", A("-m 1000000 -r 3"), None),
]
VALIDATE_QUICK = [
    Scenario("open", "open", A("-k 50 -c 4"), None),
    Scenario("patch_c1", "patch", A("-n 50 -c 1"), None),
    Scenario("patch_c16", "patch", A("-n 320 -c 16"), None),
    Scenario("fanout_n50", "fanout", A("-n 50 -t 2 --settle 0.5"), None),
    Scenario("bigpull", "bigpull", A("-m 1000000 -r 1"), None),
]

PROFILES = {
    "full": dict(core=CORE_FULL, sweeps=SWEEPS_FULL, validate=VALIDATE_FULL, reps=2),
    "quick": dict(core=CORE_QUICK, sweeps=SWEEPS_QUICK, validate=VALIDATE_QUICK, reps=1),
}

# loadgen.py (one Python process on one core) cannot read more than ~10,000 streamed messages/s: a fanout run
# against our server with more clients than this never finishes opening (the hard timeout). With LOADGEN=python
# our fanout runs are capped here and sweep points above it are skipped ("—").
PYGEN_MAX_FANOUT_CLIENTS = 2000

SERVER_READY_S = 60.0        # a server must accept a WebSocket + ACK within this
RUN_GRACE_S = 60.0           # subprocess timeout = loadgen --max-time + this (loadgen adds 30 s itself)
NOFILE_WANT = 1_048_576      # fanout/idle hold 10,000-20,000 sockets on each side

# ----------------------------------------------------------------------------------------------- utilities


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def raise_nofile() -> tuple[int, int]:
    """Raise RLIMIT_NOFILE as far as allowed (children inherit it): the hard limit too when privileged."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for want in (NOFILE_WANT, 524_288, 262_144, 131_072, 65_536):
        if want <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard) if hard != resource.RLIM_INFINITY
                                                         else hard))
            break
        except (ValueError, OSError):
            continue
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _die_with_parent() -> None:
    """preexec_fn: Linux PR_SET_PDEATHSIG, so a server or generator is killed even if this runner is."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # 1 = PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 — best effort; the finally-blocks stop everything anyway
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def proc_cpu_s(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def last_json_line(text: str) -> dict | None:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def num(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt_num(v: float | None) -> str:
    if v is None:
        return "—"
    if isinstance(v, int):
        return f"{v:,}"
    a = abs(v)
    if a >= 1000 or (a >= 10 and float(v).is_integer()):
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    if a == 0:
        return "0"
    return f"{v:.3g}"


# ----------------------------------------------------------------------------------------------- processes


class Harness:
    def __init__(self, opts, out_jsonl: Path, logdir: Path):
        self.o = opts
        self.out_jsonl = out_jsonl
        self.logdir = logdir
        self.live: dict[int, subprocess.Popen] = {}   # every process we started and have not reaped
        pin = opts.pin and (os.cpu_count() or 1) >= 2 and shutil.which("taskset")
        self.srv_pin = ["taskset", "-c", "0"] if pin else []
        self.gen_pin = ["taskset", "-c", "1"] if pin else []
        self.pinned = bool(pin)
        self.env_line = ""
        self.nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]

    # -- generators
    def gen_cmd(self, gen: str) -> list[str]:
        if gen == "python":
            return [self.o.python, str(self.o.shared / "bench" / "loadgen.py")]
        return [str(self.o.bin_dir / "bokeh-loadgen")]

    # -- servers
    def server_cmd(self, kind: str, port: int) -> tuple[list[str], Path]:
        bench = self.o.shared / "bench"
        common = ["--address", "127.0.0.1", "--port", str(port), "--allow-websocket-origin", f"127.0.0.1:{port}",
                  "--session-ids", "unsigned", "--log-level", "warning"]
        if kind == "py":
            return [self.o.bokeh, "serve", "bench_app.py", *common], bench
        if kind == "nodelay":
            return [self.o.python, "serve_nodelay.py", "serve", "bench_app.py", *common], bench
        # 50 µs of polling after activity before sleeping: halves request/reply latency for no measurable CPU
        # per round trip (see README, Performance).
        cmd = [str(self.o.bin_dir / "swift-bokeh"), "serve", "bench_app", *common, "--busy-poll-us", "50"]
        if self.pinned:
            cmd += ["--num-procs", "1"]     # one event loop on the one core it may use
        return cmd, self.o.repo

    def spawn(self, cmd: list[str], cwd: Path, logfile: Path) -> subprocess.Popen:
        env = dict(os.environ)
        env.pop("BOKEH_SIGN_SESSIONS", None)
        env.pop("BOKEH_SECRET_KEY", None)
        with open(logfile, "ab") as lf:
            p = subprocess.Popen(cmd, cwd=cwd, stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=env, start_new_session=True, preexec_fn=_die_with_parent)
        self.live[p.pid] = p
        return p

    def stop(self, p: subprocess.Popen | None) -> None:
        """TERM, wait up to 5 s, then KILL; by PID (and its own process group, which only it leads)."""
        if p is None:
            return
        if p.poll() is None:
            for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.kill(p.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    p.wait(timeout=wait_s)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # anything the server forked into its session (start_new_session made it the group leader)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.live.pop(p.pid, None)

    def stop_all(self) -> None:
        for p in list(self.live.values()):
            self.stop(p)

    def start_server(self, kind: str, gen: str, tag: str) -> tuple[subprocess.Popen, str] | tuple[None, str]:
        port = free_port()
        cmd, cwd = self.server_cmd(kind, port)
        logfile = self.logdir / f"server-{tag}.log"
        p = self.spawn(self.srv_pin + cmd, cwd, logfile)
        url = f"http://127.0.0.1:{port}/bench_app"
        t0 = time.monotonic()
        res = self.run_gen(gen, url, None, ["wait"], SERVER_READY_S, f"wait-{tag}")
        self.last_ready_s = round(time.monotonic() - t0, 2)
        if not (res or {}).get("ready"):
            try:
                tail = logfile.read_text(errors="replace").splitlines()[-15:]
            except OSError:
                tail = []
            log(f"  ! {KIND_LABEL[kind]} did not become ready ({(res or {}).get('error')}); log tail:")
            for line in tail:
                log(f"    {line}")
            self.stop(p)
            return None, (res or {}).get("error") or "server not ready"
        return p, url

    def run_gen(self, gen: str, url: str, pid: int | None, args: list[str], max_time: float, tag: str) -> dict:
        cmd = [*self.gen_pin, *self.gen_cmd(gen), "--url", url, "--max-time", f"{max_time:g}"]
        if pid:
            cmd += ["--pid", str(pid)]
        if not args or args[0] != "wait":
            cmd += ["--tag", tag]
        cmd += args
        errlog = self.logdir / f"gen-{tag}.err"
        cpu0 = children_cpu_s()
        t0 = time.monotonic()
        with open(errlog, "ab") as ef:
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=ef, stdin=subprocess.DEVNULL,
                                 start_new_session=True, preexec_fn=_die_with_parent)
            self.live[p.pid] = p
            try:
                out, _ = p.communicate(timeout=max_time + RUN_GRACE_S)
            except subprocess.TimeoutExpired:
                self.stop(p)
                return {"error": f"timeout after {max_time + RUN_GRACE_S:.0f} s (runner)"}
            finally:
                self.live.pop(p.pid, None)
        wall = time.monotonic() - t0
        res = last_json_line(out.decode(errors="replace"))
        if res is None:
            try:
                tail = " | ".join(errlog.read_text(errors="replace").splitlines()[-3:])
            except OSError:
                tail = ""
            return {"error": f"no JSON from the load generator (exit {p.returncode}) {tail}"[:400]}
        res.setdefault("loadgen", gen)
        res["harness_gen_cpu_s"] = round(children_cpu_s() - cpu0, 3)
        res["harness_gen_wall_s"] = round(wall, 3)
        return res

    def run_one(self, phase: str, kind: str, gen: str, bench_id: str, cmd: str, args: list[str], max_time: float,
                rep: int = 1, extra: dict | None = None) -> dict:
        """Fresh server, one load generator run, server stopped. Returns the tagged JSON line (also written)."""
        args, clamped_from = clamp_connections(cmd, args, self.nofile)
        if clamped_from:
            extra = {**(extra or {}), "clamped_from": clamped_from}
            log(f"  ! {cmd} {clamped_from} connections > RLIMIT_NOFILE {self.nofile}: running {' '.join(args)}")
        if gen == "python" and kind == "ours" and cmd == "fanout":
            args, capped_from = clamp_connections(cmd, args, PYGEN_MAX_FANOUT_CLIENTS + FD_HEADROOM)
            if capped_from:
                extra = {**(extra or {}), "clamped_from": (extra or {}).get("clamped_from", capped_from)}
                log(f"  ! fanout {capped_from} clients is beyond loadgen.py: running {' '.join(args)}")
        tag = f"{phase}:{kind}:{bench_id}#{rep}"
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", tag)
        log(f"[{time.strftime('%H:%M:%S')}] {tag}: {gen} {cmd} {' '.join(args)}")
        t0 = time.monotonic()
        server = None
        try:
            server, url = self.start_server(kind, gen, safe)
            if server is None:
                res = {"scenario": cmd, "error": f"server start failed: {url}"}
            else:
                cpu0 = proc_cpu_s(server.pid)
                res = self.run_gen(gen, url, server.pid, [cmd, *args], max_time, tag)
                st = proc_status(server.pid)
                cpu1 = proc_cpu_s(server.pid)
                res["harness_server_ready_s"] = self.last_ready_s
                res["harness_server_rss_kb_end"] = st.get("VmRSS")
                res["harness_server_rss_kb_peak"] = st.get("VmHWM")
                if cpu0 is not None and cpu1 is not None:
                    res["harness_server_cpu_s"] = round(cpu1 - cpu0, 3)
                if server.poll() is not None:
                    res.setdefault("server_exit", server.returncode)
        except Exception as e:  # noqa: BLE001 — a broken run must not stop the benchmark
            res = {"scenario": cmd, "error": f"runner: {e!r}"[:400]}
        finally:
            self.stop(server)
        res.update({"server": kind, "bench_scenario": bench_id, "phase": phase, "rep": rep,
                    "bench_mode": self.o.mode, "bench_env": self.env_line,
                    "args": args, "pinned": self.pinned, "run_s": round(time.monotonic() - t0, 2), **(extra or {})})
        res.setdefault("scenario", cmd)
        res.setdefault("loadgen", gen)
        with open(self.out_jsonl, "a") as f:
            f.write(json.dumps(res) + "\n")
        brief = res.get("error") or ", ".join(f"{k}={res[k]}" for k in BRIEF_KEYS.get(cmd, []) if k in res)
        log(f"    -> {brief}  ({res['run_s']} s)")
        return res


# the flag that sets how many sockets a run holds open on each side
_CONN_FLAG = {"fanout": "-n", "idle": "-n", "patch": "-c", "open": "-c"}
FD_HEADROOM = 256   # descriptors each process needs besides its sockets


def clamp_connections(cmd: str, args: list[str], nofile: int) -> tuple[list[str], int | None]:
    """Lower the connection count to what RLIMIT_NOFILE allows; returns (args, the original count if lowered)."""
    flag = _CONN_FLAG.get(cmd)
    if flag not in args:
        return args, None
    i = args.index(flag) + 1
    n, cap = int(args[i]), max(1, nofile - FD_HEADROOM)
    if n <= cap:
        return args, None
    return args[:i] + [str(cap)] + args[i + 1:], n


BRIEF_KEYS = {
    "open": ["sessions_per_s", "lat_p50_ms", "lat_p99_ms", "errors"],
    "patch": ["round_trips_per_s", "lat_p50_ms", "lat_p99_ms", "errors"],
    "fanout": ["clients", "msgs_per_s", "delivery_ratio", "lag_p99_ms", "open_errors"],
    "idle": ["sessions", "rss_kb_per_session", "open_s", "errors"],
    "bigpull": ["pull_s_median", "MB_per_s", "bytes"],
}

# ----------------------------------------------------------------------------------------------- aggregation


def ok(r: dict) -> bool:
    return "error" not in r


def median_of(results: list[dict], key: str) -> float | None | str:
    """Median of `key` over successful runs; "error" when every run failed; None when nothing ran."""
    if not results:
        return None
    vals = [num(r.get(key)) for r in results if ok(r)]
    vals = [v for v in vals if v is not None]
    if vals:
        return statistics.median(vals)
    return "error" if any(not ok(r) for r in results) else None


def cell(v) -> str:
    return v if isinstance(v, str) else fmt_num(v)


# (scenario id, metric label, JSON key or callable(results) -> value, scale, target)
# target: (kind, threshold, text) with kind in ratio_ge | ours_lt | ours_le | ours_ge | None
MAIN_ROWS = [
    ("open_c16", "sessions/s (c=16)", "sessions_per_s", 1, ("ratio_ge", 20, "≥ 20× NODELAY")),
    ("open_c16", "open+pull p99 ms", "lat_p99_ms", 1, ("ours_lt", 10, "ours < 10 ms")),
    ("open_c16", "open+pull p50 ms", "lat_p50_ms", 1, None),
    ("open_c16", "server CPU ms/session", "server_cpu_ms_per_session", 1, None),
    ("patch_c1", "round trip p50 ms (c=1)", "lat_p50_ms", 1, ("ours_le", 0.1, "ours ≤ 0.1 ms")),
    ("patch_c1", "round trip p99 ms", "lat_p99_ms", 1, None),
    ("patch_c1", "round trips/s", "round_trips_per_s", 1, None),
    ("patch_c1", "server CPU ms/round trip", "server_cpu_ms_per_rt", 1, None),
    ("patch_c64", "round trips/s (c=64)", "round_trips_per_s", 1, ("ratio_ge", 20, "≥ 20× NODELAY")),
    ("patch_c64", "round trip p99 ms", "lat_p99_ms", 1, None),
    ("patch_c64", "server CPU ms/round trip", "server_cpu_ms_per_rt", 1, None),
    ("fanout", "max sessions, delivery ≥ 0.99", "@fanout_max", 1, ("ours_ge", 5000, "ours ≥ 5,000")),
    ("fanout", "sessions in this run", "clients", 1, None),
    ("fanout", "delivery ratio", "delivery_ratio", 1, None),
    ("fanout", "msgs/s", "msgs_per_s", 1, None),
    ("fanout", "lag p99 ms", "lag_p99_ms", 1, None),
    ("fanout", "server CPU %", "server_cpu_pct", 1, None),
    ("fanout_shared", "msgs/s (one session)", "msgs_per_s", 1, ("ours_ge", 200_000, "ours ≥ 200,000 (50×: info)")),
    ("fanout_shared", "clients in this run", "clients", 1, None),
    ("fanout_shared", "delivery ratio", "delivery_ratio", 1, None),
    ("fanout_shared", "lag p99 ms", "lag_p99_ms", 1, None),
    ("fanout_shared", "server CPU %", "server_cpu_pct", 1, None),
    ("idle", "RSS KB per idle session", "rss_kb_per_session", 1, ("ours_le", 24, "ours ≤ 24 KB")),
    ("idle", "sessions held", "sessions", 1, None),
    ("idle", "open time s", "open_s", 1, None),
    ("bigpull", "pull 1M rows, median ms", "pull_s_median", 1000, ("ours_le", 15, "ours ≤ 15 ms")),
    ("bigpull", "MB/s", "MB_per_s", 1, None),
    ("bigpull", "server CPU ms/pull", "server_cpu_s_per_session_median", 1000, None),
]
# counts that differ by design between the kinds (scaled-down Python runs): no ratio
NO_RATIO_KEYS = {"clients", "sessions"}
# per scenario, after its metric rows: peak server RSS and the generator's CPU (whole process)
TRAILER_ROWS = [
    ("server peak RSS MB", "harness_server_rss_kb_peak", 1 / 1024),
    ("generator CPU s", "harness_gen_cpu_s", 1),
]


def delivered(r: dict) -> bool:
    """A fanout run delivered its streams: 0.99 ≤ delivery_ratio ≤ 1 + one tick per client (window edges)
    + 1 %. More than that means the generator was still reading a backlog from before the window (it fell
    behind), which is not delivery."""
    d, wall = num(r.get("delivery_ratio")), num(r.get("wall_s"))
    if d is None or num(r.get("clients")) is None:
        return False
    upper = 1.01 + (1.0 / (10.0 * wall) if wall else 0.05)
    return 0.99 <= d <= upper


def fanout_max(results: list[dict]) -> float | None | str:
    """Largest per-session fanout client count whose streams were delivered (core run and sweep)."""
    if not results:
        return None
    good = [r["clients"] for r in results if ok(r) and delivered(r)]
    if good:
        return max(good)
    return 0 if any(ok(r) for r in results) else "error"


def build_main_table(core: dict, fanout_all: dict, scen_ids: list[str]) -> tuple[list[str], list[list]]:
    header = ["scenario", "metric", KIND_LABEL["py"], KIND_LABEL["nodelay"], KIND_LABEL["ours"],
              "ours/NODELAY", "target", "met?"]
    rows = []
    last = None
    for sid in scen_ids:
        srows = [r for r in MAIN_ROWS if r[0] == sid]
        trailer = [(sid, label, key, scale, None) for label, key, scale in TRAILER_ROWS]
        for (scen, label, key, scale, target) in srows + trailer:
            vals = {}
            for k in KINDS:
                if key == "@fanout_max":
                    v = fanout_max(fanout_all.get(k, []))
                else:
                    v = median_of(core.get((k, scen), []), key)
                if isinstance(v, float) or isinstance(v, int):
                    v = v * scale
                vals[k] = v
            o, n = vals["ours"], vals["nodelay"]
            ratio = o / n if isinstance(o, (int, float)) and isinstance(n, (int, float)) and n else None
            if key in NO_RATIO_KEYS:
                ratio = None
            met = ""
            if target:
                tk, thr, _ = target
                if tk == "ratio_ge":
                    met = "—" if ratio is None else ("yes" if ratio >= thr else "no")
                elif isinstance(o, (int, float)):
                    met = {"ours_lt": o < thr, "ours_le": o <= thr, "ours_ge": o >= thr}[tk]
                    met = "yes" if met else "no"
                else:
                    met = "—"
            rows.append([sid if sid != last else "", label, cell(vals["py"]), cell(vals["nodelay"]),
                         cell(vals["ours"]), "—" if ratio is None else f"{ratio:.3g}×",
                         target[2] if target else "", met])
            last = sid
    return header, rows


def build_sweep_table(sweeps: list[Sweep], sweep_res: dict) -> tuple[list[str], list[list]]:
    header = ["sweep", "n", "NODELAY p50 ms", "NODELAY p99 ms", "NODELAY throughput", "NODELAY extra",
              "ours p50 ms", "ours p99 ms", "ours throughput", "ours extra"]
    spec = {
        "patch": ("lat_p50_ms", "lat_p99_ms", "round_trips_per_s", "rt/s", "server_cpu_ms_per_rt", "CPU ms/rt"),
        "fanout": ("lag_p50_ms", "lag_p99_ms", "msgs_per_s", "msgs/s", "delivery_ratio", "delivery"),
        "idle": (None, None, "@open_rate", "opens/s", "rss_kb_per_session", "KB/session"),
    }
    rows = []
    for sw in sweeps:
        p50k, p99k, thk, thu, exk, exu = spec[sw.id]
        first = True
        for pt in sw.points:
            row = [f"{sw.id} ({sw.param})" if first else "", f"{pt:,}"]
            first = False
            for k in ("nodelay", "ours"):
                res = sweep_res.get((k, sw.id, pt), [])
                if not res:
                    row += ["—"] * 4
                    continue
                p50 = median_of(res, p50k) if p50k else None
                p99 = median_of(res, p99k) if p99k else None
                if thk == "@open_rate":
                    th = open_rate(res)
                else:
                    th = median_of(res, thk)
                ex = median_of(res, exk)
                row += [cell(p50), cell(p99), f"{cell(th)} {thu}" if isinstance(th, (int, float)) else cell(th),
                        f"{cell(ex)} {exu}" if isinstance(ex, (int, float)) else cell(ex)]
            rows.append(row)
    return header, rows


def open_rate(res: list[dict]) -> float | None | str:
    vals = [r["sessions"] / r["open_s"] for r in res if ok(r) and num(r.get("sessions")) and num(r.get("open_s"))]
    if vals:
        return statistics.median(vals)
    return "error" if res else None


def render_table(header: list[str], rows: list[list], markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)  # noqa: E731
                               for i, (c, w) in enumerate(zip(r, widths)))
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep] + [line(r) for r in rows])


# ----------------------------------------------------------------------------------------------- plot, README


def plot_sweeps(sweeps: list[Sweep], sweep_res: dict, path: Path, title: str) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:  # noqa: BLE001
        return f"matplotlib unavailable: {e!r}"
    spec = {
        "patch": ("PATCH-DOC round trip", "lat_p50_ms", "lat_p99_ms", "latency ms", "round_trips_per_s",
                  "round trips/s"),
        "fanout": ("fanout, per-session streams", "lag_p50_ms", "lag_p99_ms", "delivery lag ms", "msgs_per_s",
                   "messages/s received"),
        "idle": ("idle sessions (1000 rows)", None, None, None, "rss_kb_per_session", "server RSS KB/session"),
    }
    colors = {"nodelay": "tab:blue", "ours": "tab:orange", "py": "tab:gray"}
    fig, axes = plt.subplots(2, len(sweeps), figsize=(5 * len(sweeps), 8), squeeze=False)
    for j, sw in enumerate(sweeps):
        name, p50k, p99k, ylab, thk, thlab = spec[sw.id]
        top, bottom = axes[0][j], axes[1][j]
        for k in sw.kinds:
            pts = [p for p in sw.points if sweep_res.get((k, sw.id, p))]
            if not pts:
                continue

            def series(key):
                xs, ys = [], []
                for p in pts:
                    v = median_of(sweep_res[(k, sw.id, p)], key)
                    if isinstance(v, (int, float)) and v > 0:
                        xs.append(p)
                        ys.append(v)
                return xs, ys
            if p50k:
                xs, ys = series(p50k)
                top.plot(xs, ys, "o-", color=colors[k], label=f"{KIND_LABEL[k]} p50")
                xs, ys = series(p99k)
                top.plot(xs, ys, "s--", color=colors[k], label=f"{KIND_LABEL[k]} p99")
            else:
                xs, ys = [], []
                for p in pts:
                    v = open_rate(sweep_res[(k, sw.id, p)])
                    if isinstance(v, (int, float)) and v > 0:
                        xs.append(p)
                        ys.append(v)
                top.plot(xs, ys, "o-", color=colors[k], label=f"{KIND_LABEL[k]}")
            xs, ys = series(thk)
            bottom.plot(xs, ys, "o-", color=colors[k], label=KIND_LABEL[k])
        top.set_title(name)
        top.set_ylabel(ylab or "sessions opened/s")
        bottom.set_ylabel(thlab)
        for ax in (top, bottom):
            ax.set_xscale("log")
            ax.set_xlabel(sw.param)
            ax.grid(True, which="both", alpha=0.3)
            if ax.lines:
                ax.legend(fontsize=8)
        if top.lines:
            top.set_yscale("log")
        if bottom.lines and sw.id != "idle":
            bottom.set_yscale("log")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return None


README_BEGIN = "<!-- bench:begin -->"
README_END = "<!-- bench:end -->"


def update_readme(readme: Path, body: str) -> str:
    text = readme.read_text()
    if README_BEGIN not in text or README_END not in text:
        return f"{readme}: markers {README_BEGIN} / {README_END} not found; not updated"
    pre, rest = text.split(README_BEGIN, 1)
    _, post = rest.split(README_END, 1)
    readme.write_text(pre + README_BEGIN + "\n" + body.strip() + "\n" + README_END + post)
    return f"{readme}: Performance section updated"


# ----------------------------------------------------------------------------------------------- phases


def run_validation(h: Harness, scenarios: list[Scenario], have_swift: bool) -> str:
    """loadgen.py and bokeh-loadgen against fresh Python NODELAY servers; a side-by-side table."""
    if not have_swift:
        return ("validation skipped: bokeh-loadgen is not built "
                f"({h.o.bin_dir / 'bokeh-loadgen'} missing; `swift build -c release --product bokeh-loadgen`)")
    keys = {**BRIEF_KEYS, "open": ["sessions_per_s", "lat_p50_ms", "lat_p99_ms", "ack_p50_ms",
                                   "server_cpu_ms_per_session", "errors"],
            "patch": ["round_trips_per_s", "lat_p50_ms", "lat_p99_ms", "server_cpu_ms_per_rt", "text_mismatches",
                      "errors"],
            "fanout": ["clients", "msgs_per_s", "delivery_ratio", "lag_p50_ms", "lag_p99_ms", "server_cpu_pct"],
            "bigpull": ["bytes", "buffers", "pull_s_median", "first_frame_s_median", "MB_per_s"]}
    rows = []
    for sc in scenarios:
        res = {g: h.run_one("validate", "nodelay", g, sc.id, sc.cmd, sc.py, sc.max_time) for g in ("python", "swift")}
        for i, k in enumerate(keys.get(sc.cmd, []) + ["loadgen_cpu_s", "harness_gen_cpu_s"]):
            a, b = (res["python"].get(k) if ok(res["python"]) else "error"), \
                   (res["swift"].get(k) if ok(res["swift"]) else "error")
            ratio = f"{b / a:.3g}" if num(a) and num(b) is not None else ""
            rows.append([f"{sc.id} {' '.join(sc.py)}" if i == 0 else "", k, cell(num(a) if num(a) is not None else a),
                         cell(num(b) if num(b) is not None else b), ratio])
    return render_table(["scenario", "metric", "loadgen.py", "bokeh-loadgen", "native/py"], rows, markdown=False)


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    repo = here.parents[1]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["full", "quick", "validate"], default="full")
    ap.add_argument("--loadgen", choices=["swift", "python"], default=os.environ.get("LOADGEN", "swift"))
    ap.add_argument("--bin-dir", type=Path, default=repo / ".build" / "release")
    ap.add_argument("--shared", type=Path, default=repo.parent / "shared")
    ap.add_argument("--python", default=sys.executable, help="Python with bokeh 3.10.2 and websockets")
    ap.add_argument("--bokeh", default=None, help="the bokeh command (default: next to --python)")
    ap.add_argument("--out-dir", type=Path, default=repo / "bench-results")
    ap.add_argument("--reps", type=int, default=None, help="core repetitions (default: full 2, quick 1)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="server kinds to run: py,nodelay,ours")
    ap.add_argument("--only", default="", help="comma list of core scenario / sweep ids to run "
                    "(e.g. fanout_shared,patch); default all")
    ap.add_argument("--skip", default="", help="comma list of phases to skip: core,sweeps,validate")
    ap.add_argument("--validate", type=int, default=None, help="1/0: run the generator validation "
                    "(default: full yes, quick no)")
    ap.add_argument("--readme", type=int, default=None, help="1/0: rewrite README's Performance section and "
                    "docs/bench-scaling.png (default: full yes, quick no)")
    ap.add_argument("--render", type=Path, default=None, metavar="FILE.jsonl",
                    help="run nothing: re-render the tables (and, with --readme 1, README and plot) from the "
                    "JSON lines of an earlier run")
    ap.add_argument("--no-pin", dest="pin", action="store_false", help="do not taskset server/generator")
    o = ap.parse_args(argv)
    o.repo = repo
    o.shared = o.shared.resolve()
    o.bin_dir = o.bin_dir.resolve()
    o.bokeh = o.bokeh or str(Path(o.python).parent / "bokeh")
    kinds = [k for k in o.kinds.split(",") if k]
    skip = set(s for s in o.skip.split(",") if s)
    only = set(s for s in o.only.split(",") if s)

    if o.render:
        return render_saved(o)
    if not (o.shared / "bench" / "loadgen.py").exists():
        log(f"bench: {o.shared}/bench/loadgen.py not found (set --shared / SHARED)")
        return 2
    have_swift_gen = (o.bin_dir / "bokeh-loadgen").exists()
    if o.mode == "validate" and not have_swift_gen:
        log(f"bench: bench-validate compares loadgen.py with the native bokeh-loadgen, and "
            f"{o.bin_dir / 'bokeh-loadgen'} is missing.\n"
            "       Build it with `swift build -c release --product bokeh-loadgen`.")
        return 2
    if o.loadgen == "swift" and not have_swift_gen:
        log(f"bench: the native load generator {o.bin_dir / 'bokeh-loadgen'} is missing.\n"
            "       Build it with `swift build -c release --product bokeh-loadgen`, or run the Python generator:\n"
            "       make bench LOADGEN=python   (or bench-quick / bench-validate)")
        return 2
    if "ours" in kinds and o.mode != "validate" and not (o.bin_dir / "swift-bokeh").exists():
        log(f"bench: {o.bin_dir / 'swift-bokeh'} missing (swift build -c release --product swift-bokeh)")
        return 2

    nofile = raise_nofile()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    o.out_dir.mkdir(parents=True, exist_ok=True)
    out_jsonl = o.out_dir / f"{stamp}.jsonl"
    logdir = o.out_dir / f"{stamp}-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    h = Harness(o, out_jsonl, logdir)

    prof = PROFILES["quick" if o.mode == "quick" else "full"]
    reps = o.reps or prof["reps"]
    do_validate = o.mode == "validate" or (o.validate if o.validate is not None else o.mode == "full")
    do_readme = o.mode != "validate" and (o.readme if o.readme is not None else o.mode == "full")
    t_start = time.monotonic()
    env_line = (f"{platform.node()} · {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}) · "
                f"server {'pinned to CPU 0' if h.pinned else 'not pinned'}, generator "
                f"{'pinned to CPU 1' if h.pinned else 'not pinned'} · loadgen={o.loadgen} · mode={o.mode} · "
                f"reps={reps} · RLIMIT_NOFILE={nofile[0]} · {time.strftime('%Y-%m-%d %H:%M %Z')}")
    h.env_line = env_line
    log(f"bench: {env_line}\nbench: results -> {out_jsonl}")

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)

    core: dict = {}
    fanout_all: dict = {}
    sweep_res: dict = {}
    validation = None
    interrupted = False
    try:
        if o.mode != "validate" and "core" not in skip:
            for sc in prof["core"]:
                if only and sc.id not in only:
                    continue
                for k in kinds:
                    args = sc.args(k)
                    if args is None:
                        continue
                    for r in range(1, reps + 1):
                        res = h.run_one("core", k, o.loadgen, sc.id, sc.cmd, args, sc.bound(k), r)
                        core.setdefault((k, sc.id), []).append(res)
                        if sc.id == "fanout":
                            fanout_all.setdefault(k, []).append(res)
        if o.mode != "validate" and "sweeps" not in skip:
            for sw in prof["sweeps"]:
                if only and sw.id not in only:
                    continue
                for k in sw.kinds:
                    if k not in kinds:
                        continue
                    for pt in sw.points:
                        if k in PY_KINDS and pt > sw.py_max:
                            continue
                        if (k == "ours" and o.loadgen == "python" and sw.id == "fanout"
                                and pt > PYGEN_MAX_FANOUT_CLIENTS):
                            continue
                        args = sw.ours_args(pt) if k == "ours" else sw.py_args(pt)
                        res = h.run_one("sweep", k, o.loadgen, f"{sw.id}_{pt}", sw.cmd, args, sw.max_time)
                        sweep_res.setdefault((k, sw.id, pt), []).append(res)
                        if sw.id == "fanout":
                            fanout_all.setdefault(k, []).append(res)
        if do_validate and "validate" not in skip:
            validation = run_validation(h, prof["validate"], have_swift_gen)
    except KeyboardInterrupt as e:
        interrupted = True
        log(f"bench: interrupted ({e}); stopping servers and printing what ran")
    finally:
        h.stop_all()

    elapsed = time.monotonic() - t_start
    report(o, prof, env_line, stamp, core, fanout_all, sweep_res, validation, elapsed, interrupted, do_readme)
    return 130 if interrupted else 0


def render_saved(o) -> int:
    """--render: rebuild core/sweep results from a JSON-lines file written by an earlier run."""
    prof = PROFILES["quick" if o.mode == "quick" else "full"]
    core, fanout_all, sweep_res = {}, {}, {}
    env_line = f"re-rendered from {o.render.name}"
    sweep_ids = {sw.id for sw in prof["sweeps"]}
    with open(o.render) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if r.get("loadgen") in ("python", "swift"):
                o.loadgen = r["loadgen"]
            env_line = r.get("bench_env") or env_line
            if r.get("bench_mode") in PROFILES:
                o.mode, prof = r["bench_mode"], PROFILES[r["bench_mode"]]
                sweep_ids = {sw.id for sw in prof["sweeps"]}
            k, sid, phase = r.get("server"), r.get("bench_scenario", ""), r.get("phase")
            if phase == "core":
                core.setdefault((k, sid), []).append(r)
                if sid == "fanout":
                    fanout_all.setdefault(k, []).append(r)
            elif phase == "sweep":
                name, _, pt = sid.rpartition("_")
                if name in sweep_ids and pt.isdigit():
                    sweep_res.setdefault((k, name, int(pt)), []).append(r)
                    if name == "fanout":
                        fanout_all.setdefault(k, []).append(r)
    o.out_dir = o.render.parent
    report(o, prof, env_line, o.render.stem, core, fanout_all, sweep_res, None, 0.0, False, bool(o.readme),
           out_jsonl=o.render)
    return 0


def report(o, prof, env_line, stamp, core, fanout_all, sweep_res, validation, elapsed, interrupted, do_readme,
           out_jsonl=None) -> None:
    """Print the tables; write <stamp>.md, the plot and (do_readme) README's Performance section."""
    out_jsonl = out_jsonl or (o.out_dir / f"{stamp}.jsonl")
    out_md = o.out_dir / f"{stamp}.md"
    sections = []
    text_out = []
    scen_ids = [sc.id for sc in prof["core"]]
    if core or fanout_all:
        hdr, rows = build_main_table(core, fanout_all, scen_ids)
        text_out.append(render_table(hdr, rows, markdown=False))
        sections.append(("Main comparison (medians over repetitions; ratios and targets against Python "
                         "NODELAY in the same run)", render_table(hdr, rows, markdown=True)))
    if sweep_res:
        hdr, rows = build_sweep_table(prof["sweeps"], sweep_res)
        text_out.append(render_table(hdr, rows, markdown=False))
        sections.append(("Scaling sweeps", render_table(hdr, rows, markdown=True)))
    notes = []
    if o.loadgen == "python":
        notes.append("Generator: loadgen.py (Python). On one core it saturates long before our server does, so "
                     "the figures for ours are lower bounds set by the generator; our fanout runs are capped at "
                     f"{PYGEN_MAX_FANOUT_CLIENTS:,} clients.")
    clamped = sorted({f"{r['server']}:{r['bench_scenario']} ({r['clamped_from']:,} requested, ran "
                      f"`{' '.join(r['args'])}`)"
                      for lst in list(core.values()) + list(sweep_res.values()) for r in lst if r.get("clamped_from")})
    if clamped:
        notes.append("Connection counts lowered (RLIMIT_NOFILE or generator cap): " + ", ".join(clamped) + ".")
    bad = []
    for res_list in list(core.values()) + list(sweep_res.values()):
        for r in res_list:
            n_err = (num(r.get("errors")) or 0) + (num(r.get("open_errors")) or 0) + (num(r.get("recv_errors")) or 0)
            if not ok(r):
                bad.append(f"{r['phase']}:{r['server']}:{r['bench_scenario']}#{r['rep']}: {r['error'][:160]}")
            elif n_err:
                bad.append(f"{r['phase']}:{r['server']}:{r['bench_scenario']}#{r['rep']}: {int(n_err)} errors "
                           f"{(r.get('error_sample') or [''])[0][:120]}")
    if validation:
        sections.append(("Generator validation (against Python NODELAY)", "```\n" + validation + "\n```"))

    print()
    print(f"== make bench ({o.mode}) · {env_line}")
    for t in text_out:
        print()
        print(t)
    for n in notes:
        print(f"\nNote: {n}")
    if bad:
        print("\nRuns with errors:")
        for b in bad:
            print(f"  {b}")
    if validation:
        print("\nGenerator validation (loadgen.py vs bokeh-loadgen, Python NODELAY server):")
        print(validation)
    print(f"\nbench: wall time {elapsed / 60:.1f} min{' (interrupted)' if interrupted else ''}; "
          f"JSON lines: {out_jsonl}")

    # Markdown report, plot, README
    png = (o.repo / "docs" / "bench-scaling.png") if do_readme else (o.out_dir / f"{stamp}-scaling.png")
    plot_err = None
    if sweep_res:
        plot_err = plot_sweeps(prof["sweeps"], sweep_res, png,
                               f"swift-bokeh vs Python bokeh serve (NODELAY) · loadgen={o.loadgen} · {o.mode} · "
                               f"{time.strftime('%Y-%m-%d')}")
        print(f"bench: plot {'not written: ' + plot_err if plot_err else png}")
    md = [f"# make bench ({o.mode})", "", env_line, ""]
    for title, body in sections:
        md += [f"## {title}", "", body, ""]
    md += [f"Note: {n}" for n in notes]
    if bad:
        md += ["", "Runs with errors:", ""] + [f"- {b}" for b in bad]
    md += ["", f"Wall time {elapsed / 60:.1f} min. Raw JSON lines: `{out_jsonl.name}`."]
    out_md.write_text("\n".join(md) + "\n")
    print(f"bench: tables -> {out_md}")
    if do_readme and (core or sweep_res) and not interrupted:
        body = ["Measured by `make bench` (`Tools/bench/bench.py`): the bench app of `../shared/bench/bench_app.md` "
                "served by Python `bokeh serve` 3.10.2 (stock, and with TCP_NODELAY on every WebSocket), and by "
                "`swift-bokeh serve bench_app --busy-poll-us 50`; a fresh server per run.", "", f"_{env_line}_", ""]
        for title, b in sections:
            if title.startswith("Generator validation"):
                continue
            body += [f"### {title}", "", b, ""]
        if sweep_res and not plot_err:
            rel = png.relative_to(o.repo)
            body += [f"![Scaling: latency and throughput against connections/sessions]({rel})", ""]
        body += [f"_{n}_" for n in notes]
        print("bench: " + update_readme(o.repo / "README.md", "\n".join(body)))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
