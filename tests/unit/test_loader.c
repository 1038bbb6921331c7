/*
 * test_loader.c - loading plugins: a good one registers and its metric,
 * settings and tables work through the host table; a plugin of another
 * ABI, one without the entry symbol, and files or folders others can
 * write are refused, each with a message naming the file and the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "agent/config.h"
#include "agent/host.h"
#include "agent/loader.h"
#include "agent/registry.h"
#include "state/state.h"
#include "capture.h"

static char dir[] = "/tmp/hinge-test-loader-XXXXXX";
static char libs[512];

static int setup(void **s)
{
	const char *b = getenv("HINGE_BUILDDIR");

	(void)s;
	strcpy(dir, "/tmp/hinge-test-loader-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(libs, sizeof(libs), "%s/tests/plugins/.libs", b ? b : ".");
	return 0;
}

static int teardown(void **s)
{
	char cmd[300];

	(void)s;
	loader_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int run(const char *cmd)
{
	return system(cmd);
}

/* Write a config enabling plugin `name` from folder `from` and load it. */
static int load_with(const char *name, const char *from, const char *extra,
		     struct capture *cap, struct config **cfg, struct state **st)
{
	char path[600], db[600];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/hinge.conf", dir);
	snprintf(db, sizeof(db), "%s/state.db", dir);
	f = fopen(path, "w");
	fprintf(f, "agent: { state_db = \"%s\"; plugin_dir = \"%s\"; };\n"
		   "plugins: { %s: { enabled = true; %s }; };\n", db, from, name, extra ? extra : "");
	fclose(f);
	assert_int_equal(config_load(path, cfg), 0);
	assert_int_equal(state_open(db, STATE_CREATE, st), 0);
	host_set_state_path(db);
	capture_start(cap);
	rc = loader_load_all(*cfg, *st);
	capture_end(cap);
	return rc;
}

static void test_good_plugin(void **s)
{
	struct config *cfg;
	struct state *st;
	struct capture cap;
	const struct reg_metric *m;
	const char *const labels[] = { "nodata", "yes", NULL };
	const char *const none[] = { NULL };
	struct hinge_mquery q = { .labels = none };
	double v = 0;
	sqlite3_stmt *stmt;

	(void)s;
	assert_int_equal(load_with("example", libs, "answer = 7.5;", &cap, &cfg, &st), 0);
	assert_non_null(loader_plugin("example"));
	m = registry_metric("example.answer");
	assert_non_null(m);
	assert_int_equal(registry_metric_read(m, &q, &v), 0);
	assert_true(v == 7.5);
	q.labels = labels;
	assert_int_equal(registry_metric_read(m, &q, &v), HINGE_ENODATA);
	assert_non_null(registry_command("hello"));
	assert_non_null(registry_job_at(0));
	assert_int_equal(registry_job_at(0)->j.interval_ms, 50);
	/* Its table was created by its migration. */
	assert_int_equal(sqlite3_prepare_v2(state_sqlite(st), "SELECT count(*) FROM example_things", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_finalize(stmt);
	loader_shutdown();
	state_close(st);
	config_free(cfg);
}

static void test_bad_setting(void **s)
{
	struct config *cfg;
	struct state *st;
	struct capture cap;

	(void)s;
	assert_int_equal(load_with("example", libs, "\n answr = 1;", &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, ":3: answr: unknown setting; did you mean \"answer\"?"));
	state_close(st);
	config_free(cfg);
}

static void test_other_abi(void **s)
{
	struct config *cfg;
	struct state *st;
	struct capture cap;

	(void)s;
	assert_int_equal(load_with("badabi", libs, NULL, &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "badabi.so\": ABI major 99 differs from the agent's 1"));
	state_close(st);
	config_free(cfg);
}

static void test_no_entry(void **s)
{
	struct config *cfg;
	struct state *st;
	struct capture cap;

	(void)s;
	assert_int_equal(load_with("noentry", libs, NULL, &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "noentry.so\" has no hinge_plugin_entry()"));
	assert_non_null(strstr(cap.text, "undefined symbol")); /* dlerror's text */
	state_close(st);
	config_free(cfg);
}

static void test_missing(void **s)
{
	struct config *cfg;
	struct state *st;
	struct capture cap;

	(void)s;
	assert_int_equal(load_with("nosuch", libs, NULL, &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "plugins.nosuch: enabled, but there is no nosuch.so"));
	state_close(st);
	config_free(cfg);
}

static void test_insecure(void **s)
{
	struct config *cfg;
	struct state *st;
	struct capture cap;
	char cmd[4096], plugdir[200];

	(void)s;
	snprintf(plugdir, sizeof(plugdir), "%s/plugins", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp %s/example.so %s/ && chmod 755 %s && chmod 666 %s/example.so",
		 plugdir, libs, plugdir, plugdir, plugdir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(load_with("example", plugdir, NULL, &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "refusing plugin file"));
	assert_non_null(strstr(cap.text, "mode 0666"));
	state_close(st);
	config_free(cfg);

	snprintf(cmd, sizeof(cmd), "chmod 644 %s/example.so && chmod 777 %s", plugdir, plugdir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(load_with("example", plugdir, NULL, &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "refusing plugin folder"));
	state_close(st);
	config_free(cfg);

	snprintf(cmd, sizeof(cmd), "chmod 755 %s && chown 65534 %s/example.so", plugdir, plugdir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(load_with("example", plugdir, NULL, &cap, &cfg, &st), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "owner uid 65534"));
	state_close(st);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_plugin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_abi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insecure, setup, teardown),
	};

	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
