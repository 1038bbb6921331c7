/*
 * report.c - the task report document (see report.h).
 */
#include "plugins/perf/report.h"

#include "plugins/perf/welch.h"

#include <inttypes.h>
#include <stdio.h>

static void summary(const struct perf_task_stat *s, struct perf_summary *out)
{
	out->n = (double)s->count;
	out->mean = s->mean_ms;
	out->var = s->var_ms;
}

/* The comparison of a type with its previous window. */
static void compare(json_t *o, const struct perf_task_stat *s,
		    const struct perf_task_stat *prev)
{
	struct perf_summary a, b;
	struct perf_welch w;

	if (prev == NULL) {
		json_object_set_new(o, "previous", json_null());
		json_object_set_new(o, "slower", json_null());
		return;
	}
	json_object_set_new(o, "previous", json_pack(
		"{s:I, s:f, s:f, s:f}", "count", (json_int_t)prev->count,
		"failure_rate", prev->failure_rate, "p95_ms", prev->p95,
		"mean_ms", prev->mean_ms));
	summary(prev, &a);
	summary(s, &b);
	if (perf_welch_less(&a, &b, 0.0, &w) != 0) {
		json_object_set_new(o, "slower", json_null());
		return;
	}
	json_object_set_new(o, "slower", json_boolean(perf_welch_significant(&w)));
	json_object_set_new(o, "slower_p", json_real(w.p));
}

static json_t *type_entry(const struct perf_task_stat *s,
			  const struct perf_task_stat *prev)
{
	json_t *o = json_pack(
		"{s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:i}",
		"type", s->type, "count", (json_int_t)s->count,
		"failures", (json_int_t)s->failures,
		"failure_rate", s->failure_rate, "p50_ms", s->p50,
		"p95_ms", s->p95, "p99_ms", s->p99, "mean_ms", s->mean_ms,
		"total_ms", s->total_ms, "impact_ms", s->impact_ms,
		"impact_rank", s->impact_rank,
		"frequency_rank", s->frequency_rank);

	if (o != NULL)
		compare(o, s, prev);
	return o;
}

json_t *perf_tasks_report(const struct perf_task_stat *cur, size_t ncur,
			  const struct perf_task_stat *prev, size_t nprev,
			  int64_t window_ms, double failure_weight, long limit)
{
	json_t *types = json_array(), *freq = json_array();
	size_t shown = ncur < (size_t)limit ? ncur : (size_t)limit;

	for (size_t i = 0; i < shown; i++)
		json_array_append_new(types, type_entry(&cur[i],
			perf_task_stat_find(prev, nprev, cur[i].type)));
	/* Names by frequency rank: rank r sits at index r - 1. */
	for (int r = 1; r <= (int)shown; r++)
		for (size_t i = 0; i < ncur; i++)
			if (cur[i].frequency_rank == r)
				json_array_append_new(freq, json_string(cur[i].type));
	return json_pack("{s:s, s:I, s:f, s:s, s:I, s:o, s:o}",
			 "schema", "hinge.perf.tasks/1",
			 "window_ms", (json_int_t)window_ms,
			 "failure_weight", failure_weight,
			 "percentiles", "nearest-rank",
			 "type_count", (json_int_t)ncur,
			 "by_impact", types, "by_frequency", freq);
}

static json_t *stmt_entry(const struct perf_stmt *w)
{
	char id[24], tag[64];
	json_t *o;

	snprintf(id, sizeof(id), "%" PRId64, w->queryid);
	o = json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f}",
		      "queryid", id, "query", w->query, "calls", w->calls,
		      "total_ms", w->total_ms, "mean_ms", perf_stmt_mean(w),
		      "stddev_ms", perf_stmt_stddev(w), "rows", w->rows,
		      "shared_blks_read", w->blks_read);
	if (o != NULL)
		json_object_set_new(o, "task_type",
			perf_stmt_task_tag(w->query, tag, sizeof(tag)) ?
			json_string(tag) : json_null());
	return o;
}

json_t *perf_queries_report(const struct perf_stmt *by_total,
			    const struct perf_stmt *by_calls, size_t n,
			    int64_t from_ms, int64_t to_ms, long limit)
{
	json_t *total = json_array(), *calls = json_array();
	size_t shown = n < (size_t)limit ? n : (size_t)limit;

	for (size_t i = 0; i < shown; i++) {
		json_array_append_new(total, stmt_entry(&by_total[i]));
		json_array_append_new(calls, stmt_entry(&by_calls[i]));
	}
	return json_pack("{s:s, s:o, s:I, s:s, s:I, s:o, s:o}",
			 "schema", "hinge.perf.queries/1",
			 "from_ms", from_ms ? json_integer(from_ms) : json_null(),
			 "to_ms", (json_int_t)to_ms,
			 "covers", from_ms ? "snapshots" : "since the last reset",
			 "statement_count", (json_int_t)n,
			 "by_total_time", total, "by_calls", calls);
}
