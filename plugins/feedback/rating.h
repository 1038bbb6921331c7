/*
 * rating.h - what ingestion decides without a database: whether a source
 * row is a valid rating, whether the ratings table has the columns it
 * needs, and the text of the batch query.
 */
#ifndef FEEDBACK_RATING_H
#define FEEDBACK_RATING_H

#include <stddef.h>

/*
 * The reason a source row is rejected, or NULL when it is a valid rating
 * (then *score holds it).  Any argument may be NULL (an SQL NULL).  The
 * reason is a static string.
 */
const char *fb_rating_reject_reason(const char *txn, const char *user,
				    const char *scale, const char *score_text,
				    int *score);

/* A column of the ratings table: its name and format_type() text. */
struct fb_column {
	const char *name;
	const char *type;
};

/*
 * Check that the ratings table (n columns) has the columns ingestion
 * reads, of usable types, and every configured segment column.  Returns
 * 0, or -1 with a message naming the column and the setting to fix in
 * msg (msgsz bytes).
 */
int fb_ratings_schema_check(const struct fb_column *cols, size_t n,
			    const char *const *segments, size_t nseg,
			    char *msg, size_t msgsz);

/*
 * The batch query over the ratings table: table_q and segs_q[nseg] are
 * identifiers already quoted (PQescapeIdentifier).  Parameters: $1 the
 * cursor's time in microseconds since the epoch, $2 its id, $3 the batch
 * size.  Columns: id, time (us), transaction_id, user_id, scale, score,
 * then the segments, all as text.  Returns a malloc'ed string the caller
 * frees, or NULL when out of memory.
 */
char *fb_ingest_sql(const char *table_q, const char *const *segs_q,
		    size_t nseg);

#endif
