#!/usr/bin/env python3
"""Python `websockets` client against our echo server (interop check).

    python client.py URL [--cafile CERT] [--no-deflate]

Sends text, binary, empty, Unicode and large messages, expects each echoed back unchanged,
checks that permessage-deflate was negotiated (unless --no-deflate), pings, then closes with 1000.
Prints one line per check and exits 0 when all pass.
"""
import asyncio
import ssl
import sys

from websockets.asyncio.client import connect


async def main(url, cafile, compression):
    context = None
    if url.startswith("wss://"):
        context = ssl.create_default_context(cafile=cafile)
    big = bytes((i * 31 + (i >> 8)) & 0xFF for i in range(1 << 20))
    messages = ["hello", "", "héllo wörld ✓ 🚀", bytes(range(256)), b"", big, "bokeh " * 20000]
    async with connect(url, ssl=context, compression=compression, max_size=2 ** 25) as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        if compression and "permessage-deflate" not in extensions:
            print("FAIL: permessage-deflate not negotiated")
            return 1
        print("connected to %s (extensions: %s)" % (url, extensions or "none"))
        for m in messages:
            await ws.send(m)
        for i, m in enumerate(messages):
            echoed = await ws.recv()
            if echoed != m:
                print("FAIL: message %d came back different" % i)
                return 1
        print("ok: %d messages echoed" % len(messages))
        pong = await ws.ping(b"interop")
        await asyncio.wait_for(pong, 5)
        print("ok: ping answered")
        await ws.close(1000, "done")
        if ws.close_code != 1000:
            print("FAIL: close code %r" % ws.close_code)
            return 1
        print("ok: closed with %d" % ws.close_code)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    cafile = None
    if "--cafile" in args:
        i = args.index("--cafile")
        cafile = args[i + 1]
        del args[i:i + 2]
    compression = None if "--no-deflate" in args else "deflate"
    args = [a for a in args if a != "--no-deflate"]
    sys.exit(asyncio.run(main(args[0], cafile, compression)))
