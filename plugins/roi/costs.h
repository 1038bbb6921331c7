/*
 * costs.h - fixed costs from the config ("hosting costs 300.00 a month"),
 * spread over report periods pro rata by time.  Pure.
 */
#ifndef ROI_COSTS_H
#define ROI_COSTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "plugins/roi/period.h"

struct roi_fixed_costs {
	size_t n;
	struct roi_fixed_cost {
		char name[64];
		int64_t amount;        /* minor units of the reporting currency */
		enum roi_period per;
	} *c;                      /* malloc'ed; roi_fixed_free frees */
};

/*
 * Parse a list of { name = "..."; amount = "300.00"; per = "month"; }
 * (amount as text or a number) in a currency of decimals decimals into
 * out.  A NULL list gives none.  0; HINGE_EINVAL with the reason in err
 * (errlen bytes) naming the entry; HINGE_ENOMEM.
 */
int roi_fixed_parse(const json_t *list, int decimals, struct roi_fixed_costs *out,
		    char *err, size_t errlen);

void roi_fixed_free(struct roi_fixed_costs *f);

/*
 * The fixed costs falling in [from, to): each period of a cost's `per`
 * that overlaps contributes amount * overlap / its length, rounded half
 * away from zero (so a month of 31 days gives each day 1/31).
 */
int64_t roi_fixed_between(const struct roi_fixed_costs *f, const struct roi_tz *tz,
			  int64_t from, int64_t to);

#endif
