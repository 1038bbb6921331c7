/*
 * test_migration_window.c - steps with window = true: inside the
 * maintenance window they proceed; outside, apply answers "not yet"
 * (HINGE_ENOTYET with the poll interval) having touched nothing, and
 * proceeds once the window opens; bad window settings are errors naming
 * the key.  The window is set around the test PostgreSQL's clock in
 * Europe/Berlin, the time zone the plugin asks the database about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/doubles/host_standin.h"

#define DB "migration_window"
#define TZ "Europe/Berlin"

static int setup(void **state)
{
	(void)state;
	mh_setting_set("window_tz", TZ);
	return mh_setup(DB, "CREATE TABLE jobs (id bigserial PRIMARY KEY, state text);"
			"INSERT INTO jobs (state) SELECT 'new' FROM generate_series(1, 20)");
}

static int teardown(void **state)
{
	(void)state;
	mh_teardown();
	return 0;
}

/* Window hours from now + a to now + b seconds on the database's clock in TZ. */
static const char *hours_from_now(int a, int b)
{
	static char buf[2][64];
	static int k;
	char sql[300];

	k = !k;
	snprintf(sql, sizeof(sql),
		 "SELECT to_char(l + interval '%d s', 'HH24:MI:SS') || '-' ||"
		 " to_char(l + interval '%d s', 'HH24:MI:SS')"
		 " FROM (SELECT now() AT TIME ZONE '" TZ "' AS l) n", a, b);
	snprintf(buf[k], sizeof(buf[k]), "%s", mh_value(sql));
	mh_setting_set("window_hours", buf[k]);
	return buf[k];
}

/* Each test starts without the column, whatever the last one left. */
static int fresh(void **state)
{
	PGconn *db = mh_db();

	(void)state;
	mh_sql_ok(db, "ALTER TABLE jobs DROP COLUMN IF EXISTS ai_model");
	PQfinish(db);
	mh_setting_set("window_days", "*");
	mh_setting_set("window_tz", TZ);
	return 0;
}

static const struct kv add_col[] = {
	{ "table", "jobs" }, { "column", "ai_model" }, { "type", "varchar(255)" },
	{ "window", "true" }, { NULL, NULL },
};

static void inside_the_window_proceeds(void **state)
{
	struct hinge_step st = mh_step("add_column", add_col);

	(void)state;
	mh_setting_set("window_days", "*");
	hours_from_now(-60, 3600);
	assert_int_equal(mh_forward(&st), 0);
	assert_int_equal(st.retry_ms, 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_int_equal(CALL(&st, revert), 0);
	mh_step_free(&st);
}

static void without_window_the_window_does_not_matter(void **state)
{
	static const struct kv p[] = {
		{ "table", "jobs" }, { "column", "ai_model" }, { "type", "varchar(255)" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("add_column", p);

	(void)state;
	hours_from_now(3600, 7200);
	assert_int_equal(mh_forward(&st), 0);
	assert_int_equal(CALL(&st, revert), 0);
	mh_step_free(&st);
}

static void outside_waits_then_proceeds_when_it_opens(void **state)
{
	struct hinge_step st = mh_step("add_column", add_col);
	struct timespec t0, t1;
	int rc, polls = 0;

	(void)state;
	mh_setting_set("window_days", "*");
	hours_from_now(3600, 7200);
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0); /* takes no lock: not held back */
	assert_int_equal(CALL(&st, apply), HINGE_ENOTYET);
	assert_int_equal(st.retry_ms, 20); /* window_poll */
	assert_non_null(strstr(st.retry_why, "waiting for the maintenance window (* "));
	assert_non_null(strstr(st.retry_why, " " TZ "): it is "));
	assert_int_equal(CALL(&st, probe), 0);

	/* The window opens three seconds from now: polling, apply then goes on. */
	hours_from_now(3, 3600);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = CALL(&st, apply)) == HINGE_ENOTYET && polls++ < 1000)
		usleep((useconds_t)st.retry_ms * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(rc, 0);
	assert_true(polls >= 1); /* one call (or more, at 20 ms) said not yet */
	assert_true(t1.tv_sec - t0.tv_sec >= 1);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, revert), 0); /* a rollback does not wait */
	mh_step_free(&st);
}

