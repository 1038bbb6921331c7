/*
 * test_migration_actions.c - the migration plugin's actions and metric,
 * driven in the order the rollout engine calls them, through a small
 * stand-in of the host table, against the real PostgreSQL of the test
 * harness ($HINGE_TEST_PGHOST).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/doubles/host_standin.h"

#define DB "migration_actions"

static int setup(void **state)
{
	(void)state;
	return mh_setup(DB, "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL,"
			" qty int DEFAULT 0 CHECK (qty >= 0));"
			"CREATE INDEX items_name ON items (name);"
			"INSERT INTO items (name) SELECT 'n' || g FROM generate_series(1, 100) g;"
			"CREATE TABLE \"we\"\"ird; table\" (id int PRIMARY KEY)");
}

static int teardown(void **state)
{
	(void)state;
	mh_teardown();
	return 0;
}

/* --- add_column ----------------------------------------------------- */

static const struct kv ai_model[] = {
	{ "table", "items" }, { "column", "ai_model" }, { "type", "varchar(255)" }, { NULL, NULL },
};

static void add_column_forward_verified_reverted(void **state)
{
	struct hinge_step st = mh_step("add_column", ai_model);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.items");
	assert_string_equal(st.inverse, "ALTER TABLE \"public\".\"items\" DROP COLUMN IF EXISTS \"ai_model\"");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, probe), 0); /* the rehearsal left the table alone */
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(mh_value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
				  " WHERE attrelid = 'items'::regclass AND attname = 'ai_model'"),
			    "character varying(255)");
	assert_int_equal(CALL(&st, apply), 0); /* idempotent */
	assert_int_equal(CALL(&st, rehearse), 0); /* warm re-rehearsal after apply */
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, revert), 0); /* idempotent */
	assert_int_equal(CALL(&st, verify), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "not in place on \"public\".\"items\""));
	mh_step_free(&st);
}

