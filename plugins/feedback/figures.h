/*
 * figures.h - what the plugin computes from the state database for
 * reports, metrics and alarms, with its settings applied.
 */
#ifndef FEEDBACK_FIGURES_H
#define FEEDBACK_FIGURES_H

#include <stdint.h>

#include <jansson.h>

#include "fb.h"
#include "store.h"

/*
 * Bring the state database up to date: ingest new ratings, then run the
 * trend charts and raise an "alarm" error event for each new alarm.
 * Returns 0 or the HINGE_E* code of the part that failed (logged).
 */
int fb_refresh(struct fb *fb);

/*
 * The figures of the ratings since since_ms, grouped by segment key
 * group_by (NULL: all), filtered, as a JSON array of objects
 * {"segment", "csat": {...}, "nps": {...}}, each figure with n, value,
 * lo, hi, (se,) sufficient.  *out is a new reference the caller drops.
 * Returns 0 or HINGE_EUNAVAIL.
 */
int fb_figures(struct fb *fb, int64_t since_ms, const char *group_by,
	       const struct fb_filter *filters, size_t nfilter, json_t **out);

/*
 * Alarms of buckets starting at or after since_ms, as a JSON array of
 * {"figure", "bucket_ms", "direction", "value"}; *out is a new reference.
 * Returns 0 or a HINGE_E* code.
 */
int fb_alarms_since(struct fb *fb, int64_t since_ms, json_t **out);

/*
 * The rejected rows whose time is at or after since_ms, oldest first, as
 * a JSON array of {"source", "source_id", "transaction", "reason",
 * "detail", "time_ms"}; *out is a new reference.  Returns 0 or a
 * HINGE_E* code.
 */
int fb_rejects_list(struct fb *fb, int64_t since_ms, json_t **out);

/* Rows rejected whose time is at or after since_ms, into *n; 0 or HINGE_E*. */
int fb_rejects_since(struct fb *fb, int64_t since_ms, int64_t *n);

/*
 * Add the response rate to the groups fb_figures made with the same
 * since_ms and group_by: each group gets "response_rate" {n (forms
 * shown), shown, rated, sufficient, value, lo, hi} or null when no form
 * of its segment was shown; a segment with forms shown but no rating
 * gets a group of its own (its CSAT and NPS at n 0).  *total gets the
 * rate over all groups (a new reference, null when none shown).  The
 * segment of a form shown is the one recorded with it (see rate.h).
 * Returns 0 or a HINGE_E* code (logged); groups is unchanged then.
 */
int fb_figures_add_rates(struct fb *fb, int64_t since_ms, const char *group_by,
			 json_t *groups, json_t **total);

/* 1 when key is one of the configured segments, else 0. */
int fb_segment_known(struct fb *fb, const char *key);

/* Unix time in ms. */
int64_t fb_now_ms(void);

#endif
