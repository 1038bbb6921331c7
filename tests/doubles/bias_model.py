#!/usr/bin/env python3
"""A model scoring endpoint for the bias_audit probe's tests.

usage: bias_model.py PORTFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE) and answers
POST /PATH with JSON {"features": {"sex": ..., "score": ...}}:
  /insensitive  {"result": {"score": score}}: blind to sex
  /sensitive    {"result": {"score": score + 0.3 for M, - 0.3 for F}}
  /garbage      a body that is not JSON
  /noscore      {"result": {}}
  /slow         the insensitive answer after 2 seconds
  /error        HTTP 500
Every request is appended to PORTFILE.log as one JSON line.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Model(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(sys.argv[1] + ".log", "a") as log:
            log.write(json.dumps(req) + "\n")
        f = req["features"]
        score = float(f["score"])
        if self.path == "/sensitive":
            score += 0.3 if f["sex"] == "M" else -0.3
        if self.path == "/garbage":
            return self.reply(200, "<html>not a score</html>")
        if self.path == "/noscore":
            return self.reply(200, json.dumps({"result": {}}))
        if self.path == "/error":
            return self.reply(500, json.dumps({"error": "boom"}))
        if self.path == "/slow":
            time.sleep(2)
        self.reply(200, json.dumps({"result": {"score": score}}))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Model)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
