#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A TLS HTTP/1.1 proxy on 127.0.0.1 in front of one vcsim, for the suite's
connection reuse tests (/vsphere/session/kept-alive-closed). It keeps client
connections alive, relays every SOAP call to vcsim (127.0.0.1 only), logs
one line per call and misbehaves as told, like a server that closes idle
connections:

  --mode close-idle   closes every connection after its answer (between
                      calls, without a "Connection: close" header)
  --mode drop-before  the first METHOD call that arrives on a connection that
                      already carried a call: closes it without relaying it
                      (the server closed it as the request went out)
  --mode drop-after   the same, but relays it to vcsim first and closes the
                      connection without relaying the answer

Log lines (--log): "CONN N METHOD relayed|dropped|relayed-then-dropped".
The chosen port is written to --port-file once it listens. It exits when
its standard input ends (the test that started it holds the other end).

usage: vsphere-proxy.py --upstream-port P --cert server.pem --key server.key
         --ca ca.pem --port-file F --log F [--mode M] [--method M]
"""
import argparse
import http.client
import http.server
import itertools
import os
import ssl
import sys
import threading
import xml.etree.ElementTree as ET

SOAPENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
RELAYED_REQUEST = ("Content-Type", "SOAPAction", "Cookie")
RELAYED_REPLY = ("Content-Type", "Set-Cookie")


def soap_method(body):
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "?"
    b = root.find(SOAPENV + "Body")
    if b is None or len(b) == 0:
        return "?"
    return b[0].tag.split("}")[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--mode", default="relay",
                    choices=["relay", "close-idle", "drop-before", "drop-after"])
    ap.add_argument("--method", default="RelocateVM_Task")
    args = ap.parse_args()

    log_lock = threading.Lock()
    log = open(args.log, "a", buffering=1)
    state = {"misbehaved": False}
    conn_ids = itertools.count(1)
    upstream_ctx = ssl.create_default_context(cafile=args.ca)

    def record(conn, n, method, what):
        with log_lock:
            log.write("CONN %d %d %s %s\n" % (conn, n, method, what))

    def misbehave_now(method, n):
        """Once, for METHOD on a connection that already carried a call."""
        if args.mode not in ("drop-before", "drop-after"):
            return False
        with log_lock:
            if state["misbehaved"] or method != args.method or n < 2:
                return False
            state["misbehaved"] = True
            return True

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.conn_id = next(conn_ids)
            self.n_calls = 0
            self.upstream = None

        def finish(self):
            if self.upstream is not None:
                self.upstream.close()
            super().finish()

        def log_message(self, *a):
            pass

        def relay(self, body):
            if self.upstream is None:
                self.upstream = http.client.HTTPSConnection(
                    "127.0.0.1", args.upstream_port, context=upstream_ctx, timeout=60)
            headers = {h: self.headers[h] for h in RELAYED_REQUEST if self.headers[h]}
            self.upstream.request("POST", self.path, body=body, headers=headers)
            reply = self.upstream.getresponse()
            return reply, reply.read()

        def drop(self):
            self.close_connection = True
            self.connection.shutdown(2)  # no answer at all

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            self.n_calls += 1
            method = soap_method(body)
            bad = misbehave_now(method, self.n_calls)
            if bad and args.mode == "drop-before":
                record(self.conn_id, self.n_calls, method, "dropped")
                self.drop()
                return
            reply, data = self.relay(body)
            if bad:
                record(self.conn_id, self.n_calls, method, "relayed-then-dropped")
                self.drop()
                return
            record(self.conn_id, self.n_calls, method, "relayed")
            self.send_response(reply.status, reply.reason)
            for name, value in reply.getheaders():
                if name.lower() in (h.lower() for h in RELAYED_REPLY):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            if args.mode == "close-idle":
                self.close_connection = True

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)

    def watch_stdin():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
