/*
 * gain.h - did a statement get faster since the stage began?  The proof
 * a gate asks of an index: enough calls since the stage began, and their
 * mean below the mean of the baseline before the stage by a margin, by a
 * one-sided Welch test at 95%.
 */
#ifndef PERF_GAIN_H
#define PERF_GAIN_H

#include "plugins/perf/pgss.h"
#include "plugins/perf/welch.h"

struct perf_gain {
	struct perf_stmt before; /* the window base -> stage */
	struct perf_stmt after;  /* the window stage -> live */
	struct perf_welch test;
	int gain; /* 1 when the test is significant */
};

/*
 * Compare the window stage -> live with the window base -> stage.  base
 * may be NULL (no baseline: only `after` is filled).  Returns 0 with
 * out->gain set; HINGE_ENODATA when fewer than min_calls calls happened
 * since the stage began, or when there is no baseline with 2 calls or
 * more, or when both windows have no variance (nothing can be decided:
 * a gate counts it inconclusive).
 */
int perf_gain_decide(const struct perf_stmt *base, const struct perf_stmt *stage,
		     const struct perf_stmt *live, double min_calls,
		     double margin, struct perf_gain *out);

#endif
