/*
 * report.h - a report: the periods of [from, to), each with its totals
 * per currency and its cost, and the JSON document `roi report` prints
 * (text is rendered from the same document).  Pure.
 */
#ifndef ROI_REPORT_H
#define ROI_REPORT_H

#include <stdint.h>

#include <jansson.h>

#include "plugins/roi/money.h"
#include "plugins/roi/period.h"

struct roi_report {
	enum roi_period period;
	size_t n;
	struct roi_bucket {
		int64_t start, end;       /* unix seconds, [start, end) */
		struct roi_ledger ledger; /* totals per currency */
		int64_t cost;             /* reporting-currency minor units */
	} *b;                         /* malloc'ed; roi_report_free frees */
};

/* The most periods one report holds (11 years of hours). */
#define ROI_MAX_PERIODS 100000

/*
 * The periods from the one holding from up to the one holding to - 1,
 * empty.  0; HINGE_EINVAL when to <= from or there would be more than
 * ROI_MAX_PERIODS; HINGE_ENOMEM.
 */
int roi_report_init(struct roi_report *rep, enum roi_period p, const struct roi_tz *tz,
		    int64_t from, int64_t to);

/*
 * Windows cut by the caller: bounds[0] < bounds[1] < ... (n of them) make
 * n - 1 periods [bounds[i], bounds[i + 1]), period ROI_CUSTOM.  0,
 * HINGE_EINVAL when bounds do not ascend or n < 2, HINGE_ENOMEM.
 */
int roi_report_windows(struct roi_report *rep, const int64_t *bounds, size_t n);

/* Add a transaction to its period (ignored outside them): 0, HINGE_ENOMEM. */
int roi_report_add(struct roi_report *rep, const struct roi_txn *x);

void roi_report_free(struct roi_report *rep);

/*
 * Figures of a set of totals in the reporting currency: each line
 * converted per currency, then summed.  *unconverted counts currencies
 * without a rate (left out of the sums).
 */
struct roi_figures {
	int64_t line[ROI_NLINES], net;
	int64_t charges, refunded;
	int unconverted;
};
void roi_figures_of(const struct roi_ledger *l, const struct roi_rates *rates,
		    struct roi_figures *out);

/*
 * The change from before to after in percent of |before| into *out: 0, or
 * HINGE_ENODATA when before is 0 (no base to compare with).
 */
int roi_delta_pct(int64_t before, int64_t after, double *out);

/*
 * The document "hinge.roi.report/1": reporting currency, periods with
 * their lines (decimal text), per-currency totals, cost, and roi =
 * (net - cost) / cost (null when cost is 0 or a currency has no rate),
 * and the whole range's sums.  stale and last_error describe the last
 * sync.  A new reference the caller owns; NULL when out of memory.
 */
json_t *roi_report_json(const struct roi_report *rep, const struct roi_rates *rates,
			int stale, const char *last_error, int64_t last_ok_ms);

/* Set the fields of a document that describe the last sync: stale,
 * last_error (null when none) and last_sync (null before the first). */
void roi_report_sync_fields(json_t *doc, int stale, const char *last_error, int64_t last_ok_ms);

#endif
