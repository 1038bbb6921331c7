/*
 * pgss.c - windows over pg_stat_statements snapshots (see pgss.h).
 */
#include "plugins/perf/pgss.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void perf_stmt_delta(const struct perf_stmt *old, const struct perf_stmt *cur,
		     struct perf_stmt *out)
{
	*out = *cur;
	if (old == NULL || cur->calls < old->calls ||
	    cur->total_ms < old->total_ms)
		return;
	out->calls -= old->calls;
	out->total_ms -= old->total_ms;
	out->sumsq -= old->sumsq;
	out->rows -= old->rows;
	out->blks_read -= old->blks_read;
}

double perf_stmt_mean(const struct perf_stmt *w)
{
	return w->calls > 0 ? w->total_ms / w->calls : 0.0;
}

double perf_stmt_stddev(const struct perf_stmt *w)
{
	double m = perf_stmt_mean(w), v;

	if (w->calls <= 0)
		return 0.0;
	v = w->sumsq / w->calls - m * m;
	/* Cancellation can leave a tiny negative where the truth is 0. */
	return v > 0 ? sqrt(v) : 0.0;
}

void perf_stmt_summary(const struct perf_stmt *w, struct perf_summary *out)
{
	double sd = perf_stmt_stddev(w);

	out->n = w->calls;
	out->mean = perf_stmt_mean(w);
	out->var = w->calls > 1 ? sd * sd * w->calls / (w->calls - 1) : 0.0;
}

const struct perf_stmt *perf_stmt_find(const struct perf_stmt *s, size_t n,
				       int64_t queryid)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].queryid == queryid)
			return &s[i];
	return NULL;
}

static int by_total(const void *a, const void *b)
{
	const struct perf_stmt *x = a, *y = b;

	if (x->total_ms != y->total_ms)
		return x->total_ms < y->total_ms ? 1 : -1;
	return (x->queryid > y->queryid) - (x->queryid < y->queryid);
}

static int by_calls(const void *a, const void *b)
{
	const struct perf_stmt *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return (x->queryid > y->queryid) - (x->queryid < y->queryid);
}

static int by_id(const void *a, const void *b)
{
	const struct perf_stmt *x = a, *y = b;

	return (x->queryid > y->queryid) - (x->queryid < y->queryid);
}

size_t perf_stmt_windows(const struct perf_stmt *old, size_t nold,
			 const struct perf_stmt *cur, size_t ncur, int by,
			 struct perf_stmt *out)
{
	/* Matched through a sorted copy: snapshots hold 10,000s. */
	struct perf_stmt *sorted = nold ? malloc(nold * sizeof(*sorted)) : NULL;
	size_t n = 0;

	if (sorted) {
		memcpy(sorted, old, nold * sizeof(*sorted));
		qsort(sorted, nold, sizeof(*sorted), by_id);
	}
	for (size_t i = 0; i < ncur; i++) {
		const struct perf_stmt *o = sorted ?
			bsearch(&cur[i], sorted, nold, sizeof(*sorted), by_id) :
			perf_stmt_find(old, nold, cur[i].queryid);

		perf_stmt_delta(o, &cur[i], &out[n]);
		if (out[n].calls > 0)
			n++;
	}
	free(sorted);
	qsort(out, n, sizeof(*out), by == 'c' ? by_calls : by_total);
	return n;
}

static int tag_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

int perf_stmt_task_tag(const char *query, char *buf, size_t len)
{
	const char *open = query, *close;

	while ((open = strstr(open, "/*")) != NULL) {
		close = strstr(open + 2, "*/");
		for (const char *t = open + 2; close && t + 5 < close; t++) {
			size_t n = 0;

			if (strncmp(t, "task", 4) != 0 || (t[4] != '=' && t[4] != ':') ||
			    (t > open + 2 && tag_char(t[-1])))
				continue;
			t += 5;
			while (t + n < close && tag_char(t[n]))
				n++;
			if (n == 0 || len == 0)
				return 0;
			if (n >= len)
				n = len - 1;
			memcpy(buf, t, n);
			buf[n] = '\0';
			return 1;
		}
		if (close == NULL)
			return 0;
		open = close + 2;
	}
	return 0;
}
