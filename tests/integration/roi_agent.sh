#!/bin/sh
# roi_agent.sh - the roi plugin inside `hinge agent`: the sync runs as a
# job every sync_interval and publishes after each run the Prometheus
# textfile (checked by promtool, from Debian's prometheus package, which
# deps.sh installs, and by its format rules here) and table
# hinge.roi_period; every metric and label the Grafana dashboard
# config/dashboards/roi.json queries is in the textfile; SIGHUP applies
# new settings to the running job; a stop during a retry wait ends it
# promptly without marking the figures stale.
#
# Figures (see roi_sync.sh): the 250 transactions of the double net
# 1821.74 usd, all within the last two days; costs are fixed at 10.00 a day
# plus the tasks of tests/fixtures/roi_costs.sql.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/integration/roi_lib.sh"

H=$HINGE_BUILDDIR/hinge
d=$(mktemp -d /tmp/hinge-roi-agent.XXXXXX)
dpid=
apid=
trap '[ -n "$apid" ] && kill "$apid" 2>/dev/null; [ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
ci=$(pg_fresh_db roi_agent) || bail "no test database"
psql_() { PGHOST=$HINGE_TEST_PGHOST psql -X -q -At -v ON_ERROR_STOP=1 -U postgres -d roi_agent "$@"; }
psql_ -f "$HINGE_SRCDIR/tests/fixtures/app_schema.sql" >/dev/null || bail "app schema"
psql_ -f "$HINGE_SRCDIR/tests/fixtures/roi_costs.sql" >/dev/null || bail "cost fixture"
printf 'sk_test_agent_1\n' >"$d/key"
chmod 600 "$d/key"
echo '{}' >"$d/faults.json"
roi_double 250 $(($(date +%s) - 250 * 60 - 600))

conf() { # FIXED-COST-PER-DAY
	roi_conf "$d/state.db" "http://127.0.0.1:$port" <<CONF
    sync_interval = "100ms";
    backoff = "10s";
    textfile = "$d/roi.prom";
    conninfo = "$ci";
    cost_query = "SELECT sum(cost_usd) FROM execution_tasks WHERE created_at >= \$1 AND created_at < \$2";
    fixed_costs = ( { name = "hosting"; amount = "$1"; per = "day"; } );
CONF
}
conf 10.00

"$H" -c "$d/hinge.conf" agent 2>"$d/agent.err" &
apid=$!
for _ in $(seq 200); do
	[ -f "$d/req.log" ] && [ "$(grep -c '"status"' "$d/req.log")" -ge 9 ] && break
	sleep 0.05
done
ok "today's cost in the textfile: 10.00 + 3.75" \
	grep -qx 'hinge_roi_cost{currency="usd",period="day"} 13.75' "$d/roi.prom"
# SIGHUP with a new fixed cost: the next sync publishes it.
conf 20.00
kill -HUP "$apid"
# A sync publishes the textfile first, then the table: the stop below
# waits for both, or it could come between them.
table_cost() { psql_ -c "SELECT cost FROM hinge.roi_period WHERE start_at = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"; }
end=$(($(date +%s) + 30))
until { grep -qx 'hinge_roi_cost{currency="usd",period="day"} 23.75' "$d/roi.prom" &&
	[ "$(table_cost)" = 23.75 ]; } || [ "$(date +%s)" -ge "$end" ]; do
	sleep 0.05
done
ok "after SIGHUP: 20.00 + 3.75" \
	grep -qx 'hinge_roi_cost{currency="usd",period="day"} 23.75' "$d/roi.prom"
kill -TERM "$apid"
wait "$apid"
is "the agent stops cleanly" "$?" "0"
apid=
ok "the reload was applied without a warning" sh -c "! grep -q 'could not apply' '$d/agent.err'"
ok "the job ran three times or more (3 pages each)" test "$(grep -c '"status": 200' "$d/req.log")" -ge 9
ok "the textfile is there" test -s "$d/roi.prom"
ok "no temporary file left" test ! -e "$d/roi.prom.tmp"
ok "it counts the 250" grep -qx 'hinge_roi_transactions 250' "$d/roi.prom"
ok "fresh" grep -qx 'hinge_roi_stale 0' "$d/roi.prom"

