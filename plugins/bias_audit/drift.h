/*
 * drift.h - an audit's results against a baseline audit's: the
 * population stability index of the score distribution and of how the
 * positive decisions spread over each dimension's groups, and how each
 * figure moved.  Pure code over the result documents.
 */
#ifndef BIAS_DRIFT_H
#define BIAS_DRIFT_H

#include <jansson.h>

struct bias_drift_policy {
	double psi_max;    /* a PSI above this is an alarm */
	double worsen_max; /* a figure worse by more than this is an alarm */
};

/*
 * Compare results (bias_results' document) with base (an earlier one):
 * {"score_psi": x or null, "selection_psi": {dimension: x},
 *  "changes": [{"dimension", "figure", "baseline", "current", "delta"}],
 *  "alarms": ["text", ...]}.  A new reference; NULL when out of memory.
 * A difference worsens when it grows, a ratio when it shrinks.
 */
json_t *bias_drift(const json_t *results, const json_t *base, const struct bias_drift_policy *p);

#endif
