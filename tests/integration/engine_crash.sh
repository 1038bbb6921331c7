#!/bin/sh
# The crash matrix: for every point of the engine's crash-point table
# (agent/engine_crash.c), kill the process there (HINGE_CRASH_AT), once
# in a rollout that completes and once in one that fails and rolls back;
# run it again with `rollout resume` and check that every step ended
# fully applied or fully reverted, the rollout got where it would have
# without the crash, and no side effect happened twice.  A point of the
# table that never fired fails the test.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup
echo 0 >"$F/metric_value"

points=$(sed -n 's/^\t"\([a-z.]*\)",.*/\1/p' "$HINGE_SRCDIR/agent/engine_crash.c")
[ -n "$points" ] || bail "no crash points found in agent/engine_crash.c"

scenario() { # fwd|back TAG: write $T/TAG.conf
	if [ "$1" = fwd ]; then
		change "$2" "  id = \"$2\";
  steps = (
    { name = \"a\"; action = \"fault.step\"; with = { key = \"$2-a\"; }; },
    { name = \"p\"; pause = \"10ms\"; },
    { name = \"g\"; gate = [ \"fault.value < 1\" ]; bake = \"30ms\"; interval = \"10ms\"; },
    { name = \"b\"; action = \"fault.step\"; with = { key = \"$2-b\"; }; }
  );"
	else
		touch "$F/fail_verify_$2-c"
		change "$2" "  id = \"$2\";
  steps = (
    { name = \"a\"; action = \"fault.step\"; with = { key = \"$2-a\"; }; },
    { name = \"b\"; action = \"fault.step\"; with = { key = \"$2-b\"; }; },
    { name = \"c\"; action = \"fault.step\"; with = { key = \"$2-c\"; }; }
  );"
	fi
}

# After the crash and the resume: the end state a run without a crash has.
check_end() { # fwd|back TAG ID
	state=$(J .rollout.state rollout status "$3")
	if [ "$1" = fwd ]; then
		is "$2: completed" "$state" "completed"
		is "$2: each step applied once, none reverted" \
			"$(count apply "$2-a")$(count apply "$2-b")$(count revert "$2-a")$(count revert "$2-b")" "1100"
		ok "$2: both effects in place" test -e "$F/$2-a" -a -e "$F/$2-b"
	else
		is "$2: rolled back" "$state" "rolled_back"
		is "$2: each step applied once and reverted once" \
			"$(count apply "$2-a")$(count apply "$2-b")$(count apply "$2-c") $(count revert "$2-a")$(count revert "$2-b")$(count revert "$2-c")" \
			"111 111"
		ok "$2: no effect left" test ! -e "$F/$2-a" -a ! -e "$F/$2-b" -a ! -e "$F/$2-c"
	fi
}

for p in $points; do
	fired=0
	for s in fwd back; do
		tag=$s-$(printf %s "$p" | tr . -)
		scenario "$s" "$tag"
		HINGE_CRASH_AT=$p "$HINGE" -c "$T/hinge.conf" rollout start "$T/$tag.conf" >>"$TAP_LOG" 2>&1
		st=$?
		[ "$st" -eq 137 ] || continue
		fired=1
		id=$(last_id)
		case $(J .rollout.state rollout status "$id") in
		running|rolling_back)
			H rollout resume "$id" >>"$TAP_LOG" 2>&1
			is "$tag: resume exits as the run would have" "$?" "$([ "$s" = fwd ] && echo 0 || echo 1)" ;;
		esac
		check_end "$s" "$tag" "$id"
	done
	is "crash point $p fired" "$fired" "1"
done
done_testing
