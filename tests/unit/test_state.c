/*
 * test_state.c - the state store: pragmas and mode, forward
 * migration of an older database, refusal of a newer one and of a
 * corrupt one (the file left untouched), two writer processes, waiting
 * for a lock, backup, prune, plugin tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <hinge/plugin.h>

#include "state/schema.h"
#include "state/state.h"
#include "capture.h"

static char dir[] = "/tmp/hinge-test-state-XXXXXX";
static char db[256];

static int setup(void **s)
{
	(void)s;
	strcpy(dir, "/tmp/hinge-test-state-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	return 0;
}

static int teardown(void **s)
{
	char cmd[300];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static long query_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	long v = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The whole file, to prove that a refused database was not touched. */
static char *slurp(const char *p, long *len)
{
	FILE *f = fopen(p, "rb");
	char *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	buf = malloc((size_t)*len + 1);
	assert_int_equal(fread(buf, 1, (size_t)*len, f), (size_t)*len);
	fclose(f);
	return buf;
}

static void test_create(void **s)
{
	struct state *st;
	struct stat sb;
	char mode[16];

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(state_file_version(st), state_schema_version());
	assert_int_equal(query_int(state_sqlite(st), "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(state_sqlite(st), "PRAGMA foreign_keys"), 1);
	snprintf(mode, sizeof(mode), "%s", "wal");
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	state_close(st);
}

static void test_missing_without_create(void **s)
{
	struct state *st;
	struct capture cap;

	(void)s;
	capture_start(&cap);
	assert_int_equal(state_open(db, 0, &st), HINGE_EUNAVAIL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "does not exist"));
}

/* A database made by the schema before the newest one is upgraded. */
static void test_upgrade(void **s)
{
	int n = state_schema_version();
	sqlite3 *h;
	struct state *st;
	char sql[64];

	(void)s;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	for (int v = 0; v < n - 1; v++)
		assert_int_equal(sqlite3_exec(h, state_migrations[v], NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", n - 1);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	if (n > 1)
		assert_int_equal(sqlite3_exec(h, "INSERT INTO kv VALUES ('kept', 'yes')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	assert_int_equal(state_open(db, 0, &st), 0);
	assert_int_equal(state_file_version(st), n);
	if (n > 1)
		assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM kv WHERE key = 'kept'"), 1);
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM events"), 0);
	state_close(st);
}

static void test_newer_refused(void **s)
{
	struct state *st;
	struct capture cap;
	char sql[64], *before, *after;
	long lb, la;

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", state_schema_version() + 1);
	assert_int_equal(sqlite3_exec(state_sqlite(st), sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(state_sqlite(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	state_close(st);
	before = slurp(db, &lb);
	capture_start(&cap);
	assert_int_equal(state_open(db, 0, &st), HINGE_EINVAL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "newer than this Hinge's"));
	after = slurp(db, &la);
	assert_int_equal(lb, la);
	assert_memory_equal(before, after, (size_t)lb);
	free(before);
	free(after);
}

static void test_corrupt_refused(void **s)
{
	struct state *st;
	struct capture cap;
	char *before, *after;
	long lb, la;
	FILE *f;

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	for (int i = 0; i < 200; i++)
		state_event_append(st, i, 6, "test", "t", NULL, "a message long enough to fill some pages of the database file",
				   NULL, NULL, NULL);
	sqlite3_exec(state_sqlite(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	state_close(st);
	/* Overwrite the header of every page after the first. */
	f = fopen(db, "r+b");
	fseek(f, 4096, SEEK_SET);
	for (int i = 0; i < 3 * 4096; i++)
		fputc(0xA5, f);
	fclose(f);
	before = slurp(db, &lb);
	capture_start(&cap);
	assert_int_equal(state_open(db, STATE_CHECK, &st), HINGE_EINVAL);
	capture_end(&cap);
	assert_true(strstr(cap.text, "corrupt") != NULL || strstr(cap.text, "malformed") != NULL);
	after = slurp(db, &la);
	assert_int_equal(lb, la);
	assert_memory_equal(before, after, (size_t)lb);
	free(before);
	free(after);
}

static void test_not_a_database(void **s)
{
	struct state *st;
	struct capture cap;
	FILE *f = fopen(db, "w");

	(void)s;
	fputs("this is not a database, but it is long enough to look like a header of one.......", f);
	fclose(f);
	capture_start(&cap);
	assert_int_equal(state_open(db, 0, &st), HINGE_EINVAL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, db));
}

/* Two processes writing at once: every write lands, none is lost. */
static void test_two_writers(void **s)
{
	struct state *st;
	pid_t pids[2];
	int status;

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	state_close(st);
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			int bad = 0;

			if (state_open(db, 0, &st) != 0)
				_exit(2);
			for (int i = 0; i < 200; i++) {
				bad |= state_begin(st) != 0;
				bad |= state_event_append(st, i, 6, "w", "t", NULL, "m", NULL, NULL, NULL) != 0;
				bad |= state_commit(st) != 0;
			}
			state_close(st);
			_exit(bad);
		}
	}
	for (int p = 0; p < 2; p++) {
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(state_open(db, 0, &st), 0);
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM events WHERE kind = 'w'"), 400);
	state_close(st);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Holds the write lock on its own connection for 100 ms; (void *)1 when
 * its commit worked (cmocka's asserts belong to the test's thread). */
static void *hold_lock(void *arg)
{
	sqlite3 *h = arg;
	struct timespec ms100 = { 0, 100000000L };

	nanosleep(&ms100, NULL);
	return (void *)(intptr_t)(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
}

/* A writer waits for a lock another connection holds: it gets it when
 * that one commits, long before the busy timeout, and gives up with
 * HINGE_EBUSY once the timeout has passed, not before. */
static void test_busy_wait(void **s)
{
	struct state *st;
	struct capture cap;
	sqlite3 *h;
	pthread_t t;
	void *committed;
	int64_t t0, took;

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);

	assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(pthread_create(&t, NULL, hold_lock, h), 0);
	t0 = mono_ms();
	assert_int_equal(state_begin(st), 0);
	took = mono_ms() - t0;
	assert_int_equal(pthread_join(t, &committed), 0);
	assert_true(committed == (void *)1);
	assert_true(took >= 90);
	assert_true(took < 4000); /* the timeout is 5 s */
	assert_int_equal(state_commit(st), 0);

	state_set_busy_timeout(300);
	assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	capture_start(&cap);
	t0 = mono_ms();
	assert_int_equal(state_begin(st), HINGE_EBUSY);
	took = mono_ms() - t0;
	capture_end(&cap);
	assert_true(took >= 300);
	assert_true(took < 3000);
	assert_non_null(strstr(cap.text, "cannot begin a transaction"));
	state_set_busy_timeout(5000);
	assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	state_close(st);
}

static void test_backup_and_prune(void **s)
{
	struct state *st, *copy;
	char dest[300];
	struct stat sb;
	int64_t now = state_now_ms();

	(void)s;
	snprintf(dest, sizeof(dest), "%s/backup.db", dir);
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	assert_int_equal(state_event_append(st, now - 10 * 86400000LL, 6, "old", "t", NULL, "m", NULL, NULL, NULL), 0);
	assert_int_equal(state_event_append(st, now, 6, "new", "t", NULL, "m", NULL, NULL, NULL), 0);
	assert_int_equal(state_sample_put(st, now - 10 * 86400000LL, "x.y", NULL, 1.0), 0);
	assert_int_equal(state_sample_put(st, now, "x.y", "{\"a\":\"b\"}", 2.0), 0);
	assert_int_equal(state_backup(st, dest), 0);
	assert_int_equal(stat(dest, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(state_prune(st, 86400000LL, 86400000LL), 0);
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM events"), 1);
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM samples"), 1);
	state_close(st);
	assert_int_equal(state_open(dest, 0, &copy), 0);
	assert_int_equal(query_int(state_sqlite(copy), "SELECT count(*) FROM events"), 2);
	state_close(copy);
}

static void test_backup_onto_itself(void **s)
{
	struct state *st;
	struct capture cap;

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	assert_int_equal(state_event_append(st, 1, 6, "kept", "t", NULL, "m", NULL, NULL, NULL), 0);
	capture_start(&cap);
	assert_int_equal(state_backup(st, db), HINGE_EINVAL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "onto itself"));
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM events WHERE kind = 'kept'"), 1);
	state_close(st);
}

/* Processes that create and migrate a new database at the same moment. */
static void test_concurrent_create(void **s)
{
	(void)s;
	for (int round = 0; round < 10; round++) {
		pid_t pids[3];
		int status;

		snprintf(db, sizeof(db), "%s/new%d.db", dir, round);
		for (int p = 0; p < 3; p++) {
			pids[p] = fork();
			if (pids[p] == 0) {
				struct state *st;
				int rc;

				freopen("/dev/null", "w", stderr);
				rc = state_open(db, STATE_CREATE, &st);
				if (rc == 0)
					state_close(st);
				_exit(rc == 0 ? 0 : 1);
			}
		}
		for (int p = 0; p < 3; p++) {
			assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
			assert_int_equal(WEXITSTATUS(status), 0);
		}
	}
}

static void test_plugin_migrate_and_kv(void **s)
{
	const char *const v1[] = { "CREATE TABLE p_a (x)", NULL };
	const char *const v2[] = { "CREATE TABLE p_a (x)", "ALTER TABLE p_a ADD COLUMN y", NULL };
	struct state *st;
	struct capture cap;
	char *val;

	(void)s;
	assert_int_equal(state_open(db, STATE_CREATE, &st), 0);
	assert_int_equal(state_plugin_migrate(st, "p", v1), 0);
	assert_int_equal(state_plugin_migrate(st, "p", v1), 0); /* again: nothing to do */
	assert_int_equal(state_plugin_migrate(st, "p", v2), 0);
	assert_int_equal(query_int(state_sqlite(st), "SELECT version FROM plugin_schema WHERE plugin = 'p'"), 2);
	assert_int_equal(query_int(state_sqlite(st), "SELECT count(*) FROM pragma_table_info('p_a')"), 2);
	capture_start(&cap);
	assert_int_equal(state_plugin_migrate(st, "p", v1), HINGE_EINVAL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "newer than the plugin's 1"));

	assert_int_equal(state_kv_set(st, "freeze", "on"), 0);
	assert_int_equal(state_kv_get(st, "freeze", &val), 0);
	assert_string_equal(val, "on");
	free(val);
	assert_int_equal(state_kv_set(st, "freeze", NULL), 0);
	assert_int_equal(state_kv_get(st, "freeze", &val), 0);
	assert_null(val);
	state_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_without_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_and_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_onto_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plugin_migrate_and_kv, setup, teardown),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
