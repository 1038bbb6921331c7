#!/bin/sh
# roi_costs.sh - costs in `hinge roi report`: fixed costs per period from
# the config plus a cost query against PostgreSQL (sum(cost_usd) of
# execution_tasks per period, tests/fixtures/roi_costs.sql), ROI with no
# revenue, the text rendering, bad arguments, periods in a configured
# zone, settings the plugin refuses, and a failing cost query:
# the last good costs kept and marked stale.
#
# Hand-computed, per day (UTC): fixed 10.00 each day, plus the tasks'
#   today 3.75, yesterday 0.01, the day before 0.00:
#   costs 13.75, 10.01, 10.00; total 33.76; ROI (0 - 33.76) / 33.76 = -1.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/integration/roi_lib.sh"

H=$HINGE_BUILDDIR/hinge
d=$(mktemp -d /tmp/hinge-roi-costs.XXXXXX)
trap 'rm -rf "$d"' EXIT
ci=$(pg_fresh_db roi_costs) || bail "no test database"
psql_() { PGHOST=$HINGE_TEST_PGHOST psql -X -q -v ON_ERROR_STOP=1 -U postgres -d roi_costs "$@"; }
psql_ -f "$HINGE_SRCDIR/tests/fixtures/app_schema.sql" >/dev/null || bail "app schema"
psql_ -f "$HINGE_SRCDIR/tests/fixtures/roi_costs.sql" >/dev/null || bail "cost fixture"

conf() { # CONNINFO [MORE-SETTINGS]
	cat >"$d/hinge.conf" <<CONF
agent: { state_db = "$d/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/roi/.libs"; };
plugins: {
  roi: {
    enabled = true;
    conninfo = "$1";
    cost_query = "SELECT sum(cost_usd) FROM execution_tasks WHERE created_at >= \$1 AND created_at < \$2";
    fixed_costs = ( { name = "hosting"; amount = "10.00"; per = "day"; } );
    ${2:-}
  };
};
CONF
}
report() { "$H" -c "$d/hinge.conf" --json roi report --period day --since 2d >"$d/r.json" 2>"$d/err"; }

conf "$ci"
ok "report --json" report
is "three days" "$(jget "$d/r.json" 'len(d["periods"])')" "3"
is "the day before yesterday: fixed only" "$(jget "$d/r.json" 'd["periods"][0]["cost"]')" "10.00"
is "yesterday: 0.009999 rounds to 0.01" "$(jget "$d/r.json" 'd["periods"][1]["cost"]')" "10.01"
is "today" "$(jget "$d/r.json" 'd["periods"][2]["cost"]')" "13.75"
is "total cost" "$(jget "$d/r.json" 'd["total"]["cost"]')" "33.76"
is "roi with no revenue" "$(jget "$d/r.json" 'd["total"]["roi"]')" "-1.0"
is "costs fresh" "$(jget "$d/r.json" 'd["costs_stale"]')" "False"
is "never synced is stale" "$(jget "$d/r.json" 'd["stale"]')" "True"
is "day starts in UTC" "$(jget "$d/r.json" 'd["periods"][2]["start"][10:]')" "T00:00:00Z"

"$H" -c "$d/hinge.conf" roi report --period day --since 2d >"$d/text" 2>"$d/err"
ok "text report has a total line" grep -Eq '^total +0\.00 .* 33\.76 +-100\.0%$' "$d/text"
ok "text report says why it is stale" grep -q '^stale: never synced' "$d/text"
"$H" -c "$d/hinge.conf" --json roi report --period week --since 1d >"$d/w.json" 2>>"$d/err"
is "--period week: the last period starts on a Monday at 00:00 UTC" \
	"$(python3 -c 'import datetime, json, sys; d = json.load(open(sys.argv[1])); print(datetime.datetime.strptime(d["periods"][-1]["start"], "%Y-%m-%dT%H:%M:%SZ").strftime("%a %H:%M"))' "$d/w.json")" \
	"Mon 00:00"
is "--period week: a week of fixed costs in it (7 * 10.00 + 3.75 at least)" \
	"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(float(d["periods"][-1]["cost"]) >= 73.75)' "$d/w.json")" "True"
expect_exit "bad --period" 2 "$H" -c "$d/hinge.conf" roi report --period year
expect_exit "bad --since" 2 "$H" -c "$d/hinge.conf" roi report --since 30
expect_exit "too many periods" 2 "$H" -c "$d/hinge.conf" roi report --period hour --since 5000d
expect_exit "unknown subcommand" 2 "$H" -c "$d/hinge.conf" roi frobnicate

# The query fails (its table is gone): the last good costs stand in.
psql_ -c "ALTER TABLE execution_tasks RENAME TO execution_tasks_gone" >/dev/null
ok "report with a failing cost query" report
is "costs kept" "$(jget "$d/r.json" 'd["total"]["cost"]')" "33.76"
is "costs marked stale" "$(jget "$d/r.json" 'd["costs_stale"]')" "True"
ok "with PostgreSQL's reason" grep -q 'execution_tasks.*does not exist' "$d/r.json"
ok "logged once" test "$(grep -c 'the last good costs stand in' "$d/err")" -eq 1

# PostgreSQL unreachable: the same.
conf "host=$HINGE_TEST_PGHOST user=postgres dbname=roi_no_such_db"
ok "report with PostgreSQL unreachable" report
is "costs kept again" "$(jget "$d/r.json" 'd["total"]["cost"]')" "33.76"
ok "said so" grep -q 'cannot reach PostgreSQL' "$d/r.json"

# Periods in a configured zone: a day in Kolkata starts at 18:30 UTC.
conf "$ci" 'time_zone = "Asia/Kolkata";'
ok "report in Asia/Kolkata" report
is "its days start at 18:30 UTC" "$(jget "$d/r.json" 'd["periods"][-1]["start"][10:]')" "T18:30:00Z"

# Settings the plugin refuses: exit 2, naming the key and where it is.
conf "$ci" 'time_zone = "Mars/Olympus_Mons";'
expect_exit "an unknown time zone: exit 2" 2 "$H" -c "$d/hinge.conf" roi report
"$H" -c "$d/hinge.conf" roi report 2>"$d/err"
ok "an unknown time zone: said where" grep -q 'time_zone (.*hinge.conf:[0-9]*): no time zone "Mars/Olympus_Mons"' "$d/err"
conf "$ci" 'exchange_rates = { EUR = "1.08"; };'
expect_exit "a rate for a code that is not lower case: exit 2" 2 "$H" -c "$d/hinge.conf" roi report
conf "$ci" 'exchange_rates = { eur = "-1"; };'
expect_exit "a negative rate: exit 2" 2 "$H" -c "$d/hinge.conf" roi report
conf "$ci" 'reporting_currency = "dollars";'
expect_exit "an unknown reporting currency: exit 2" 2 "$H" -c "$d/hinge.conf" roi report
conf "$ci" 'publish_period = "fortnight";'
expect_exit "an unknown publish_period: exit 2" 2 "$H" -c "$d/hinge.conf" roi report

done_testing
