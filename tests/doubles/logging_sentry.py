#!/usr/bin/env python3
"""logging_sentry.py - a Sentry double: POST /api/PROJECT/envelope/ with
an X-Sentry-Auth header; the envelope is a header line, then items each
made of a header line with its length and a payload.  See
logging_double.py for the options."""
import json
import re
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logging_double  # noqa: E402


class Sentry(logging_double.Double):
    def ok_text(self):
        return "{}"

    def events(self, body):
        if not re.match(r"^/api/\d+/envelope/$", self.path):
            raise ValueError("not an envelope endpoint: " + self.path)
        auth = self.headers.get("X-Sentry-Auth", "")
        m = re.match(r"^Sentry sentry_version=7, sentry_key=([^,]+), "
                     r"sentry_client=\S+$", auth)
        if not m:
            raise ValueError("bad X-Sentry-Auth")
        lines = body.split(b"\n")
        head = json.loads(lines[0])
        item = json.loads(lines[1])
        payload = lines[2]
        if item.get("type") != "event" or item.get("length") != len(payload):
            raise ValueError("bad item header")
        ev = json.loads(payload)
        if ev["event_id"] != head["event_id"]:
            raise ValueError("event_id differs from the envelope's")
        for key in ("timestamp", "level", "logger", "message", "fingerprint",
                    "tags"):
            if key not in ev:
                raise ValueError("event lacks " + key)
        return [(ev["event_id"], ev["message"]["formatted"], m.group(1))]


if __name__ == "__main__":
    logging_double.serve(Sentry, "Sentry envelope endpoint double")
