# tap.sh - TAP output for shell tests.  Source it, then:
#   ok NAME CMD...        run CMD; ok when it exits 0
#   is NAME GOT WANT      ok when the strings are equal
#   expect_exit NAME N CMD...  ok when CMD exits with status N
#   done_testing          print the plan and exit non-zero on any failure
# Output of commands goes to $TAP_LOG (the test's own log), never stdout.
TAP_N=0
TAP_FAILED=0
TAP_LOG=${TAP_LOG:-/dev/stderr}

tap_result() { # status name [diag]
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
	return 0
}

ok() {
	_name=$1; shift
	if "$@" >>"$TAP_LOG" 2>&1; then tap_result 0 "$_name"; else tap_result 1 "$_name" "command failed: $*"; fi
}

is() {
	if [ "$2" = "$3" ]; then tap_result 0 "$1"; else tap_result 1 "$1" "got '$2', want '$3'"; fi
}

expect_exit() {
	_name=$1; _want=$2; shift 2
	"$@" >>"$TAP_LOG" 2>&1
	_got=$?
	if [ "$_got" -eq "$_want" ]; then tap_result 0 "$_name"; else tap_result 1 "$_name" "exit $_got, want $_want: $*"; fi
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}

bail() {
	echo "Bail out! $*"
	exit 1
}
