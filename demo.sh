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

# The service Hinge looks after, in miniature: it takes a pending task
# every 100 ms and records the model that ran it.  Until execution_tasks
# has ai_model, that fails and the task is marked failed, as in the
# proposal.
app() {
	while [ -e "$demo/app.run" ]; do
		psql -q -d app -c "INSERT INTO execution_tasks (user_id, task_type) VALUES (1, 'implement_idea')" >/dev/null 2>&1
		psql -q -d app -c "UPDATE execution_tasks SET status = 'done', ai_model = 'gpt-4o-mini', started_at = now(), finished_at = now(), updated_at = now() WHERE id = (SELECT min(id) FROM execution_tasks WHERE status = 'pending' AND error IS NULL)" >/dev/null 2>&1 ||
			psql -q -d app -c "UPDATE execution_tasks SET status = 'failed', error = 'column \"ai_model\" of relation \"execution_tasks\" does not exist', updated_at = now() WHERE id = (SELECT min(id) FROM execution_tasks WHERE status = 'pending' AND error IS NULL)" >/dev/null 2>&1
		sleep 0.1
	done
}
touch "$demo/app.run"
app &
app_pid=$!
trap 'rm -f "$demo/app.run"; wait $app_pid 2>/dev/null; pg_stop "$demo/pg"; rm -rf "$demo"' EXIT INT TERM

plugin_dirs=""
for d in "$top"/_build/plugins/*/.libs; do
	[ -d "$d" ] && plugin_dirs="$plugin_dirs \"$d\","
done
conninfo="host=$PGHOST user=postgres dbname=app"
cat >"$demo/hinge.conf" <<CONF
agent: {
  state_db = "$demo/state.db";
  plugin_dir = [ ${plugin_dirs%,} ];
  log_level = "notice";
  request_poll = "100ms";
};
plugins: {
  migration: { enabled = true; conninfo = "$conninfo"; };
  logging: { enabled = true; pg_conninfo = "$conninfo"; pg_interval = "500ms";
             file_path = "$demo/events.jsonl"; flush_interval = "200ms"; };
};
CONF
H() { "$HINGE" -c "$demo/hinge.conf" "$@"; }
change=$top/config/changes/add-ai-model.conf

say "hinge config check"
H config check
say "hinge plugins"
H plugins
say "hinge metrics (before: tasks fail for lack of ai_model)"
sleep 1
H metrics
say "hinge rollout plan add-ai-model.conf"
H rollout plan "$change"
say "hinge rollout start add-ai-model.conf"
status=0
H rollout start "$change" --reason "demo: tasks fail without ai_model" || status=$?
id=$(H --json rollout history | python3 -c 'import json,sys; print(json.load(sys.stdin)["rollouts"][-1]["id"])')
say "hinge rollout status $id"
H rollout status "$id"
say "the catalog and the tasks"
psql -d app -c "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'execution_tasks' AND column_name = 'ai_model'"
psql -d app -c "SELECT status, count(*) FROM execution_tasks GROUP BY status ORDER BY status"
say "hinge rollout events $id"
H rollout events "$id" | tail -12

if [ "$check" -eq 1 ]; then
	pass=0 failed=0
	check() {
		if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1"; fi
	}
	check "rollout start exits 0" '[ "$status" -eq 0 ]'
	check "the rollout completed" '[ "$(H --json rollout status "$id" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"rollout\"][\"state\"])")" = completed ]'
	check "ai_model is varchar(255) in the catalog" '[ "$(psql -tA -d app -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '"'"'execution_tasks'"'"'::regclass AND attname = '"'"'ai_model'"'"'")" = "character varying(255)" ]'
	check "the tasks that failed for lack of it were requeued" '[ "$(psql -tA -d app -c "SELECT count(*) FROM execution_tasks WHERE status = '"'"'failed'"'"' AND error LIKE '"'"'%ai_model%'"'"'")" = 0 ]'
	check "the planted tasks are among them" '[ "$(psql -tA -d app -c "SELECT count(*) FROM execution_tasks WHERE error LIKE '"'"'%ai_model%'"'"' AND status <> '"'"'failed'"'"'")" -ge 12 ]'
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
fi
