/*
 * results.h - the audit's policy and its result document: figures of
 * every group and dimension, checked against the policy's thresholds,
 * giving the verdict PASS, FAIL or INCONCLUSIVE.
 */
#ifndef BIAS_RESULTS_H
#define BIAS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "plugins/bias_audit/acc.h"

/* The thresholded figures, in the order of the names below. */
enum bias_fig {
	BIAS_DP_DIFF, BIAS_DI_RATIO, BIAS_EO_DIFF, BIAS_EODDS_DIFF,
	BIAS_FPR_RATIO, BIAS_FNR_RATIO, BIAS_FIG_N,
};

struct bias_policy {
	double limit[BIAS_FIG_N]; /* a maximum for differences, a minimum for ratios */
	int has[BIAS_FIG_N];      /* the policy sets this figure's threshold */
	uint64_t min_group;       /* smaller groups are insufficient data */
	double z;                 /* interval width in standard errors */
	const json_t *reference;  /* {attribute: value} or NULL; borrowed */
};

/*
 * Set the thresholds from a JSON object such as {"disparate_impact_min":
 * 0.8, "equalized_odds_diff_max": 0.1}.  Returns 0, or HINGE_EINVAL with a
 * message in err naming the unknown key or the bad value.
 */
int bias_policy_thresholds(struct bias_policy *p, const json_t *thresholds,
			   char *err, size_t errlen);

/* The policy as a new JSON object (stored with every audit). */
json_t *bias_policy_json(const struct bias_policy *p);

/*
 * The result document of an accumulated audit: {"verdict", "reasons",
 * "rows", "labelled", "dimensions": [...], "summary", "histogram"}.  dim
 * names come from spec.attrs.  A new reference; NULL when out of memory.
 */
json_t *bias_results(const struct bias_acc *a, const struct bias_spec *spec,
		     const struct bias_policy *p);

/* The document of an audit that could not read its input: INCONCLUSIVE
 * with the reason.  A new reference. */
json_t *bias_results_unreadable(const char *reason);

#endif
