#!/bin/sh
# demo.sh - Hinge's main job on its embedded defaults: install the Debian
# packages, build, start a private PostgreSQL on a Unix socket in a
# temporary folder, plant the application's state, write a config, and
# run Hinge against it.  Run it again and again; it cleans up after
# itself.  --check makes it assert the outcome (CI runs it so).
set -eu
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
check=0
[ "${1:-}" = "--check" ] && check=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
fail() { echo "demo: $*" >&2; exit 1; }

say "packages"
./deps.sh
say "build"
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
mkdir -p _build
(cd _build && { [ -f Makefile ] || ../configure --quiet; } && make -j2 >/dev/null) ||
	fail "the build failed; see _build"
HINGE=$top/_build/hinge

. "$top/tests/lib/pg.sh"
demo=$(mktemp -d /tmp/hinge-demo.XXXXXX)
chmod 755 "$demo"
trap 'pg_stop "$demo/pg"; rm -rf "$demo"' EXIT INT TERM
say "a private PostgreSQL in $demo/pg"
pg_start "$demo/pg"
createdb app
psql -q -v ON_ERROR_STOP=1 -d app -f tests/fixtures/app_schema.sql
psql -q -v ON_ERROR_STOP=1 -d app -f tests/fixtures/app_data.sql
echo "planted $(psql -tA -d app -c "SELECT count(*) FROM execution_tasks WHERE status = 'failed'") failed tasks" >&2

plugin_dirs=""
for d in "$top"/_build/plugins/*/.libs; do
	[ -d "$d" ] && plugin_dirs="$plugin_dirs \"$d\","
done
cat >"$demo/hinge.conf" <<CONF
agent: {
  state_db = "$demo/state.db";
  plugin_dir = [ ${plugin_dirs%,} ];
  log_level = "notice";
};
plugins: {
};
CONF
H() { "$HINGE" -c "$demo/hinge.conf" "$@"; }

say "hinge config check"
H config check
say "hinge plugins"
H plugins
say "hinge metrics"
H metrics
if [ "$check" -eq 1 ]; then
	H --json version | python3 -c 'import json,sys; assert json.load(sys.stdin)["schema"] == "hinge.version/1"' ||
		fail "version --json"
	echo "1 passed, 0 failed"
fi
