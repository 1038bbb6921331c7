/*
 * host->rollout_steps (ABI 1.1): a plugin walks a rollout's steps in
 * order with their kind, phase and times; an unset time reads 0; each()
 * can stop the walk; an unknown rollout is HINGE_EINVAL with a message
 * naming it; HINGE_HOST_HAS tells a 1.0 table from a 1.1 one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/host.h"
#include "state/state.h"
#include "capture.h"

static char dir[] = "/tmp/hinge-host-rollout.XXXXXX";
static char path[512];
static struct hinge_plugin plugin = { .name = "roi" };

struct walk {
	char text[1024];
	int stop_at; /* each() returns 7 at this step number; 0: never */
};

static int each(void *arg, int number, const char *name, const char *kind,
		const char *phase, int64_t started_ms, int64_t ended_ms)
{
	struct walk *w = arg;
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%d %s %s %s %lld %lld\n", number, name,
		 kind, phase, (long long)started_ms, (long long)ended_ms);
	return number == w->stop_at ? 7 : 0;
}

static int setup(void **unused)
{
	struct state *st;
	char *err = NULL;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.db", dir);
	assert_int_equal(state_open(path, STATE_CREATE, &st), 0);
	/* Inserted in the wrong order on purpose: the walk goes by index. */
	assert_int_equal(sqlite3_exec(state_sqlite(st),
		"INSERT INTO rollouts (id, change_id, file, text, sha256, state, on_failure, actor,"
		" created_ms, ended_ms) VALUES ('r-1', 'c', 'c.conf', '', '', 'rolled_back',"
		" 'rollback', 'test', 1000, 9500);"
		"INSERT INTO steps (rollout_id, idx, name, kind, action, phase, started_ms, ended_ms)"
		" VALUES ('r-1', 2, 'revenue', 'gate', NULL, 'failed', 6000, 7000),"
		" ('r-1', 0, 'deploy', 'action', 'fault.step', 'reverted', 1010, 9400),"
		" ('r-1', 1, 'soak', 'pause', NULL, 'done', 1020, 6000),"
		" ('r-1', 3, 'requeue', 'action', 'fault.step', 'pending', NULL, NULL);",
		NULL, NULL, &err), SQLITE_OK);
	state_close(st);
	host_set_state_path(path);
	return 0;
}

static int teardown(void **unused)
{
	char cmd[600];

	(void)unused;
	host_release_thread_state();
	host_set_state_path(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void walks_in_order(void **unused)
{
	const struct hinge_host *h = host_table();
	struct walk w = { "", 0 };

	(void)unused;
	assert_true(HINGE_HOST_HAS(h, rollout_steps));
	assert_int_equal(h->rollout_steps(&plugin, "r-1", each, &w), 0);
	assert_string_equal(w.text,
			    "1 deploy action reverted 1010 9400\n"
			    "2 soak pause done 1020 6000\n"
			    "3 revenue gate failed 6000 7000\n"
			    "4 requeue action pending 0 0\n");
}

static void each_stops_the_walk(void **unused)
{
	struct walk w = { "", 2 };

	(void)unused;
	assert_int_equal(host_table()->rollout_steps(&plugin, "r-1", each, &w), 7);
	assert_string_equal(w.text, "1 deploy action reverted 1010 9400\n"
				    "2 soak pause done 1020 6000\n");
}

static void unknown_rollout(void **unused)
{
	struct walk w = { "", 0 };
	struct capture c;
	int rc;

	(void)unused;
	capture_start(&c);
	rc = host_table()->rollout_steps(&plugin, "r-none", each, &w);
	capture_end(&c);
	assert_int_equal(rc, HINGE_EINVAL);
	assert_string_equal(w.text, "");
	assert_non_null(strstr(c.text, "no rollout \"r-none\""));
}

/* A plugin built against 1.1 on a 1.0 host sees the member is missing. */
static void older_host_lacks_it(void **unused)
{
	struct hinge_host old = *host_table();

	(void)unused;
	old.size = offsetof(struct hinge_host, rollout_steps);
	assert_false(HINGE_HOST_HAS(&old, rollout_steps));
	assert_true(HINGE_HOST_HAS(&old, cmd_print_json));
	assert_true(host_table()->minor >= 1); /* 1.1 added it; later minors keep it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walks_in_order),
		cmocka_unit_test(each_stops_the_walk),
		cmocka_unit_test(unknown_rollout),
		cmocka_unit_test(older_host_lacks_it),
	};

	return cmocka_run_group_tests_name("host_rollout", tests, setup, teardown);
}
