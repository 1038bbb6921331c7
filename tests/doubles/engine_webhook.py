#!/usr/bin/env python3
"""A webhook endpoint for the engine's tests, on 127.0.0.1.

    engine_webhook.py PORTFILE BODIES [FAIL_FIRST]

Binds port 0 and writes the port to PORTFILE; appends every POST body as
one line to BODIES; answers the first FAIL_FIRST requests with 503, the
rest with 204.  Each request is also logged to BODIES.attempts.
"""
import http.server
import os
import sys

portfile, bodies = sys.argv[1], sys.argv[2]
fail_first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        seen += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(bodies + ".attempts", "a") as f:
            f.write("%s %s\n" % (self.headers.get("Content-Type"), seen))
        if seen <= fail_first:
            self.send_response(503)
            self.end_headers()
            return
        with open(bodies, "ab") as f:
            f.write(body + b"\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