static void add_column_default_not_null(void **state)
{
	static const struct kv p[] = {
		{ "table", "items" }, { "column", "model" }, { "type", "text" },
		{ "default", "'gpt-4'" }, { "nullable", "false" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("add_column", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_string_equal(mh_value("SELECT attnotnull::text || ' ' || pg_get_expr(adbin, adrelid)"
				  " FROM pg_attribute JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
				  " WHERE attrelid = 'items'::regclass AND attname = 'model'"),
			    "true 'gpt-4'::text");
	assert_string_equal(mh_value("SELECT count(*) FROM items WHERE model = 'gpt-4'"), "100");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	mh_step_free(&st);
}

static int check_fails(const struct kv *p, const char *needle)
{
	struct hinge_step st = mh_step("add_column", p);
	int rc = CALL(&st, check);

	if (strstr(st.error, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", st.error, needle);
	mh_step_free(&st);
	return rc;
}

static void add_column_bad_input_is_refused(void **state)
{
	static const struct kv no_table[] = {
		{ "table", "nope" }, { "column", "c" }, { "type", "int" }, { NULL, NULL },
	};
	static const struct kv bad_type[] = {
		{ "table", "items" }, { "column", "c" }, { "type", "nosuchtype" }, { NULL, NULL },
	};
	static const struct kv injected[] = {
		{ "table", "items" }, { "column", "c" }, { "type", "int; DROP TABLE items" }, { NULL, NULL },
	};
	static const struct kv not_a_type[] = {
		{ "table", "items" }, { "column", "c" }, { "type", "int DEFAULT 1" }, { NULL, NULL },
	};
	static const struct kv clash[] = {
		{ "table", "items" }, { "column", "name" }, { "type", "int" }, { NULL, NULL },
	};

	(void)state;
	assert_int_equal(check_fails(no_table, "step \"expand\": table \"public\".\"nope\" does not exist"),
			 HINGE_EINVAL);
	assert_int_equal(check_fails(bad_type, "not a type PostgreSQL knows"), HINGE_EINVAL);
	assert_int_equal(check_fails(injected, "semicolon"), HINGE_EINVAL);
	assert_int_equal(check_fails(not_a_type, "not a type PostgreSQL knows"), HINGE_EINVAL);
	assert_int_equal(check_fails(clash, "column \"name\" of \"public\".\"items\" is text"),
			 HINGE_EINVAL);
	assert_string_equal(mh_value("SELECT count(*) FROM items"), "100");
}

static void add_column_volatile_default_is_refused(void **state)
{
	static const struct kv vol[] = {
		{ "table", "items" }, { "column", "r" }, { "type", "float8" },
		{ "default", "random()" }, { NULL, NULL },
	};
	static const struct kv stable[] = {
		{ "table", "items" }, { "column", "seen" }, { "type", "timestamptz" },
		{ "default", "now()" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("add_column", vol);

	(void)state;
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_string_equal(st.findings, "M006 ");
	assert_non_null(strstr(st.error, "backfill"));
	mh_step_free(&st);
	st = mh_step("add_column", stable);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "");
	mh_step_free(&st);
}

static void add_column_hostile_names_are_quoted(void **state)
{
	static const struct kv p[] = {
		{ "table", "we\"ird; table" }, { "column", "Col \"x\"; --" },
		{ "type", "\"char\"" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("add_column", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.we\"ird; table");
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(mh_value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
				  " WHERE attrelid = '\"we\"\"ird; table\"'::regclass"
				  " AND attname = 'Col \"x\"; --'"), "\"char\"");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	mh_step_free(&st);
}

static void rehearsal_catches_a_broken_inverse(void **state)
{
	static const char broken[] = "ALTER TABLE \"public\".\"items\" ALTER COLUMN \"qty\" DROP DEFAULT";
	struct hinge_step st = mh_step("add_column", ai_model);

	(void)state;
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(mh_artifact_set(&st, broken, strlen(broken)), 0);
	assert_int_equal(CALL(&st, rehearse), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "revert does not restore the table"));
	assert_non_null(strstr(st.error, "ai_model"));
	assert_int_equal(CALL(&st, probe), 0);
	assert_string_equal(mh_value("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef"
				  " WHERE adrelid = 'items'::regclass AND adnum = 3"), "0");
	mh_step_free(&st);
}

static void lock_contention_retries_then_names_the_blocker(void **state)
{
	struct hinge_step st = mh_step("add_column", ai_model);
	PGconn *b = mh_blocker("SELECT count(*) FROM items");
	char pid[32];
	struct timespec t0, t1;
	double secs;

	(void)state;
	snprintf(pid, sizeof(pid), "pid %d (idle in transaction", PQbackendPID(b));
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0); /* reading only: not blocked */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(CALL(&st, apply), HINGE_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* three attempts of 50 ms plus two short waits, not a queue */
	assert_true(secs >= 0.15);
	assert_true(secs < 10.0);
	assert_non_null(strstr(st.error, "not granted after 3 attempts"));
	if (strstr(st.error, pid) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", st.error, pid);
	assert_non_null(strstr(st.error, "query started 2"));
	/* the blocker is untouched and can go on */
	assert_int_equal(PQtransactionStatus(b), PQTRANS_INTRANS);
	mh_sql_ok(b, "SELECT 1");
	mh_sql_ok(b, "COMMIT");
	PQfinish(b);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, revert), 0);
	mh_step_free(&st);
}

static void lock_waiters_counts_waiting_sessions(void **state)
{
	PGconn *b = mh_blocker("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
	PGconn *w = mh_db();
	double v = -1;
	int i;

	(void)state;
	assert_int_equal(mh_metric_read("items", &v), 0);
	assert_true(v == 0);
	assert_int_equal(PQsendQuery(w, "SELECT count(*) FROM items"), 1);
	for (i = 0; i < 100; i++) {
		assert_int_equal(mh_metric_read("items", &v), 0);
		if (v == 1)
			break;
		usleep(20000);
	}
	assert_true(v == 1);
	assert_int_equal(mh_metric_read(NULL, &v), 0);
	assert_true(v == 1);
	assert_int_equal(mh_metric_read("\"we\"\"ird; table\"", &v), 0);
	assert_true(v == 0);
	assert_int_equal(mh_metric_read("no_such_table", &v), HINGE_EINVAL);
	mh_sql_ok(b, "COMMIT");
	PQfinish(b);
	for (PGresult *r; (r = PQgetResult(w)) != NULL;)
		PQclear(r);
	PQfinish(w);
	assert_int_equal(mh_metric_read("items", &v), 0);
	assert_true(v == 0);
}

static void guard_waits_out_long_transactions_and_other_executors(void **state)
{
	struct hinge_step st = mh_step("add_column", ai_model);
	PGconn *b = mh_blocker("SELECT count(*) FROM items"), *other;
	char pid[32];

	(void)state;
	snprintf(pid, sizeof(pid), "pid %d (idle in transaction", PQbackendPID(b));
	usleep(200000);
	mh_setting_set("long_transaction", "100");
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), HINGE_EBUSY);
	mh_setting_set("long_transaction", "10000");
	assert_non_null(strstr(st.error, "1 long-running transaction holds \"public\".\"items\""));
	if (strstr(st.error, pid) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", st.error, pid);
	mh_sql_ok(b, "COMMIT");
	PQfinish(b);

	other = mh_db();
	mh_sql_ok(other, "SELECT pg_advisory_lock(hashtext('hinge/migration'),"
		      " hashtext('\"public\".\"items\"'))");
	assert_int_equal(CALL(&st, apply), HINGE_EBUSY);
	assert_non_null(strstr(st.error, "another Hinge executor is changing \"public\".\"items\""));
	assert_int_equal(CALL(&st, probe), 0);
	PQfinish(other);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, revert), 0);
	assert_string_equal(mh_value("SELECT string_agg(event || ' ' || step || ' ' || rollout || ' ' || target,"
				  " ', ' ORDER BY id) FROM hinge.migration_history WHERE id > (SELECT"
				  " max(id) - 2 FROM hinge.migration_history)"),
			    "applied expand r-test pg:" DB "/public.items,"
			    " reverted expand r-test pg:" DB "/public.items");
	assert_string_equal(mh_value("SELECT count(DISTINCT artifact_sha256) = 1 AND bool_and(artifact_sha256 ="
				  " encode(sha256('ALTER TABLE \"public\".\"items\" DROP COLUMN IF EXISTS"
				  " \"ai_model\"'::bytea), 'hex')) FROM hinge.migration_history"
				  " WHERE id > (SELECT max(id) - 2 FROM hinge.migration_history)"), "t");
	mh_step_free(&st);
}

static void plan_reports_drift_from_history(void **state)
{
	struct hinge_step st = mh_step("add_column", ai_model);
	PGconn *c = mh_db();

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "");
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), 0);
	/* someone drops the column by hand */
	mh_sql_ok(c, "ALTER TABLE items DROP COLUMN ai_model");
	PQfinish(c);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "M008 ");
	mh_step_free(&st);
	st = mh_step("add_column", ai_model);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "");
	assert_int_equal(CALL(&st, revert), 0);
	mh_step_free(&st);
}

