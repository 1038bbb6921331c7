/*
 * tasksql.h - the query that reads finished tasks from the application's
 * task table, whose table and column names are settings.
 */
#ifndef PERF_TASKSQL_H
#define PERF_TASKSQL_H

/* The table ("name" or "schema.name") and its columns, unquoted. */
struct perf_task_cols {
	const char *table;
	const char *type;
	const char *start;
	const char *end;
	const char *status;
};

/*
 * Quote one identifier; returns a malloc'ed string the caller frees, or
 * NULL on failure.  The plugin passes a wrapper of PQescapeIdentifier.
 */
typedef char *(*perf_quote_fn)(void *ctx, const char *ident);

/*
 * Build the SELECT of finished tasks of the last two windows; it takes
 * $1 = the window in ms (bigint) and $2 = the status value of a failed
 * task, and returns rows (type text, duration_ms float8, failed bool,
 * current bool): current is false for the window before.  Every name
 * goes through quote; a table name "a.b" is quoted as schema and table.
 * Returns a malloc'ed string the caller frees, or NULL (no memory, or
 * quote failed, or a name is empty).
 */
char *perf_tasks_sql(const struct perf_task_cols *c, perf_quote_fn quote,
		     void *ctx);

#endif
