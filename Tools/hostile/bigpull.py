"""Big replies arrive whole: one huge PULL-DOC, then N pipelined PULL-DOC-REQs for a large document.

    python3 Tools/hostile/bigpull.py --port PORT [--app bench_app] [--rows 5000000] [--pipelined 6]
        [--pipelined-rows 2000000] [--json]

Both use the bench app's `rows` argument (float64 columns, 16 bytes a row for x and y). Prints, for each
case, whether every reply arrived, the bytes received and the time taken. Standard library only.
"""

import argparse
import json
import sys
import time

from bokehws import BokehSocket, Closed, session_id, token


def pull_rows(host, port, app, rows, pipelined):
    started = time.monotonic()
    ws = BokehSocket(host, port, app, tok=token(session_id()), query=f"rows={rows}", timeout=120)
    ws.recv_until("ACK")
    ids = [ws.send_message("PULL-DOC-REQ") for _ in range(pipelined)]
    got = 0
    total = 0
    error = None
    try:
        while got < pipelined:
            header, _, content, buffers = ws.recv_until("PULL-DOC-REPLY")
            if header["msgtype"] != "PULL-DOC-REPLY" or header.get("reqid") != ids[got]:
                error = f"unexpected {header}"
                break
            got += 1
            total += len(content) + sum(len(b) for _, b in buffers)
    except (Closed, OSError) as e:
        error = str(e)
    ws.close()
    return {"rows": rows, "requests": pipelined, "replies": got, "bytes": total, "error": error,
            "seconds": round(time.monotonic() - started, 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--app", default="bench_app")
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--pipelined", type=int, default=6)
    ap.add_argument("--pipelined-rows", type=int, default=1_000_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = [
        pull_rows(args.host, args.port, args.app, args.rows, 1),
        pull_rows(args.host, args.port, args.app, args.pipelined_rows, args.pipelined),
    ]
    print(json.dumps(results) if args.json else "\n".join(json.dumps(r) for r in results))
    return 0 if all(r["replies"] == r["requests"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
