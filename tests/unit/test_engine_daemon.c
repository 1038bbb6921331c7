/*
 * engine_daemon_poll: the agent takes over a rollout started with
 * --detach and runs it to the end in a thread of its own, and re-rehearses
 * warm artifacts on its schedule, raising an error event for a stale one.
 * Drives the real engine with the fault plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/config.h"
#include "agent/engine.h"
#include "agent/host.h"
#include "agent/loader.h"
#include "state/state.h"

static char dir[] = "/tmp/hinge-engine-daemon.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int exists(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static json_t *status(struct state *st, const char *id)
{
	json_t *doc = NULL;

	assert_int_equal(engine_status(st, id, &doc), 0);
	return doc;
}

static const char *state_of(json_t *doc)
{
	return json_string_value(json_object_get(json_object_get(doc, "rollout"), "state"));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void takes_over_and_keeps_artifacts_warm(void **unused)
{
	const char *build = getenv("HINGE_BUILDDIR");
	struct engine_opts o = { .reason = "detached", .detach = 1 };
	struct config *cfg;
	struct state *st;
	char conf[1024], path[512], *id = NULL;
	int64_t stale = 0;
	json_t *doc;

	(void)unused;
	assert_non_null(build);
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf),
		 "agent: { state_db = \"%s/state.db\"; plugin_dir = [ \"%s/tests/plugins/.libs\" ];"
		 " log_level = \"error\"; request_poll = \"10ms\"; rehearse_interval = \"50ms\"; };\n"
		 "plugins: { fault: { enabled = true; dir = \"%s\"; }; };\n", dir, build, dir);
	write_file("hinge.conf", conf);
	write_file("c.conf", "change: { id = \"c\"; steps = (\n"
		   " { name = \"a\"; action = \"fault.step\"; with = { key = \"k\"; }; },\n"
		   " { name = \"p\"; pause = \"20ms\"; } ); };\n");
	snprintf(path, sizeof(path), "%s/hinge.conf", dir);
	assert_int_equal(config_load(path, &cfg), 0);
	snprintf(path, sizeof(path), "%s/state.db", dir);
	assert_int_equal(state_open(path, STATE_CREATE, &st), 0);
	host_set_state_path(path);
	assert_int_equal(loader_load_all(cfg, st), 0);
	assert_int_equal(engine_configure(cfg->agent), 0);

	snprintf(path, sizeof(path), "%s/c.conf", dir);
	assert_int_equal(engine_start(st, path, &o, &id), 0);
	assert_non_null(id);
	doc = status(st, id);
	assert_string_equal(state_of(doc), "running");
	json_decref(doc);
	assert_false(exists("k"));

	for (int i = 0; i < 3000; i++) { /* up to 30 s: valgrind is slow */
		assert_int_equal(engine_daemon_poll(st), 0);
		doc = status(st, id);
		if (strcmp(state_of(doc), "completed") == 0) {
			json_decref(doc);
			break;
		}
		json_decref(doc);
		sleep_ms(10);
	}
	doc = status(st, id);
	assert_string_equal(state_of(doc), "completed");
	json_decref(doc);
	assert_true(exists("k"));

	/* Drift: the next scheduled re-rehearsal finds the artifact stale. */
	write_file("stale_k", "");
	for (int i = 0; i < 100 && stale == 0; i++) {
		sqlite3_stmt *s;

		sleep_ms(10);
		assert_int_equal(engine_daemon_poll(st), 0);
		sqlite3_prepare_v2(state_sqlite(st), "SELECT count(*) FROM events WHERE kind = 'artifact.stale' AND rollout_id = ?",
				   -1, &s, NULL);
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			stale = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	assert_true(stale > 0);
	free(id);
	loader_shutdown();
	host_release_thread_state();
	state_close(st);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(takes_over_and_keeps_artifacts_warm),
	};
	int rc = cmocka_run_group_tests_name("engine_daemon", tests, NULL, NULL);
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
