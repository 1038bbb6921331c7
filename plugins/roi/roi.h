/*
 * roi.h - what the glue of the roi plugin shares: the host, the plugin,
 * and the settings it parsed once at init (rates, zone, fixed costs).
 */
#ifndef ROI_ROI_H
#define ROI_ROI_H

#include <hinge/plugin.h>

#include "plugins/roi/costs.h"
#include "plugins/roi/money.h"
#include "plugins/roi/period.h"
#include "plugins/roi/report.h"

/*
 * Settings parsed once per load or reload.  A reload swaps in a new one
 * while jobs may still read the old, so old ones are kept (chained
 * through older) until fini.
 */
struct roi_conf {
	struct roi_rates rates;        /* to the reporting currency */
	struct roi_tz *tz;             /* NULL: UTC */
	struct roi_fixed_costs fixed;  /* in the reporting currency */
	enum roi_period publish;       /* the period the textfile and table carry */
	struct roi_conf *older;
};

struct roi {
	const struct hinge_host *host;
	struct hinge_plugin *p;
	struct roi_conf *conf;         /* read with roi_conf() */
};

/* The current parsed settings; borrowed, valid until fini. */
static inline const struct roi_conf *roi_conf(struct roi *r)
{
	return __atomic_load_n(&r->conf, __ATOMIC_ACQUIRE);
}

/*
 * Run one sync of balance transactions from Stripe into the state
 * database, resuming a sync that was cut.  0, or a negative HINGE_E*
 * code with the reason logged and recorded (figures then read stale).
 */
int roi_sync(struct roi *r);

/*
 * Fill the cost of every period of rep: fixed costs, plus the cost query
 * when one is set.  When the query cannot run, the answers kept from its
 * last good run stand in (none for ROI_CUSTOM windows, which are not
 * kept), *stale is 1 and err (errlen bytes) says why, logged unless the
 * agent is stopping (the stop cancels the query).
 * Returns 0.
 */
int roi_costs_fill(struct roi *r, struct hinge_db *db, struct roi_report *rep,
		   int *stale, char *err, size_t errlen);

/*
 * The figures of the transactions created in [from, to) (unix seconds) in
 * the reporting currency into *f: 0; HINGE_ENODATA before the first sync;
 * HINGE_EUNAVAIL when the last sync failed (the figures are stale).
 */
int roi_window(struct roi *r, int64_t from, int64_t to, struct roi_figures *f);

/* Register the metrics: 0 or what register_metric returned. */
int roi_metrics_register(struct roi *r);

/*
 * `roi report --rollout ID`: print each stage's figures before and after
 * it began (cmd_rollout.c).  Returns the exit status.
 */
int roi_rollout_report(struct roi *r, struct hinge_command *cmd, const char *id);

/* Register the `roi` command: 0 or what register_command returned. */
int roi_command_register(struct roi *r);

/*
 * Publish the current and the previous period to the textfile and to
 * hinge.roi_period, where configured.  0, or a negative HINGE_E* code
 * with the reason logged; HINGE_ECANCELED, publishing nothing, when the
 * agent's stop cut the cost query short.
 */
int roi_publish(struct roi *r);

/* Unix ms now. */
int64_t roi_now_ms(void);

#endif
