#!/bin/sh
# rollout plan and start on good and bad change files: every bad input
# the issue lists is refused with file:line and exit 2, by plan and by
# start, and nothing is recorded in the state database.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup

change good '  id = "good";
  description = "two steps and their checks";
  steps = (
    { name = "first"; action = "fault.step"; with = { key = "lint1"; }; },
    { name = "wait"; pause = "manual"; },
    { name = "health"; gate = [ "fault.value{name=\"x\"} < 1" ]; bake = "1s"; interval = "100ms"; },
    { name = "last"; action = "fault.oneway"; irreversible = true; with = { key = "z"; }; }
  );'
expect_exit "plan of a good change" 0 H rollout plan "$T/good.conf"
ok "plan creates no state database" test ! -e "$T/state.db"
is "plan --json: schema" "$(J .schema rollout plan "$T/good.conf")" "hinge.plan/1"
is "plan --json: the inverse of each action" "$(J '[.steps[] | .inverse] | join(",")' rollout plan "$T/good.conf")" \
	"remove marker lint1,,,remove marker z"
is "plan --json: lint findings" "$(J '.steps[0].findings[0].code + " " + .steps[0].findings[0].severity' rollout plan "$T/good.conf")" \
	"F001 warning"
is "plan --json: the irreversible step is flagged" "$(J '.steps[3].irreversible' rollout plan "$T/good.conf")" "true"
is "plan --json: lock targets" "$(J '.steps[0].lock_target' rollout plan "$T/good.conf")" "fault:lint1"
is "plan --json: the change's SHA-256" "$(J .sha256 rollout plan "$T/good.conf")" "$(sha256sum <"$T/good.conf" | cut -d' ' -f1)"
ok "plan text names the irreversible step" sh -c "'$HINGE' -c '$T/hinge.conf' rollout plan '$T/good.conf' | grep -q 'last (action fault.oneway)  IRREVERSIBLE'"

H rollout history >/dev/null 2>&1
before=$(db_dump)
bad() { # name text expected-message
	change bad "$2"
	for cmd in plan start; do
		H rollout $cmd "$T/bad.conf" >"$T/out" 2>"$T/err"
		is "$1: $cmd exits 2" "$?" "2"
		if grep -qF -- "$3" "$T/err"; then tap_result 0 "$1: $cmd names file:line"; else
			tap_result 1 "$1: $cmd names file:line" "want: $3
got: $(cat "$T/err")"; fi
	done
	is "$1: nothing recorded" "$(db_dump)" "$before"
}
bad "unknown action" '  id = "b";
  steps = ( { name = "a"; action = "fault.stpe"; with = { key = "k"; }; } );' \
	"bad.conf:3: action: unknown action \"fault.stpe\"; did you mean \"fault.step\"?"
bad "gate on an unknown metric" '  id = "b";
  steps = ( { name = "g"; gate = [ "fault.valeu < 1" ]; } );' \
	"bad.conf:3: gate: unknown metric \"fault.valeu\"; did you mean \"fault.value\"?"
bad "duplicate step name" '  id = "b";
  steps = ( { name = "a"; pause = "1s"; },
            { name = "a"; pause = "1s"; } );' \
	"bad.conf:4: name: duplicate step name \"a\" (first at line 3)"
bad "empty list of steps" '  id = "b";
  steps = ( );' "bad.conf:3: steps: the list of steps is empty"
bad "parameter outside with" '  id = "b";
  steps = ( { name = "a"; action = "fault.step";
              key = "k"; } );' "bad.conf:4: key: not a step key; an action's parameters belong in \`with"
bad "no inverse and not irreversible" '  id = "b";
  steps = ( { name = "a"; action = "fault.oneway"; with = { key = "k"; }; } );' \
	"bad.conf:3: a: fault.oneway has no inverse: mark the step irreversible = true"
bad "missing parameter" '  id = "b";
  steps = ( { name = "a"; action = "fault.step"; with = { }; } );' \
	"bad.conf:3: key: required setting missing"
bad "mistyped parameter" '  id = "b";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "k"; sleep = 5; }; } );' \
	"bad.conf:3: sleep:"
bad "unknown parameter" '  id = "b";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "k"; slep = "5ms"; }; } );' \
	"bad.conf:3: slep: unknown setting; did you mean \"sleep\"?"
bad "lint finding of severity error" '  id = "b";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "bad1"; }; } );' \
	"a step has lint findings of severity error"
expect_exit "a missing change file" 2 H rollout plan "$T/none.conf"
expect_exit "plan without a file is a usage error" 2 H rollout plan
expect_exit "an unknown subcommand is a usage error" 2 H rollout frobnicate x
is "no side effect happened" "$(cat "$F/log" 2>/dev/null)" ""

# While frozen nothing starts (exit 3) and nothing is recorded.
change one '  id = "one";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "k1"; }; } );'
expect_exit "freeze on" 0 H freeze on --reason "change window closed"
before=$(sqlite3 "$T/state.db" "SELECT count(*) FROM rollouts")
expect_exit "start while frozen exits 3" 3 H rollout start "$T/one.conf"
is "start while frozen records no rollout" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM rollouts")" "$before"
is "status says frozen, with the reason" "$(J .frozen.reason rollout status)" "change window closed"
expect_exit "freeze off" 0 H freeze off
expect_exit "start after thaw" 0 H rollout start "$T/one.conf"
expect_exit "freeze without on/off is a usage error" 2 H freeze maybe
done_testing