/* --- sql ------------------------------------------------------------ */

static void sql_with_down_forward_verified_reverted(void **state)
{
	static const struct kv p[] = {
		{ "up", "CREATE TABLE audit_x (id int); INSERT INTO audit_x VALUES (1);" },
		{ "down", "DROP TABLE audit_x" },
		{ "verify", "SELECT to_regclass('audit_x') IS NOT NULL" },
		{ NULL, NULL },
	};
	struct hinge_step st = mh_step("sql", p);

	(void)state;
	assert_true(st.action->flags & HINGE_ACTION_NO_INVERSE);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB);
	assert_string_equal(st.inverse, "DROP TABLE audit_x");
	assert_string_equal(st.findings, "M004 ");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(mh_value("SELECT count(*) FROM audit_x"), "1");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, verify), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "verify query is not true"));
	mh_step_free(&st);
}

static void sql_without_down_is_irreversible(void **state)
{
	static const struct kv p[] = {
		{ "up", "UPDATE items SET qty = 7 WHERE qty = 0" },
		{ "verify", "SELECT NOT EXISTS (SELECT 1 FROM items WHERE qty = 0)" },
		{ "table", "items" },
		{ NULL, NULL },
	};
	struct hinge_step st = mh_step("sql", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.items");
	assert_string_equal(st.inverse, "none: the step is irreversible");
	assert_string_equal(st.findings, "");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(mh_value("SELECT count(*) FROM items WHERE qty = 7"), "100");
	assert_int_equal(CALL(&st, revert), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "cannot be reverted"));
	mh_step_free(&st);
}

