"""logging_double.py - what the Sentry and Loggly test doubles share.

A double listens on 127.0.0.1 (port 0: the kernel picks; the port is
written to --port-file), answers each request with the next status of
--script and 200 once the script is spent, and appends one JSON line per
event it was sent to --log: {"n": request number, "status": the reply,
"event_id", "message", "auth"}.

A script entry is STATUS[+ra=SECONDS][+rl=X-SENTRY-RATE-LIMITS], e.g.
"503,503,429+ra=1,200+rl=1:error:key,400".  --max-bytes answers 413 to a
bigger body whatever the script says.
"""
import argparse
import http.server
import json
import os
import threading
import time


def parse_script(text):
    steps = []
    for entry in filter(None, (text or "").split(",")):
        parts = entry.split("+")
        step = {"status": int(parts[0]), "headers": {}}
        for opt in parts[1:]:
            key, _, value = opt.partition("=")
            if key == "ra":
                step["headers"]["Retry-After"] = value
            elif key == "rl":
                step["headers"]["X-Sentry-Rate-Limits"] = value
        steps.append(step)
    return steps


def options(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", default="")
    ap.add_argument("--max-bytes", type=int, default=0)
    ap.add_argument("--token", default="")
    return ap.parse_args()


class Double(http.server.BaseHTTPRequestHandler):
    """Subclasses define events(self, body) -> list of (event_id, message,
    auth) or raise ValueError for a body that does not parse (400)."""

    lock = threading.Lock()
    count = 0
    args = None
    script = []

    def log_message(self, fmt, *a):
        pass

    def reply(self, status, headers, text):
        data = text.encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with Double.lock:
            Double.count += 1
            n = Double.count
            step = self.script[n - 1] if n <= len(self.script) else {
                "status": 200, "headers": {}}
            status, headers = step["status"], dict(step["headers"])
            try:
                events = self.events(body)
            except ValueError as e:
                status, events, headers = 400, [], {}
                reason = str(e)
            else:
                reason = "scripted"
            if self.args.max_bytes and len(body) > self.args.max_bytes:
                status, headers, reason = 413, {}, "request too large"
            now = round(time.time(), 3)
            with open(self.args.log, "a") as f:
                for event_id, message, auth in events:
                    f.write(json.dumps({"n": n, "t": now, "status": status,
                                        "event_id": event_id,
                                        "message": message,
                                        "auth": auth}) + "\n")
                if not events:
                    f.write(json.dumps({"n": n, "t": now,
                                        "status": status}) + "\n")
        if status == 200:
            self.reply(200, headers, self.ok_text())
        else:
            self.reply(status, headers, json.dumps({"error": reason}))


def serve(handler, description):
    args = options(description)
    handler.args = args
    handler.script = parse_script(args.script)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    srv.serve_forever()
