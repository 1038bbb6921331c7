/*
 * store.h - the feedback plugin's tables in the state database and the
 * sums the figures are computed from.  Needs only a sqlite3 handle, so
 * that tests run it on a database in memory.
 */
#ifndef FEEDBACK_STORE_H
#define FEEDBACK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The state database migrations (the ABI block's), NULL-ended. */
extern const char *const fb_state_migrations[];

/* Sums over the ratings of one group. */
struct fb_group {
	char *segment; /* the group's segment value; NULL for all or SQL NULL */
	uint64_t csat_n, csat_pos;               /* CSAT ratings; of them 4 or 5 */
	uint64_t nps_n, promoters, detractors;   /* NPS ratings; 9-10; 0-6 */
};

/* A filter on segment values: rows whose segment key equals value. */
struct fb_filter {
	const char *key, *value;
};

/*
 * Sum the ratings created at or after since_ms, grouped by the value of
 * segment key group_by (NULL: one group of all), keeping only rows that
 * match every filter.  *out gets a malloc'ed array of *n groups (sorted
 * by segment) the caller frees with fb_groups_free.  Returns 0 or -1 (a
 * database error; sqlite3_errmsg says which).
 */
int fb_aggregate(sqlite3 *db, int64_t since_ms, const char *group_by,
		 const struct fb_filter *filters, size_t nfilter,
		 struct fb_group **out, size_t *n);

/* Free the n groups fb_aggregate returned (each segment, then the array). */
void fb_groups_free(struct fb_group *g, size_t n);

/*
 * Per-bucket values of a figure ("csat" as a share, "nps" in points) for
 * the buckets of bucket_ms that start at or after since_ms and end by
 * until_ms, skipping buckets with fewer than min_n ratings.  *values and
 * *starts get malloc'ed arrays of *n entries (bucket start times in ms)
 * the caller frees.  Returns 0 or -1.
 */
int fb_bucket_series(sqlite3 *db, const char *figure, int64_t since_ms,
		     int64_t until_ms, int64_t bucket_ms, uint64_t min_n,
		     double **values, int64_t **starts, size_t *n);

#endif
