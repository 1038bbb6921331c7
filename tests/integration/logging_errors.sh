#!/bin/sh
# logging_errors.sh - `hinge errors top|show` and the metrics gates read,
# over the fixture's failed tasks.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_errors
lg_double sentry
lg_double loggly --token 0a1b2c3d-4e5f-6789-abcd-ef0123456789
lg_config
lg_agent_start
ok "the failed tasks are captured" lg_wait 20 sh -c "[ \$(wc -l <'$W/events.jsonl') -ge 12 ]"
lg_agent_stop
H="$HINGE_BUILDDIR/hinge -c $W/hinge.conf"
jq() { python3 -c "import json,sys; d = json.load(sys.stdin); print($1)"; }

top=$($H --json errors top)
is "top names its schema" "$(echo "$top" | jq 'd["schema"]')" "hinge.errors.top/1"
is "three groups, one per task type" "$(echo "$top" | jq 'len(d["groups"])')" 3
is "four failures each" "$(echo "$top" | jq '[g["count"] for g in d["groups"]]')" "[4, 4, 4]"
is "grouped on the normalised message" "$(echo "$top" | jq 'd["groups"][0]["message"]')" \
	'column "<str>" of relation "<str>" does not exist'
ok "the text form lists them" sh -c "$H errors top --since 1h | grep -q 'pg/implement_idea: column'"
is "nothing older than the window" "$($H --json errors top --since 1ms | jq 'len(d["groups"])')" 0
expect_exit "a bad --since is bad usage" 2 $H errors top --since yesterday
fp=$(echo "$top" | jq 'd["groups"][0]["fingerprint"][:10]')
show=$($H --json errors show "$fp")
is "show takes a prefix" "$(echo "$show" | jq 'd["group"]["fingerprint"][:10]')" "$fp"
is "with the samples" "$(echo "$show" | jq 'len(d["group"]["samples"])')" 4
expect_exit "an unknown fingerprint is bad input" 2 $H errors show 0123456789
expect_exit "show wants a fingerprint" 2 $H errors show

m=$($H --json metrics)
metric() { echo "$m" | jq "[x['value'] for x in d['metrics'] if x['name'] == 'logging.$1'][0]"; }
is "error_rate is failed over all tasks" "$(metric error_rate | cut -c1-6)" "0.0566"
is "new_groups counts the three" "$(metric new_groups)" "3.0"
is "errors_per_minute over the 5 minute window" "$(metric errors_per_minute | cut -c1-3)" "2.4"
done_testing
