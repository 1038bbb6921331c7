#!/bin/sh
# logging_drain.sh - a tail round of 3,000 lines is one chunk; delivery
# reads it once and sends it batch_size events a request.  Loggly fails
# the third request: nothing after it goes before it, the failed batch is
# the first sent again, under the same event ids, and every line arrives
# once.  3,000 lines are 150 batches of 20: a run of the delivery job
# sends 64 at most, so the rest waits for the next runs, none sent twice.
# Then a sink dropped from the config: its events stay, and it is said.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_drain
SENTRY_PORT=9 # not used: sampled out
N=3000
BATCH=20
python3 - "$W/app.log" "$N" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write("ERROR drain line %06d\n" % i)
PY
lg_double loggly --token 0a1b2c3d-4e5f-6789-abcd-ef0123456789 --script "200,200,503"
lg_config "sentry_sample_rate = 0.0; batch_size = $BATCH;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";
    tail_max_bytes = \"1M\";"
lg_agent_start
ok "Loggly accepts all $N" lg_wait 30 lg_at_least loggly $N
ok "the spool empties" lg_wait 10 sh -c "[ \$(sqlite3 '$W/state.db' 'SELECT count(*) FROM logging_chunks') -eq 0 ]"
lg_agent_stop

python3 - "$W/loggly.log" "$BATCH" >"$W/requests" <<'PY'
import json, sys
reqs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    reqs.setdefault(r["n"], []).append(r)
batch = int(sys.argv[2])
print("largest", max(len(v) for v in reqs.values()) <= batch)
print("third", reqs[3][0]["status"], len(reqs[3]))
# the request after the failed one starts with the failed one's events
print("retried first", [r["event_id"] for r in reqs[4]] == [r["event_id"] for r in reqs[3]])
# the agent's own warnings (the 503) go to Loggly too
ok = [r for v in reqs.values() for r in v
      if r["status"] == 200 and r["message"].startswith("ERROR drain line")]
print("accepted", len(ok), len({r["event_id"] for r in ok}))
PY
is "no request held more than batch_size events" "$(grep largest "$W/requests")" "largest True"
is "the third request failed with a full batch" "$(grep third "$W/requests")" "third 503 $BATCH"
is "nothing past the failed batch went before it: it went next, same ids" \
	"$(grep retried "$W/requests")" "retried first True"
is "one warning for the one failure" \
	"$(grep -c 'loggly: .*stay spooled' "$W/agent.err")" 1
is "every event accepted once" "$(grep accepted "$W/requests")" "accepted $N $N"
is "the file sink got every line once" "$(python3 -c 'import json,sys
ids = [json.loads(l)["event_id"] for l in open(sys.argv[1])
       if json.loads(l)["message"].startswith("ERROR drain line")]
print(len(ids), len(set(ids)))' "$W/events.jsonl")" "$N $N"

# A sink the config no longer has: what waits for it stays spooled (it
# may come back) and the agent says so once, naming it and the count.
waiting() { sqlite3 "$W/state.db" "SELECT coalesce(sum(left), 0) FROM logging_pending WHERE sink = 'loggly'"; }
filed() { grep -q "ERROR orphan line 3" "$W/events.jsonl"; }
LOGGLY_PORT=9 # nothing listens there: lines wait for Loggly
lg_config "sentry_sample_rate = 0.0; batch_size = $BATCH;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";"
: >"$W/agent.err"
lg_agent_start
printf 'ERROR orphan line 1\nERROR orphan line 2\nERROR orphan line 3\n' >>"$W/app.log"
ok "the lines are spooled (the file sink has them)" lg_wait 20 filed
lg_agent_stop
before=$(waiting)
ok "and wait for Loggly" test "$before" -ge 3
is "nothing is said while the config has every sink" "$(grep -c 'which this agent does not have' "$W/agent.err")" 0
sed -i '/loggly_token/d' "$W/hinge.conf"
: >"$W/agent.err"
lg_agent_start
ok "the agent says what waits for a sink it no longer has" lg_wait 20 \
	grep -q "$before events wait for sink loggly, which this agent does not have" "$W/agent.err"
sleep 1 # several more delivery runs (flush_interval 100ms)
lg_agent_stop
is "they stay spooled" "$(waiting)" "$before"
is "said once" "$(grep -c 'which this agent does not have' "$W/agent.err")" 1
done_testing
