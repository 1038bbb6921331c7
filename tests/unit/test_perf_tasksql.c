/*
 * test_perf_tasksql.c - the task table query quotes every name the
 * settings give, splits schema from table, and fails cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plugins/perf/tasksql.h"

/* Double quotes around, inner quotes doubled, as PQescapeIdentifier. */
static char *quote(void *ctx, const char *id)
{
	char *out = malloc(2 * strlen(id) + 3), *o = out;

	(void)ctx;
	*o++ = '"';
	for (; *id; id++) {
		if (*id == '"')
			*o++ = '"';
		*o++ = *id;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static char *quote_fails(void *ctx, const char *id)
{
	(void)ctx;
	(void)id;
	return NULL;
}

static const struct perf_task_cols cols = {
	"app.Tasks", "kind", "began", "ended", "state\"x",
};

static void test_quoted_names(void **state)
{
	char *sql = perf_tasks_sql(&cols, quote, NULL);

	(void)state;
	assert_non_null(sql);
	assert_non_null(strstr(sql, "FROM \"app\".\"Tasks\" AS t"));
	assert_non_null(strstr(sql, "SELECT t.\"kind\"::text"));
	assert_non_null(strstr(sql, "t.\"ended\" - t.\"began\""));
	assert_non_null(strstr(sql, "coalesce(t.\"state\"\"x\"::text = $2, false)"));
	assert_non_null(strstr(sql, "t.\"ended\" IS NOT NULL"));
	assert_null(strstr(sql, "Tasks AS"));
	free(sql);
}

static void test_plain_table(void **state)
{
	struct perf_task_cols c = cols;
	char *sql;

	(void)state;
	c.table = "execution_tasks";
	sql = perf_tasks_sql(&c, quote, NULL);
	assert_non_null(strstr(sql, "FROM \"execution_tasks\" AS t"));
	free(sql);
}

static void test_failures(void **state)
{
	struct perf_task_cols c = cols;

	(void)state;
	assert_null(perf_tasks_sql(&cols, quote_fails, NULL));
	c.type = "";
	assert_null(perf_tasks_sql(&c, quote, NULL));
	c = cols;
	c.table = "app.";
	assert_null(perf_tasks_sql(&c, quote, NULL));
	c.table = ".t";
	assert_null(perf_tasks_sql(&c, quote, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_names),
		cmocka_unit_test(test_plain_table),
		cmocka_unit_test(test_failures),
	};
	return cmocka_run_group_tests_name("perf_tasksql", tests, NULL, NULL);
}
