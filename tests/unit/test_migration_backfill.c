/*
 * test_migration_backfill.c - migration.backfill in batches by primary
 * key: progress, stopping half way and resuming with every row changed
 * exactly once, and bad input, against the test PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/doubles/host_standin.h"

#define DB "migration_backfill"

static int setup(void **state)
{
	(void)state;
	return mh_setup(DB, "CREATE TABLE tasks (id bigint PRIMARY KEY, touched int NOT NULL DEFAULT 0,"
			" status text, ai_model text);"
			"INSERT INTO tasks (id, status) SELECT g * 3, CASE WHEN g % 4 = 0 THEN 'done'"
			" ELSE 'pending' END FROM generate_series(1, 5000) g;"
			"CREATE TABLE nokey (a int, b text)");
}

static int teardown(void **state)
{
	(void)state;
	mh_teardown();
	return 0;
}

static const struct kv fill[] = {
	{ "table", "tasks" }, { "set", "ai_model = 'gpt-4', touched = touched + 1" },
	{ "where", "ai_model IS NULL AND status = 'pending'" }, { "batch_size", "400" },
	{ NULL, NULL },
};

static void backfill_in_batches_with_progress(void **state)
{
	struct hinge_step st = mh_step("backfill", fill);

	(void)state;
	assert_true(st.action->flags & HINGE_ACTION_NO_INVERSE);
	assert_null(st.action->revert);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.tasks");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_string_equal(mh_value("SELECT count(*) FROM tasks WHERE ai_model IS NOT NULL"), "0");
	/* stop after three batches */
	mh_stop_after(3);
	assert_int_equal(CALL(&st, apply), HINGE_ECANCELED);
	mh_stop_after(-1);
	assert_string_equal(st.checkpoint, "3600");
	assert_string_equal(mh_value("SELECT count(*) FROM tasks WHERE ai_model IS NOT NULL"), "900");
	assert_int_equal(st.progress_done, 900);
	assert_int_equal(st.progress_total, 3750);
	assert_int_equal(CALL(&st, verify), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "2850 rows of \"public\".\"tasks\" still match"));
	/* resume: from the last committed batch, each row changed once */
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_int_equal(st.progress_done, 3750);
	assert_int_equal(st.progress_total, 3750);
	assert_string_equal(st.checkpoint, "15000");
	assert_string_equal(mh_value("SELECT count(*) FILTER (WHERE touched = 1) || ' '"
				     " || count(*) FILTER (WHERE touched > 1) || ' '"
				     " || count(*) FILTER (WHERE status = 'done' AND ai_model IS NOT NULL)"
				     " FROM tasks"), "3750 0 0");
	assert_string_equal(mh_value("SELECT last_key || ' ' || rows_done FROM hinge.migration_backfill"),
			    "15000 3750");
	/* done: applying again changes nothing */
	assert_int_equal(CALL(&st, apply), 0);
	assert_string_equal(mh_value("SELECT max(touched) FROM tasks"), "1");
	mh_step_free(&st);
}

/*
 * Terminate the plugin's session once it has done a few batches; only in
 * this test's database, since other tests share the server and the
 * application_name.
 */
static void *terminator(void *arg)
{
	PGconn *c = mh_db();

	(void)arg;
	for (int i = 0; i < 500; i++) {
		PGresult *r = PQexec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
				     " WHERE application_name = 'hinge/migration-test'"
				     " AND datname = current_database()"
				     " AND (SELECT rows_done FROM hinge.migration_backfill"
				     "  WHERE step = 'expand') >= 1000");
		int done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;

		PQclear(r);
		if (done)
			break;
		usleep(10000);
	}
	PQfinish(c);
	return NULL;
}

static void backfill_resumes_after_its_connection_is_terminated(void **state)
{
	static const struct kv again[] = {
		{ "table", "tasks" }, { "set", "touched = touched + 1, status = 'queued'" },
		{ "where", "status = 'pending'" }, { "batch_size", "200" }, { "pause", "20" },
		{ NULL, NULL },
	};
	struct hinge_step st = mh_step("backfill", again);
	PGconn *c = mh_db();
	pthread_t t;
	int rc;

	(void)state;
	mh_sql_ok(c, "DELETE FROM hinge.migration_backfill; UPDATE tasks SET touched = 0");
	PQfinish(c);
	assert_int_equal(pthread_create(&t, NULL, terminator, NULL), 0);
	rc = CALL(&st, apply);
	pthread_join(t, NULL);
	assert_int_equal(rc, HINGE_EFAIL);
	assert_string_not_equal(mh_value("SELECT count(*) FROM tasks WHERE status = 'queued'"), "0");
	assert_string_not_equal(mh_value("SELECT count(*) FROM tasks WHERE status = 'pending'"), "0");
	/* resume in a new connection, from the last committed batch */
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_string_equal(mh_value("SELECT count(*) FILTER (WHERE touched = 1) || ' '"
				     " || count(*) FILTER (WHERE touched <> 1 AND status = 'queued')"
				     " FROM tasks"), "3750 0");
	mh_step_free(&st);
}

static void backfill_bad_input(void **state)
{
	static const struct kv nokey[] = {
		{ "table", "nokey" }, { "set", "b = 'x'" }, { "where", "b IS NULL" }, { NULL, NULL },
	};
	static const struct kv syntax[] = {
		{ "table", "tasks" }, { "set", "ai_model = = 1" }, { "where", "true" }, { NULL, NULL },
	};
	static const struct kv missing[] = {
		{ "table", "nope" }, { "set", "a = 1" }, { "where", "true" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("backfill", nokey);

	(void)state;
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "has no one-column primary key"));
	mh_step_free(&st);
	st = mh_step("backfill", syntax);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "the backfill does not parse"));
	mh_step_free(&st);
	st = mh_step("backfill", missing);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "does not exist"));
	mh_step_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backfill_in_batches_with_progress),
		cmocka_unit_test(backfill_resumes_after_its_connection_is_terminated),
		cmocka_unit_test(backfill_bad_input),
	};

	return cmocka_run_group_tests_name("migration_backfill", tests, setup, teardown);
}
