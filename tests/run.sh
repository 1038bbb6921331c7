#!/bin/sh
# tests/run.sh - build Hinge and run every test against a private
# PostgreSQL; the README's test command and what CI runs.
#
#   HINGE_BUILD_DIR   build folder (default _build)
#   HINGE_CONFIGURE   extra ./configure flags (e.g. --enable-sanitizers)
#   HINGE_TESTS       a subset of TESTS to run (default all)
#
# Ends with one line "N passed, N failed" counting test cases.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./deps.sh
build=${HINGE_BUILD_DIR:-_build}
case $build in /*) ;; *) build=$top/$build ;; esac
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "${HINGE_RECONFIGURE:-0}" = 1 ]; then
	# shellcheck disable=SC2086
	"$top/configure" --quiet ${HINGE_CONFIGURE:-} >configure.out 2>&1 ||
		{ cat configure.out >&2; exit 2; }
fi
make -j2 >make.out 2>&1 || { tail -50 make.out >&2; exit 2; }

. "$top/tests/lib/pg.sh"
pgdir=$(mktemp -d /tmp/hinge-test-pg.XXXXXX)
trap 'pg_stop "$pgdir"; rm -rf "$pgdir"' EXIT INT TERM
pg_start "$pgdir"
HINGE_TEST_PGHOST=$pgdir
export HINGE_TEST_PGHOST

status=0
if [ -n "${HINGE_TESTS:-}" ]; then
	make -j2 check TESTS="$HINGE_TESTS" >check.out 2>&1 || status=$?
else
	make -j2 check >check.out 2>&1 || status=$?
fi
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):|^# (TOTAL|PASS|FAIL|ERROR|SKIP|XPASS)' check.out >&2 || true
if [ "$status" -ne 0 ] && [ -f test-suite.log ]; then
	sed -n '/^FAIL\|^ERROR\|^not ok/,+15p' test-suite.log | head -150 >&2
fi
pass=$(sed -n 's/^# PASS: *//p' check.out | tail -1)
fail=$(awk '/^# (FAIL|ERROR|XPASS):/ {n += $3} END {print n + 0}' check.out)
[ -z "$pass" ] && { pass=0; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
