/*
 * tasksql.c - the task table query (see tasksql.h).
 */
#include "plugins/perf/tasksql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "schema.table" as two quoted names joined by a dot, or one. */
static char *quote_table(const char *table, perf_quote_fn quote, void *ctx)
{
	const char *dot = strchr(table, '.');
	char *schema, *qs, *qt, *out = NULL;

	if (dot == NULL)
		return quote(ctx, table);
	schema = strndup(table, (size_t)(dot - table));
	qs = schema && *schema && dot[1] ? quote(ctx, schema) : NULL;
	qt = qs ? quote(ctx, dot + 1) : NULL;
	if (qt && asprintf(&out, "%s.%s", qs, qt) < 0)
		out = NULL;
	free(schema);
	free(qs);
	free(qt);
	return out;
}

char *perf_tasks_sql(const struct perf_task_cols *c, perf_quote_fn quote,
		     void *ctx)
{
	const char *names[] = { c->type, c->start, c->end, c->status };
	char *q[4] = { NULL }, *table = NULL, *sql = NULL;
	int ok = 1;

	for (int i = 0; i < 4; i++) {
		q[i] = names[i] && *names[i] ? quote(ctx, names[i]) : NULL;
		ok = ok && q[i] != NULL;
	}
	if (ok && c->table && *c->table)
		table = quote_table(c->table, quote, ctx);
	if (table && asprintf(&sql,
		"SELECT t.%1$s::text,"
		" 1000 * extract(epoch FROM t.%3$s - t.%2$s)::float8,"
		" coalesce(t.%4$s::text = $2, false),"
		" t.%2$s >= now() - $1::bigint * interval '1 millisecond'"
		" FROM %5$s AS t"
		" WHERE t.%2$s >= now() - 2 * $1::bigint * interval '1 millisecond'"
		" AND t.%2$s <= now() AND t.%3$s IS NOT NULL"
		" AND t.%1$s IS NOT NULL",
		q[0], q[1], q[2], q[3], table) < 0)
		sql = NULL;
	for (int i = 0; i < 4; i++)
		free(q[i]);
	free(table);
	return sql;
}