static void sql_bad_input_and_lint(void **state)
{
	static const struct kv syntax[] = { { "up", "UPDAT items SET qty = 1" }, { NULL, NULL } };
	static const struct kv bad_down[] = {
		{ "up", "SELECT 1" }, { "down", "DROP TABL x" }, { NULL, NULL },
	};
	static const struct kv index[] = {
		{ "up", "CREATE INDEX items_qty ON items (qty)" }, { "down", "DROP INDEX items_qty" },
		{ NULL, NULL },
	};
	static const struct kv no_table[] = {
		{ "up", "SELECT 1" }, { "table", "nope" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("sql", syntax);

	(void)state;
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "step \"expand\": up does not parse: syntax error"));
	mh_step_free(&st);
	st = mh_step("sql", bad_down);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "down does not parse"));
	mh_step_free(&st);
	st = mh_step("sql", index);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "M002 ");
	mh_step_free(&st);
	st = mh_step("sql", no_table);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "does not exist"));
	mh_step_free(&st);
	assert_string_equal(mh_value("SELECT to_regclass('items_qty') IS NULL"), "t");
}

static void unreachable_server_is_unavailable(void **state)
{
	char saved[sizeof(mh_conninfo)];
	struct hinge_step st = mh_step("add_column", ai_model);
	double v;

	(void)state;
	memcpy(saved, mh_conninfo, sizeof(saved));
	snprintf(mh_conninfo, sizeof(mh_conninfo), "host=/nonexistent-hinge dbname=x connect_timeout=2");
	assert_int_equal(CALL(&st, check), HINGE_EUNAVAIL);
	assert_non_null(strstr(st.error, "cannot connect"));
	assert_null(strstr(st.error, "nonexistent"));
	assert_int_equal(mh_metric_read("items", &v), HINGE_EUNAVAIL);
	memcpy(mh_conninfo, saved, sizeof(saved));
	mh_step_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_column_forward_verified_reverted),
		cmocka_unit_test(add_column_default_not_null),
		cmocka_unit_test(add_column_bad_input_is_refused),
		cmocka_unit_test(add_column_volatile_default_is_refused),
		cmocka_unit_test(add_column_hostile_names_are_quoted),
		cmocka_unit_test(rehearsal_catches_a_broken_inverse),
		cmocka_unit_test(lock_contention_retries_then_names_the_blocker),
		cmocka_unit_test(lock_waiters_counts_waiting_sessions),
		cmocka_unit_test(guard_waits_out_long_transactions_and_other_executors),
		cmocka_unit_test(plan_reports_drift_from_history),
		cmocka_unit_test(sql_with_down_forward_verified_reverted),
		cmocka_unit_test(sql_without_down_is_irreversible),
		cmocka_unit_test(sql_bad_input_and_lint),
		cmocka_unit_test(unreachable_server_is_unavailable),
	};

	return cmocka_run_group_tests_name("migration_actions", tests, setup, teardown);
}