static void days_count_in_the_zone(void **state)
{
	static const char *const names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	static char days[32];
	struct hinge_step st = mh_step("add_column", add_col);
	int today = 0;

	(void)state;
	sscanf(mh_value("SELECT extract(isodow FROM now() AT TIME ZONE '" TZ "')::int"), "%d", &today);
	/* every day but today, all day long */
	snprintf(days, sizeof(days), "%s-%s", names[today % 7], names[(today + 5) % 7]);
	mh_setting_set("window_days", days);
	mh_setting_set("window_hours", "00:00-24:00");
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), HINGE_ENOTYET);
	assert_int_equal(CALL(&st, probe), 0);
	snprintf(days, sizeof(days), "%s", names[today - 1]);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, revert), 0);
	mh_setting_set("window_days", "*");
	mh_step_free(&st);
}

static void sql_and_backfill_wait_too(void **state)
{
	static const struct kv sql[] = {
		{ "up", "INSERT INTO jobs (state) VALUES ('sql')" }, { "table", "jobs" },
		{ "window", "true" }, { NULL, NULL },
	};
	static const struct kv fill[] = {
		{ "table", "jobs" }, { "set", "state = 'old'" }, { "where", "state = 'new'" },
		{ "window", "true" }, { NULL, NULL },
	};
	const struct kv *steps[] = { sql, fill };

	(void)state;
	hours_from_now(3600, 7200);
	for (size_t i = 0; i < 2; i++) {
		struct hinge_step st = mh_step(i ? "backfill" : "sql", steps[i]);

		assert_int_equal(CALL(&st, check), 0);
		assert_int_equal(CALL(&st, apply), HINGE_ENOTYET);
		assert_non_null(strstr(st.retry_why, "waiting for the maintenance window"));
		mh_step_free(&st);
	}
	assert_string_equal(mh_value("SELECT string_agg(DISTINCT state, ',') FROM jobs"), "new");
	assert_string_equal(mh_value("SELECT count(*) FROM jobs"), "20");
}

static void bad_window_settings_name_the_key(void **state)
{
	static const struct { const char *key, *value, *says; } cases[] = {
		{ "window_tz", "Mars/Olympus", "migration.window_tz (test.conf:1): \"Mars/Olympus\" is not a time zone" },
		{ "window_tz", "Europe/Berlin'; --", "migration.window_tz (test.conf:1)" },
		{ "window_hours", "25:00-26:00", "migration.window_hours (test.conf:1): \"25:00-26:00\" is not HH:MM-HH:MM" },
		{ "window_hours", "", "migration.window_hours is not set" },
		{ "window_days", "someday", "migration.window_days (test.conf:1): \"someday\" is not a day" },
	};
	static const char *const good[] = { TZ, "01:00-05:00", "*" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hinge_step st = mh_step("add_column", add_col);

		mh_setting_set("window_tz", TZ);
		mh_setting_set("window_hours", "01:00-05:00");
		mh_setting_set("window_days", "*");
		mh_setting_set(cases[i].key, cases[i].value);
		assert_int_equal(CALL(&st, check), HINGE_EINVAL);
		assert_non_null(strstr(st.error, cases[i].says));
		assert_true(CALL(&st, apply) < 0);
		assert_int_equal(CALL(&st, probe), 0);
		mh_step_free(&st);
	}
	/* Days and hours are checked as the plugin starts (config check). */
	mh_teardown();
	mh_setting_set("window_hours", "5-6");
	assert_int_equal(mh_attach(mh_conninfo), HINGE_EINVAL);
	mh_teardown();
	mh_setting_set("window_hours", "");
	mh_setting_set("window_days", "mon,xyz");
	assert_int_equal(mh_attach(mh_conninfo), HINGE_EINVAL);
	mh_teardown();
	mh_setting_set("window_tz", good[0]);
	mh_setting_set("window_hours", good[1]);
	mh_setting_set("window_days", good[2]);
	assert_int_equal(mh_attach(mh_conninfo), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(inside_the_window_proceeds, fresh),
		cmocka_unit_test_setup(without_window_the_window_does_not_matter, fresh),
		cmocka_unit_test_setup(outside_waits_then_proceeds_when_it_opens, fresh),
		cmocka_unit_test_setup(days_count_in_the_zone, fresh),
		cmocka_unit_test_setup(sql_and_backfill_wait_too, fresh),
		cmocka_unit_test_setup(bad_window_settings_name_the_key, fresh),
	};

	return cmocka_run_group_tests_name("migration_window", tests, setup, teardown);
}
