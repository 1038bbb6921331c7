#!/usr/bin/env python3
"""roi_stripe.py - a local stand-in for Stripe's balance transactions API.

Speaks Stripe's list format on 127.0.0.1: GET /v1/balance_transactions with
limit, created[gte] and starting_after, newest first, has_more; Bearer auth
against the key in --key-file (401 with an authentication_error otherwise);
a pinned Stripe-Version header (400 when it is missing).

  roi_stripe.py --port-file F --key-file K --log L [--faults J] [--generate N --base T]

--generate N makes N transactions, number i (1..N) created at T + 60 * i:
  i % 10 == 0                     refund   usd  -500, fee 0
  i % 25 == 0 (and not % 10)      dispute  usd -2000, fee 1500
  i == 33                         payout   usd -10000 (not revenue)
  i % 50 == 1                     charge   eur  2000, fee 0
  otherwise                       charge   usd  1000, fee 59
--live AMOUNT adds one usd charge of AMOUNT minor units (fee 30) for every
whole second from --live-since (default: two minutes before the start) as
the seconds pass; with --slump FILE=AMOUNT a second from FILE's mtime on is
charged AMOUNT instead (0: no charge) until a request finds FILE gone, as
when a change under test breaks checkout until it is reverted (the fault
plugin's marker is such a file).
--faults J names a JSON file, read on every request, keyed by the request's
number (from 1):  {"2": {"status": 429, "retry_after": 1}, "3": {"status": 500},
"4": {"malformed": true}, "5": {"delay_ms": 3000}, "6": {"ignore_after": true}}
(the first page again, whatever starting_after says); and "mutate":
{"after": 1, "id": "txn_0100", "fee": 99} changes a transaction once request
1 has been answered.  Every request is logged to L as one JSON line.
"""
import argparse
import bisect
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
STATE = {"n": 0, "mutated": False}


def generate(n, base):
    txns = []
    for i in range(1, n + 1):
        t = {"id": "txn_%07d" % i, "object": "balance_transaction",
             "created": base + 60 * i, "currency": "usd", "status": "available"}
        if i % 10 == 0:
            t.update(amount=-500, fee=0, type="refund", reporting_category="refund")
        elif i % 25 == 0:
            t.update(amount=-2000, fee=1500, type="adjustment", reporting_category="dispute")
        elif i == 33:
            t.update(amount=-10000, fee=0, type="payout", reporting_category="payout")
        elif i % 50 == 1:
            t.update(amount=2000, fee=0, currency="eur", type="charge",
                     reporting_category="charge")
        else:
            t.update(amount=1000, fee=59, type="charge", reporting_category="charge")
        t["net"] = t["amount"] - t["fee"]
        txns.append(t)
    # Newest first, as Stripe lists them.
    txns.reverse()
    return txns


def index(txns):
    """The list newest first, with what a page lookup needs."""
    txns = sorted(txns, key=lambda t: t["created"], reverse=True)
    return txns, {t["id"]: i for i, t in enumerate(txns)}, [-t["created"] for t in txns]


