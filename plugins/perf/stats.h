/*
 * stats.h - per task type statistics over finished tasks: count, failure
 * rate, percentiles, total time, and rankings by impact and frequency.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile of n
 * sorted values is the value of rank ceil(p/100 * n) (1-based), so it is
 * always one of the observed durations.
 *
 * Impact is the time a type costs: its total duration plus, for each
 * failure, failure_weight times its mean duration (a failed task is
 * retried, at about the cost of an average one).  Rank 1 is the largest.
 */
#ifndef PERF_STATS_H
#define PERF_STATS_H

#include <stddef.h>

/* One finished task as read from the task table; type is borrowed. */
struct perf_task_row {
	const char *type;
	double ms;
	int failed;
};

struct perf_task_stat {
	char *type; /* owned, freed by perf_task_stats_free */
	long count;
	long failures;
	double failure_rate;
	double p50, p95, p99;
	double mean_ms;
	double var_ms; /* unbiased sample variance; 0 for one task */
	double total_ms;
	double impact_ms;
	int impact_rank;    /* 1 = the largest impact */
	int frequency_rank; /* 1 = the most tasks */
};

/*
 * The p-th percentile (0 < p <= 100) of n >= 1 values sorted ascending,
 * nearest rank.  Returns NaN for n == 0.
 */
double perf_percentile(const double *sorted, size_t n, double p);

/*
 * Group rows by type and fill *out with a malloc'ed array of *nout stats,
 * ordered by impact rank (ties by type name).  Sorts rows in place.  The
 * caller frees with perf_task_stats_free.  Returns 0 or HINGE_ENOMEM;
 * with n == 0, *out is NULL and *nout 0.
 */
int perf_task_stats(struct perf_task_row *rows, size_t n,
		    double failure_weight, struct perf_task_stat **out,
		    size_t *nout);

void perf_task_stats_free(struct perf_task_stat *s, size_t n);

/* The stat of a type in s, or NULL. */
const struct perf_task_stat *perf_task_stat_find(const struct perf_task_stat *s,
						 size_t n, const char *type);

#endif
