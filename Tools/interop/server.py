#!/usr/bin/env python3
"""Python `websockets` echo server for interop checks of our client.

    python server.py PORTFILE [--cert CERT --key KEY]

Binds 127.0.0.1 on a free port, writes the port to PORTFILE, echoes every message
(permessage-deflate enabled), and runs until SIGTERM.
"""
import asyncio
import signal
import ssl
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except ConnectionClosed:
        pass


async def main(portfile, cert, key):
    context = None
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(echo, "127.0.0.1", 0, ssl=context, max_size=2 ** 25, compression="deflate") as server:
        port = server.sockets[0].getsockname()[1]
        with open(portfile, "w") as f:
            f.write(str(port))
        await stop


if __name__ == "__main__":
    args = sys.argv[1:]
    cert = key = None
    if "--cert" in args:
        cert = args[args.index("--cert") + 1]
        key = args[args.index("--key") + 1]
    asyncio.run(main(args[0], cert, key))
