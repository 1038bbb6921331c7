/*
 * stages.h - the windows of `roi report --rollout`: each stage (a step)
 * of a rollout, from when it began until the next stage began -- the
 * last one until the rollout's steps have all ended, or until now --
 * against a window of equal length just before it began.  In whole
 * seconds, as Stripe dates transactions, cut as the gate metric
 * net_revenue_delta_pct cuts them: a stage shorter than a second has
 * no window.  Pure.
 */
#ifndef ROI_STAGES_H
#define ROI_STAGES_H

#include <stdint.h>

#include <jansson.h>

#include "plugins/roi/report.h"

struct roi_stage {
	int number;                   /* from 1 */
	char *name, *kind, *phase;
	int64_t started_ms, ended_ms; /* 0: not (yet) */
	/* Set by roi_stages_cut: unix seconds, before [b0, b1) and after
	 * [b1, b2); rep holds those two windows (n 0 when there are none). */
	int64_t bounds[3];
	struct roi_report rep;
};

struct roi_stages {
	size_t n;
	struct roi_stage *s; /* malloc'ed; roi_stages_free frees */
};

/* Append a stage, in the rollout's order: 0 or HINGE_ENOMEM. */
int roi_stages_add(struct roi_stages *ss, int number, const char *name, const char *kind,
		   const char *phase, int64_t started_ms, int64_t ended_ms);

/*
 * Cut every stage's windows as of now_ms: 0 or HINGE_ENOMEM.  *from and
 * *to get the span all of them cover (from == to when none has one), the
 * range of one scan for roi_stages_add_txn.
 */
int roi_stages_cut(struct roi_stages *ss, int64_t now_ms, int64_t *from, int64_t *to);

/* Add a transaction to every window holding it: 0 or HINGE_ENOMEM. */
int roi_stages_add_txn(struct roi_stages *ss, const struct roi_txn *x);

/*
 * One stage as {number, name, kind, phase, started_ms, ended_ms,
 * window_seconds, before, after, delta_pct {net, gross, refunds}}: before
 * and after are periods as in "hinge.roi.report/1", null with delta_pct
 * when the stage has no window; a delta is null when before is 0.
 */
json_t *roi_stage_json(const struct roi_stage *s, const struct roi_rates *rates);

void roi_stages_free(struct roi_stages *ss);

#endif
