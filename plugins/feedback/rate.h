/*
 * rate.h - the response rate's counts: forms shown (hinge.feedback_shown
 * in the application's PostgreSQL) and how many of them have a valid
 * rating in the state database, per segment of the form shown.
 */
#ifndef FEEDBACK_RATE_H
#define FEEDBACK_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "fb.h"

/* The forms shown for one segment value, and of them those rated. */
struct fb_rate_group {
	char *segment;  /* the value; NULL for all, or for forms without one */
	uint64_t shown; /* forms shown since the window's start */
	uint64_t rated; /* of them, transactions with a valid rating (any time) */
};

/*
 * Count the forms shown at or after since_ms, grouped by the value of
 * segment group_by in their `segments` column (NULL: one group of all),
 * and of each group the transactions that have a rating in the state
 * database's feedback_ratings (so rejected rows are no response, and a
 * second rating counts once).  *out gets a malloc'ed array of *n groups,
 * sorted by segment in byte order with NULL first (the order of
 * fb_aggregate), freed with fb_rate_groups_free.  The shown rows are
 * streamed, not held.  Returns 0 or a HINGE_E* code (logged).
 */
int fb_rates(struct fb *fb, int64_t since_ms, const char *group_by,
	     struct fb_rate_group **out, size_t *n);

/*
 * Segment values in the order groups are sorted, here and in the state
 * database (fb_aggregate): NULL first, then byte order.  <0, 0 or >0.
 */
int fb_segment_cmp(const char *a, const char *b);

/* Free the n groups fb_rates returned. */
void fb_rate_groups_free(struct fb_rate_group *g, size_t n);

#endif