ok "promtool check metrics accepts it" sh -c "promtool check metrics <'$d/roi.prom'"
# The exposition format: every sample's metric has HELP and TYPE before it,
# names and labels are well formed, values are numbers.
ok "exposition format" python3 - "$d/roi.prom" <<'PY'
import re, sys
seen = set()
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$", line)
    if m:
        seen.add((m.group(1), m.group(2)))
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*",?)*\})? (\S+)$', line)
    assert m, line
    float(m.group(4))
    assert ("HELP", m.group(1)) in seen and ("TYPE", m.group(1)) in seen, line
PY

# Every metric and label matcher the dashboard queries is in the textfile.
ok "the dashboard queries only what the textfile has" python3 - \
	"$HINGE_SRCDIR/config/dashboards/roi.json" "$d/roi.prom" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
assert exprs
for e in exprs:
    for name, labels in re.findall(r"(hinge_roi_[a-z_]+)(\{[^}]*\})?", e):
        series = [l for l in text.splitlines() if re.match(re.escape(name) + r"[{ ]", l)]
        assert series, name
        for k, v in re.findall(r'([a-z_]+)="([^"]*)"', labels):
            assert any('%s="%s"' % (k, v) in s for s in series), (name, k, v)
PY

is "hinge.roi_period: the current and the previous day" \
	"$(psql_ -c "SELECT count(*) FROM hinge.roi_period WHERE period = 'day'")" "2"
is "hinge.roi_period: net over both is the 250's" \
	"$(psql_ -c "SELECT sum(net) FROM hinge.roi_period")" "1821.74"
is "hinge.roi_period: today's cost, 20.00 + 3.75" "$(table_cost)" "23.75"
is "hinge.roi_period: fresh" "$(psql_ -c "SELECT bool_or(stale) FROM hinge.roi_period")" "f"
is "its migration is recorded" \
	"$(psql_ -c "SELECT version FROM hinge.schema_versions WHERE component = 'roi'")" "1"

# Stopped while it waits to retry a 500: the agent ends promptly and the
# figures are not marked stale (nothing failed; the next sync resumes).
n=$(python3 -c 'import json, sys; print(max(json.loads(l)["n"] for l in open(sys.argv[1])))' "$d/req.log")
python3 -c 'import json, sys; n = int(sys.argv[1]); print(json.dumps({str(k): {"status": 500} for k in range(n + 1, n + 50)}))' "$n" >"$d/faults.json"
"$H" -c "$d/hinge.conf" agent 2>"$d/agent.err" &
apid=$!
for _ in $(seq 200); do grep -q '"status": 500' "$d/req.log" && break; sleep 0.05; done
kill -TERM "$apid"
start=$(date +%s)
wait "$apid"
is "stopped in a retry wait: exit 0" "$?" "0"
apid=
ok "promptly" test $(($(date +%s) - start)) -le 3
"$H" -c "$d/hinge.conf" --json roi report --since 1d >"$d/r.json" 2>>"$d/err"
is "not marked stale" "$(jget "$d/r.json" 'd["stale"]')" "False"

# Stopped while the cost query runs: the stop cancels it, which is no
# failure of the figures, and nothing stale is published over them.
echo '{}' >"$d/faults.json"
sed -i 's/WHERE created_at/WHERE pg_sleep(30) IS NOT NULL AND created_at/' "$d/hinge.conf"
textfile=$(cksum <"$d/roi.prom")
"$H" -c "$d/hinge.conf" agent 2>"$d/agent.err" &
apid=$!
sleeping() { [ "$(psql_ -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")" -ge 1 ]; }
end=$(($(date +%s) + 30))
until sleeping || [ "$(date +%s)" -ge "$end" ]; do sleep 0.05; done
ok "the cost query is running" sleeping
kill -TERM "$apid"
wait "$apid"
is "stopped in the cost query: exit 0" "$?" "0"
apid=
is "hinge.roi_period is not marked stale" "$(psql_ -c "SELECT bool_or(stale) FROM hinge.roi_period")" "f"
is "nor is anything written to the textfile" "$(cksum <"$d/roi.prom")" "$textfile"

done_testing
