/* test_migration_logic.c - backoff, fingerprint comparison, SQL text helpers,
 * the maintenance window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugins/migration/backoff.h"
#include "plugins/migration/fingerprint.h"
#include "plugins/migration/sqltext.h"
#include "plugins/migration/window.h"

static void backoff_doubles_to_the_cap(void **state)
{
	(void)state;
	/* jitter 0: exactly the upper half of the doubled delay */
	assert_int_equal(mig_backoff_ms(0, 200, 10000, 0.0), 100);
	assert_int_equal(mig_backoff_ms(1, 200, 10000, 0.0), 200);
	assert_int_equal(mig_backoff_ms(3, 200, 10000, 0.0), 800);
	assert_int_equal(mig_backoff_ms(10, 200, 10000, 0.0), 5000);
	assert_int_equal(mig_backoff_ms(60, 200, 10000, 0.0), 5000);
}

static void backoff_jitter_stays_in_range(void **state)
{
	(void)state;
	for (int attempt = 0; attempt < 8; attempt++) {
		int64_t full = 200LL << attempt;

		if (full > 3000)
			full = 3000;
		for (double j = 0.0; j < 1.0; j += 0.125) {
			int64_t d = mig_backoff_ms(attempt, 200, 3000, j);

			assert_true(d >= full - full / 2);
			assert_true(d <= full);
		}
	}
	assert_int_equal(mig_backoff_ms(0, 200, 3000, 5.0), 199);
	assert_int_equal(mig_backoff_ms(0, 0, 3000, 0.5), 0);
	assert_int_equal(mig_backoff_ms(0, 1, 1, 0.0), 1);
	/* a ceiling below the base is raised to it */
	assert_int_equal(mig_backoff_ms(4, 400, 10, 0.0), 200);
}