def live_tick(srv):
    """Make the live charges of the seconds that have passed since the last call."""
    now = int(time.time())
    with LOCK:
        if not srv.args.live or srv.live_next >= now:
            return
        slump_amount = 0
        if srv.args.slump:
            path, amount = srv.args.slump.rsplit("=", 1)
            slump_amount = int(amount)
            try:
                mtime = int(os.stat(path).st_mtime)
                if not srv.slumps or srv.slumps[-1][1] is not None:
                    srv.slumps.append([mtime, None])
            except FileNotFoundError:
                # Seconds not made yet were lived with the file: slumped too.
                if srv.slumps and srv.slumps[-1][1] is None:
                    srv.slumps[-1][1] = now
        new = []
        for sec in range(srv.live_next, now):
            slumped = any(a <= sec and (b is None or sec < b) for a, b in srv.slumps)
            amount = slump_amount if slumped else srv.args.live
            if amount > 0:
                new.append({"id": "txn_live_%d" % sec, "object": "balance_transaction",
                            "created": sec, "currency": "usd", "status": "available",
                            "amount": amount, "fee": 30, "net": amount - 30, "type": "charge",
                            "reporting_category": "charge"})
        srv.live_next = now
        srv.view = index(srv.view[0] + new)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        srv = self.server
        with LOCK:
            STATE["n"] += 1
            n = STATE["n"]
        faults = {}
        if srv.args.faults and os.path.exists(srv.args.faults):
            with open(srv.args.faults) as f:
                faults = json.load(f)
        fault = faults.get(str(n), {})
        url = urlparse(self.path)
        q = parse_qs(url.query)
        entry = {"n": n, "path": url.path, "query": {k: v[0] for k, v in q.items()},
                 "version": self.headers.get("Stripe-Version")}
        live_tick(srv)
        status, body, headers = self.answer(n, url, q, fault)
        entry["status"] = status
        # Logged before the reply goes out: a test that counts requests
        # once the client is done never misses the last one.
        with LOCK, open(srv.args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
        self.reply(status, body, headers)
        mutate = faults.get("mutate")
        if mutate and not STATE["mutated"] and n >= mutate["after"]:
            for t in srv.view[0]:
                if t["id"] == mutate["id"]:
                    t["fee"] = mutate["fee"]
                    t["net"] = t["amount"] - t["fee"]
            STATE["mutated"] = True

    def answer(self, n, url, q, fault):
        """The status, body and extra headers of the reply."""
        srv = self.server
        if self.headers.get("Authorization") != "Bearer " + srv.key:
            return 401, {"error": {"type": "authentication_error",
                                   "message": "Invalid API Key provided: sk_****"}}, ()
        if not self.headers.get("Stripe-Version"):
            return 400, {"error": {"type": "invalid_request_error",
                                   "message": "no Stripe-Version"}}, ()
        if url.path != "/v1/balance_transactions":
            return 404, {"error": {"type": "invalid_request_error"}}, ()
        if "delay_ms" in fault:
            with LOCK, open(srv.args.log, "a") as f:
                f.write(json.dumps({"n": n, "delaying": True}) + "\n")
            time.sleep(fault["delay_ms"] / 1000.0)
        if "status" in fault:
            headers = [("Retry-After", str(fault["retry_after"]))] if "retry_after" in fault else []
            return fault["status"], {"error": {"type": "api_error"}}, headers
        if fault.get("malformed"):
            return 200, b'{"object": "list", "data": [{"id": "txn_', ()
        limit = min(int(q.get("limit", ["10"])[0]), 100)
        gte = int(q.get("created[gte]", ["0"])[0])
        after = None if fault.get("ignore_after") else q.get("starting_after", [None])[0]
        txns, pos, neg_created = srv.view
        # Newest first: the rows with created >= gte are a prefix.
        end = bisect.bisect_left(neg_created, -gte + 1)
        start = 0
        if after is not None:
            if after not in pos or pos[after] >= end:
                return 400, {"error": {"type": "invalid_request_error"}}, ()
            start = pos[after] + 1
        rows = txns[start:min(end, start + limit)]
        return 200, {"object": "list", "url": "/v1/balance_transactions",
                     "has_more": start + limit < end, "data": rows}, ()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--key-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--faults")
    ap.add_argument("--generate", type=int, default=0)
    ap.add_argument("--base", type=int, default=int(time.time()) - 86400)
    ap.add_argument("--live", type=int, default=0)
    ap.add_argument("--live-since", type=int, default=int(time.time()) - 120)
    ap.add_argument("--slump")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.args = args
    with open(args.key_file) as f:
        srv.key = f.read().strip()
    # Swapped whole by live_tick; a request reads the one it found.
    srv.view = index(generate(args.generate, args.base))
    srv.live_next = args.live_since
    srv.slumps = []  # [from, until) of each life of the --slump file; until None while it lives
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
