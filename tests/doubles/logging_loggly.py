#!/usr/bin/env python3
"""logging_loggly.py - a Loggly double: POST /bulk/TOKEN/tag/TAGS/ with
one JSON event per line; a token other than --token is refused with 403.
See logging_double.py for the options."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logging_double  # noqa: E402


class Loggly(logging_double.Double):
    def ok_text(self):
        return '{"response" : "ok"}'

    def events(self, body):
        m = re.match(r"^/bulk/([^/]+)/tag/([^/]+)/$", self.path)
        if not m:
            raise ValueError("not the bulk endpoint")
        out = []
        for line in body.split(b"\n"):
            if line:
                ev = json.loads(line)
                out.append((ev["event_id"], ev["message"],
                            m.group(1) == self.args.token))
        return out


if __name__ == "__main__":
    logging_double.serve(Loggly, "Loggly bulk endpoint double")
