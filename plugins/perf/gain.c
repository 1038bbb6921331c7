/*
 * gain.c - the proof of a gain (see gain.h).
 */
#include "plugins/perf/gain.h"

#include <hinge/plugin.h>

#include <string.h>

int perf_gain_decide(const struct perf_stmt *base, const struct perf_stmt *pre,
		     const struct perf_stmt *stage, const struct perf_stmt *live,
		     double min_calls, double margin, struct perf_gain *out)
{
	struct perf_summary a, b;

	memset(out, 0, sizeof(*out));
	perf_stmt_delta(stage, live, &out->after);
	if (out->after.calls < min_calls || out->after.calls < 1)
		return HINGE_ENODATA;
	if (base == NULL || pre == NULL)
		return HINGE_ENODATA;
	perf_stmt_delta(base, pre, &out->before);
	if (out->before.calls < 2)
		return HINGE_ENODATA;
	perf_stmt_summary(&out->after, &a);
	perf_stmt_summary(&out->before, &b);
	if (perf_welch_less(&a, &b, margin, &out->test) != 0)
		return HINGE_ENODATA;
	out->gain = perf_welch_significant(&out->test);
	return 0;
}
