#!/bin/sh
# The command line: every core command, --json, --help, exit statuses,
# and bad input that changes nothing.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
hinge_conf "$T/hinge.conf" 'plugins: { example: { enabled = true; answer = 3.0; }; };'

expect_exit "version" 0 H version
is "version --json carries a schema" "$(H --json version | python3 -c 'import json,sys; print(json.load(sys.stdin)["schema"])')" "hinge.version/1"
expect_exit "config check passes" 0 H config check
ok "config check creates no state database" test ! -e "$T/state.db"
expect_exit "plugins" 0 H plugins
is "plugins --json lists example and its metric" \
	"$(H plugins --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["plugins"][0]["name"], d["plugins"][0]["metrics"][0])')" \
	"example example.answer"
is "metrics reads the plugin's metric" \
	"$(H --json metrics | python3 -c 'import json,sys; d=json.load(sys.stdin); print([m["value"] for m in d["metrics"] if m["name"]=="example.answer"][0])')" "3.0"
is "a plugin's command runs" "$(H hello there)" "hello from example with 2 arguments (first: there)"
is "a plugin's command prints one JSON document" "$(H --json hello | python3 -c 'import json,sys; print(json.load(sys.stdin)["schema"])')" "example.hello/1"
for c in version "config check" plugins metrics "state backup" agent hello; do
	# shellcheck disable=SC2086
	expect_exit "$c --help" 0 H $c --help
done
expect_exit "no command is a usage error" 2 H
expect_exit "an unknown command is a usage error" 2 H frobnicate
expect_exit "config without check is a usage error" 2 H config
expect_exit "state backup without a file is a usage error" 2 H state backup

# With --json a failure is one document too: the status and the first error.
is "a failure with --json prints hinge.error/1" \
	"$("$HINGE" -c "$T/nonexistent.conf" --json plugins 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["schema"], d["exit"], "could not read" in d["error"])')" \
	"hinge.error/1 2 True"

# Backup: an online copy that opens and holds the plugin's tables.
expect_exit "state backup" 0 H state backup "$T/backup.db"
is "the backup holds the plugin's table" "$(sqlite3 "$T/backup.db" "SELECT count(*) FROM sqlite_master WHERE name = 'example_things'")" "1"
is "the backup is mode 0600" "$(stat -c %a "$T/backup.db")" "600"
is "the state database is mode 0600" "$(stat -c %a "$T/state.db")" "600"

# $HINGE_CONFIG is used when -c is not given.
is "HINGE_CONFIG is read" "$(HINGE_CONFIG=$T/hinge.conf "$HINGE" hello)" "hello from example with 1 arguments (first: none)"

# Bad input: a clear message, exit 2, and the state database unchanged.
before=$(db_dump)
bad() { # name config-text expected-message
	printf '%s\n' "$2" >"$T/bad.conf"
	"$HINGE" -c "$T/bad.conf" plugins >"$T/out" 2>"$T/err"
	st=$?
	is "$1: exit 2" "$st" "2"
	ok "$1: message names it" grep -q -- "$3" "$T/err"
	is "$1: state unchanged" "$(db_dump)" "$before"
}
bad "unknown key" "agent: { state_db = \"$T/state.db\"; plugin_dir = \"$TEST_PLUGINS\"; log_levl = \"info\"; };" \
	'bad.conf:1: log_levl: unknown setting; did you mean "log_level"?'
bad "wrong type" "agent: { state_db = \"$T/state.db\"; plugin_dir = \"$TEST_PLUGINS\"; };
plugins: { example: { enabled = true; answer = \"many\"; }; };" 'bad.conf:2: answer: must be a number'
bad "syntax error" "agent: { state_db = ; };" 'bad.conf:1: syntax error'
bad "missing plugin folder" "agent: { state_db = \"$T/state.db\"; plugin_dir = \"$T/nonexistent\"; };
plugins: { example: { enabled = true; }; };" 'plugin_dir: "'"$T"'/nonexistent" is not a folder'
bad "missing plugin" "agent: { state_db = \"$T/state.db\"; plugin_dir = \"$TEST_PLUGINS\"; };
plugins: { missing: { enabled = true; }; };" 'plugins.missing: enabled, but there is no missing.so'
bad "plugin of another ABI" "agent: { state_db = \"$T/state.db\"; plugin_dir = \"$TEST_PLUGINS\"; };
plugins: { badabi: { enabled = true; }; };" 'ABI major 99 differs'
# Bad usage on a host with no state yet leaves none behind.
hinge_conf "$T/fresh.conf" 'plugins: { example: { enabled = true; }; };'
sed -i "s|$T/state.db|$T/fresh/state.db|" "$T/fresh.conf"
expect_exit "an unknown command on a new host: exit 2" 2 "$HINGE" -c "$T/fresh.conf" frobnicate
ok "and no state folder or database was made" test ! -e "$T/fresh"
hinge_conf "$T/nodir.conf" ''
sed -i "s|$TEST_PLUGINS|$T/nonexistent|" "$T/nodir.conf"
expect_exit "a plugin_dir that does not exist, with no plugin enabled: exit 2" 2 "$HINGE" -c "$T/nodir.conf" config check
expect_exit "a missing config file: exit 2" 2 "$HINGE" -c "$T/nonexistent.conf" plugins
ok "a missing config file: named" grep -q "could not read configuration file \"$T/nonexistent.conf\"" "$TAP_LOG"

# A corrupt state database: exit 2, the file untouched.
cp "$T/state.db" "$T/corrupt.db"
sqlite3 "$T/corrupt.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
dd if=/dev/urandom of="$T/corrupt.db" bs=4096 seek=1 count=3 conv=notrunc 2>/dev/null
sum_before=$(sha256sum <"$T/corrupt.db")
hinge_conf "$T/corrupt.conf" 'plugins: { example: { enabled = true; }; };'
sed -i "s|$T/state.db|$T/corrupt.db|" "$T/corrupt.conf"
expect_exit "a corrupt state database: exit 2" 2 "$HINGE" -c "$T/corrupt.conf" metrics
is "a corrupt state database: unchanged" "$(sha256sum <"$T/corrupt.db")" "$sum_before"

# A state database on a read-only disk: exit 5.
mkdir "$T/ro"
if mount -t tmpfs -o size=4m tmpfs "$T/ro" 2>>"$TAP_LOG"; then
	cp "$T/state.db" "$T/ro/state.db"
	mount -o remount,ro "$T/ro"
	hinge_conf "$T/ro.conf" 'plugins: { example: { enabled = true; }; };'
	sed -i "s|$T/state.db|$T/ro/state.db|" "$T/ro.conf"
	expect_exit "a read-only state disk: exit 5" 5 "$HINGE" -c "$T/ro.conf" metrics
	ok "a read-only state disk: named" grep -q "state database \"$T/ro/state.db\"" "$TAP_LOG"
	umount "$T/ro"
else
	tap_result 1 "a read-only state disk: cannot mount a tmpfs (run the tests as root)"
fi
done_testing
