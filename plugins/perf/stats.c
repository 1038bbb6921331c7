/*
 * stats.c - per task type statistics (see stats.h).
 */
#include "plugins/perf/stats.h"

#include <hinge/plugin.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

double perf_percentile(const double *sorted, size_t n, double p)
{
	double r;
	size_t rank;

	if (n == 0)
		return NAN;
	/* The epsilon keeps 0.95 * 20 at rank 19 despite binary rounding. */
	r = ceil(p / 100.0 * (double)n - 1e-9);
	rank = r < 1.0 ? 1 : (size_t)r;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static int row_cmp(const void *a, const void *b)
{
	const struct perf_task_row *x = a, *y = b;
	int c = strcmp(x->type, y->type);

	if (c)
		return c;
	return (x->ms > y->ms) - (x->ms < y->ms);
}

static int impact_cmp(const void *a, const void *b)
{
	const struct perf_task_stat *x = a, *y = b;

	if (x->impact_ms != y->impact_ms)
		return x->impact_ms < y->impact_ms ? 1 : -1;
	return strcmp(x->type, y->type);
}

/* Fill one stat from the group's sorted durations. */
static void stat_fill(struct perf_task_stat *s, const struct perf_task_row *r,
		      const double *ms, size_t n, double failure_weight)
{
	double sum = 0, ss = 0;

	s->count = (long)n;
	s->failures = 0;
	for (size_t i = 0; i < n; i++) {
		sum += ms[i];
		s->failures += r[i].failed ? 1 : 0;
	}
	s->total_ms = sum;
	s->mean_ms = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (ms[i] - s->mean_ms) * (ms[i] - s->mean_ms);
	s->var_ms = n > 1 ? ss / (double)(n - 1) : 0.0;
	s->failure_rate = (double)s->failures / (double)n;
	s->p50 = perf_percentile(ms, n, 50);
	s->p95 = perf_percentile(ms, n, 95);
	s->p99 = perf_percentile(ms, n, 99);
	s->impact_ms = s->total_ms +
		       failure_weight * (double)s->failures * s->mean_ms;
}

/* Frequency rank: 1 + the number of types with more tasks. */
static void rank_frequency(struct perf_task_stat *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rank = 1;

		for (size_t j = 0; j < n; j++)
			if (s[j].count > s[i].count ||
			    (s[j].count == s[i].count &&
			     strcmp(s[j].type, s[i].type) < 0))
				rank++;
		s[i].frequency_rank = rank;
	}
}

int perf_task_stats(struct perf_task_row *rows, size_t n,
		    double failure_weight, struct perf_task_stat **out,
		    size_t *nout)
{
	struct perf_task_stat *s = NULL;
	double *ms;
	size_t ns = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	qsort(rows, n, sizeof(*rows), row_cmp);
	ms = malloc(n * sizeof(*ms));
	s = calloc(n, sizeof(*s));
	if (!ms || !s)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		ms[i] = rows[i].ms;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && strcmp(rows[j].type, rows[i].type) == 0)
			j++;
		s[ns].type = strdup(rows[i].type);
		if (!s[ns].type)
			goto nomem;
		stat_fill(&s[ns], rows + i, ms + i, j - i, failure_weight);
		ns++;
		i = j;
	}
	free(ms);
	qsort(s, ns, sizeof(*s), impact_cmp);
	for (size_t i = 0; i < ns; i++)
		s[i].impact_rank = (int)i + 1;
	rank_frequency(s, ns);
	*out = s;
	*nout = ns;
	return 0;
nomem:
	free(ms);
	perf_task_stats_free(s, n);
	return HINGE_ENOMEM;
}

void perf_task_stats_free(struct perf_task_stat *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i].type);
	free(s);
}

const struct perf_task_stat *perf_task_stat_find(const struct perf_task_stat *s,
						 size_t n, const char *type)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].type, type) == 0)
			return &s[i];
	return NULL;
}
