/*
 * ingest.h - incremental ingestion of ratings from the application's
 * PostgreSQL into the state database.
 */
#ifndef FEEDBACK_INGEST_H
#define FEEDBACK_INGEST_H

#include <stdint.h>

#include "fb.h"

/* What one ingestion pass did. */
struct fb_ingest_result {
	int64_t read;     /* rows read from the ratings table, overlap included */
	int64_t added;    /* new ratings */
	int64_t rejected; /* new rejects */
};

/*
 * Read the ratings table (setting ratings_table) from the stored cursor
 * minus the overlap window, on (created_at, id), in batches; add each row
 * not seen before to feedback_ratings or, with its reason, to
 * feedback_rejects; advance the cursor.  Each batch commits on its own,
 * so a pass cut short loses nothing.  Returns 0 or a HINGE_E* code (the
 * message logged here, naming the setting to fix).
 */
int fb_ingest(struct fb *fb, struct fb_ingest_result *res);

/*
 * "schema"."table" for a table setting ("schema.table", or "table" in
 * public), each part quoted with PQescapeIdentifier on conn (a PGconn *).
 * Returns a malloc'ed string the caller frees, or NULL.
 */
char *fb_quote_table(void *conn, const char *name);

#endif
