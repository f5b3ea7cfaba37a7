#!/usr/bin/python3
"""TLS-terminating TCP proxy on loopback, for the Nova backend's TLS tests.

  tls_proxy.py --cert CERT --key KEY --target 127.0.0.1:PORT [--max-lifetime S]

Listens on 127.0.0.1 (a free port), prints "READY port=N", and forwards
every connection, after the TLS handshake, to the plain-HTTP target.
"""
import argparse
import asyncio
import ssl
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--max-lifetime", type=float, default=900)
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)

    async def handle(client_reader, client_writer):
        try:
            target_reader, target_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, target_writer),
                             pipe(target_reader, client_writer))

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    # a refused handshake is what the tests want: keep the log quiet
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    print("READY port=%d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), args.max_lifetime)
        except asyncio.TimeoutError:
            pass


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
