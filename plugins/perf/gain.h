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
	struct perf_stmt before; /* the window base -> pre */
	struct perf_stmt after;  /* the window stage -> live */
	struct perf_welch test;
	int gain; /* 1 when the test is significant */
};

/*
 * Compare the window stage -> live (from the first snapshot of the stage
 * to now) with the window base -> pre (before the stage began: pre is
 * the last snapshot before it, base one up to `baseline` earlier).  A
 * snapshot missing the statement is NULL: stage NULL counts all of
 * live's calls, base or pre NULL leave no baseline.  Returns 0 with
 * out->gain set; HINGE_ENODATA (after filled) when fewer than min_calls
 * calls happened in the stage, when the baseline has fewer than 2 calls,
 * or when both windows have no variance: a gate counts that
 * inconclusive.
 */
int perf_gain_decide(const struct perf_stmt *base, const struct perf_stmt *pre,
		     const struct perf_stmt *stage, const struct perf_stmt *live,
		     double min_calls, double margin, struct perf_gain *out);

#endif