static void fingerprint_equal_and_first_difference(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(mig_fingerprint_diff("column a int\ncolumn b text",
					      "column a int\ncolumn b text", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(mig_fingerprint_diff("", "", buf, sizeof(buf)), 0);
	assert_int_equal(mig_fingerprint_diff("column a int\ncolumn b text",
					      "column a int\ncolumn b varchar", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "before: column b text; after: column b varchar");
	assert_int_equal(mig_fingerprint_diff("column a int",
					      "column a int\ncolumn c int", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "before: (none); after: column c int");
	assert_int_equal(mig_fingerprint_diff("column a int\nindex x", "column a int",
					      buf, sizeof(buf)), 1);
	assert_string_equal(buf, "before: index x; after: (none)");
	/* a prefix of a line is not the line */
	assert_int_equal(mig_fingerprint_diff("column ab", "column a", buf, sizeof(buf)), 1);
}

static void fingerprint_query_covers_the_catalog(void **state)
{
	(void)state;
	assert_non_null(strstr(mig_fingerprint_sql, "pg_attribute"));
	assert_non_null(strstr(mig_fingerprint_sql, "pg_attrdef"));
	assert_non_null(strstr(mig_fingerprint_sql, "pg_constraint"));
	assert_non_null(strstr(mig_fingerprint_sql, "pg_index"));
}

static void replace_all_every_occurrence(void **state)
{
	char *s;

	(void)state;
	s = mig_replace_all("ALTER TABLE \"s\".\"t\" DROP; -- \"s\".\"t\"", "\"s\".\"t\"",
			    "pg_temp.x");
	assert_string_equal(s, "ALTER TABLE pg_temp.x DROP; -- pg_temp.x");
	free(s);
	s = mig_replace_all("aaa", "a", "bb");
	assert_string_equal(s, "bbbbbb");
	free(s);
	s = mig_replace_all("abc", "", "x");
	assert_string_equal(s, "abc");
	free(s);
	s = mig_replace_all("abc", "zz", "x");
	assert_string_equal(s, "abc");
	free(s);
}

static void trim_statement_drops_trailing_semicolons(void **state)
{
	char *s;

	(void)state;
	s = mig_trim_statement("UPDATE t SET a = 1;  \n;\n");
	assert_string_equal(s, "UPDATE t SET a = 1");
	free(s);
	s = mig_trim_statement(";;");
	assert_string_equal(s, "");
	free(s);
	s = mig_trim_statement("SELECT ';'");
	assert_string_equal(s, "SELECT ';'");
	free(s);
}

static void dollar_tag_avoids_the_text(void **state)
{
	char tag[16];

	(void)state;
	assert_int_equal(mig_dollar_tag("SELECT 1", tag, sizeof(tag)), 0);
	assert_string_equal(tag, "$h1$");
	assert_int_equal(mig_dollar_tag("SELECT '$h1$', '$h2$'", tag, sizeof(tag)), 0);
	assert_string_equal(tag, "$h3$");
	assert_int_equal(mig_dollar_tag("x", tag, 4), -1);
}

static void truthy_values(void **state)
{
	(void)state;
	assert_true(mig_truthy("t"));
	assert_true(mig_truthy("TRUE"));
	assert_true(mig_truthy("1"));
	assert_false(mig_truthy("f"));
	assert_false(mig_truthy("0"));
	assert_false(mig_truthy(""));
	assert_false(mig_truthy(NULL));
}

static void lock_target_forms(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mig_lock_target(buf, sizeof(buf), "app", "public", "execution_tasks"), 0);
	assert_string_equal(buf, "pg:app/public.execution_tasks");
	assert_int_equal(mig_lock_target(buf, sizeof(buf), "app", NULL, NULL), 0);
	assert_string_equal(buf, "pg:app");
	assert_int_equal(mig_lock_target(buf, 8, "app", "public", "t"), -1);
}

static void type_text_refuses_hiding_places(void **state)
{
	(void)state;
	assert_true(mig_type_text_ok("varchar(255)"));
	assert_true(mig_type_text_ok("numeric(12, 6)"));
	assert_true(mig_type_text_ok("\"My Type\"[]"));
	assert_false(mig_type_text_ok("int --"));
	assert_false(mig_type_text_ok("int /* x */"));
	assert_false(mig_type_text_ok("int; DROP TABLE t"));
	assert_false(mig_type_text_ok("int\nNOT NULL"));
	assert_false(mig_type_text_ok(""));
}

static void window_days_parse(void **state)
{
	unsigned d;
	char err[200];

	(void)state;
	assert_int_equal(mig_window_days("sat,sun", &d, err, sizeof(err)), 0);
	assert_int_equal(d, 0x60);
	assert_int_equal(mig_window_days(" Mon - Fri ", &d, err, sizeof(err)), -1);
	assert_int_equal(mig_window_days("Mon-Fri", &d, err, sizeof(err)), 0);
	assert_int_equal(d, 0x1f);
	assert_int_equal(mig_window_days("fri-mon, wed", &d, err, sizeof(err)), 0);
	assert_int_equal(d, 0x75);
	assert_int_equal(mig_window_days("*", &d, err, sizeof(err)), 0);
	assert_int_equal(d, 0x7f);
	assert_int_equal(mig_window_days("sat,sunday", &d, err, sizeof(err)), -1);
	assert_string_equal(err, "\"sunday\" is not a day (mon ... sun), a range (mon-fri) or *");
	assert_int_equal(mig_window_days("", &d, err, sizeof(err)), -1);
	assert_string_equal(err, "names no day");
}

static void window_hours_parse(void **state)
{
	int a, b;
	char err[200];

	(void)state;
	assert_int_equal(mig_window_hours("01:00-05:00", &a, &b, err, sizeof(err)), 0);
	assert_int_equal(a, 3600);
	assert_int_equal(b, 18000);
	assert_int_equal(mig_window_hours("22:30:15-24:00", &a, &b, err, sizeof(err)), 0);
	assert_int_equal(a, 81015);
	assert_int_equal(b, 86400);
	assert_int_equal(mig_window_hours("22:00-02:00", &a, &b, err, sizeof(err)), 0);
	assert_true(a > b);
	static const char *const bad[] = {
		"1-5", "01:00", "01:00-", "01:00-05:00x", "25:00-26:00", "01:60-02:00",
		"24:00-01:00", "-01:00-02:00", "01:00 - 05:00",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mig_window_hours(bad[i], &a, &b, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is not HH:MM-HH:MM"));
	}
	assert_int_equal(mig_window_hours("03:00-03:00", &a, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is empty"));
}

static void window_membership(void **state)
{
	/* sat,sun 01:00-05:00 */
	struct mig_window w = { 0x60, 3600, 18000 };
	/* fri 22:00-02:00: Friday night into Saturday */
	struct mig_window night = { 0x10, 79200, 7200 };

	(void)state;
	assert_int_equal(mig_window_open(&w, 6, 3600), 1);   /* Sat 01:00 */
	assert_int_equal(mig_window_open(&w, 7, 17999), 1);  /* Sun 04:59:59 */
	assert_int_equal(mig_window_open(&w, 7, 18000), 0);  /* Sun 05:00 */
	assert_int_equal(mig_window_open(&w, 6, 3599), 0);   /* Sat 00:59:59 */
	assert_int_equal(mig_window_open(&w, 1, 7200), 0);   /* Mon 02:00 */
	assert_int_equal(mig_window_open(&night, 5, 79200), 1); /* Fri 22:00 */
	assert_int_equal(mig_window_open(&night, 6, 3600), 1);  /* Sat 01:00 */
	assert_int_equal(mig_window_open(&night, 6, 7200), 0);  /* Sat 02:00 */
	assert_int_equal(mig_window_open(&night, 6, 79200), 0); /* Sat 22:00 */
	assert_int_equal(mig_window_open(&night, 5, 3600), 0);  /* Fri 01:00 */
	night.days = 0x40; /* sun 22:00 into Monday */
	assert_int_equal(mig_window_open(&night, 1, 3600), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_doubles_to_the_cap),
		cmocka_unit_test(backoff_jitter_stays_in_range),
		cmocka_unit_test(fingerprint_equal_and_first_difference),
		cmocka_unit_test(fingerprint_query_covers_the_catalog),
		cmocka_unit_test(replace_all_every_occurrence),
		cmocka_unit_test(trim_statement_drops_trailing_semicolons),
		cmocka_unit_test(dollar_tag_avoids_the_text),
		cmocka_unit_test(truthy_values),
		cmocka_unit_test(lock_target_forms),
		cmocka_unit_test(type_text_refuses_hiding_places),
		cmocka_unit_test(window_days_parse),
		cmocka_unit_test(window_hours_parse),
		cmocka_unit_test(window_membership),
	};

	return cmocka_run_group_tests_name("migration_logic", tests, NULL, NULL);
}
