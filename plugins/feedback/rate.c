/*
 * rate.c - forms shown and those of them rated, per segment.  The
 * denominator's segment is the one recorded with the form shown (the
 * endpoint takes it from the form link's parameters), and the numerator
 * counts those same transactions, so a rate is never above 1 and a
 * segment's rate is not mixed with another's forms.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "rate.h"

void fb_rate_groups_free(struct fb_rate_group *g, size_t n)
{
	size_t i;

	for (i = 0; g != NULL && i < n; i++)
		free(g[i].segment);
	free(g);
}

int fb_segment_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/*
 * The group of seg in the sorted array, inserted where it belongs when
 * new (a binary search: grouping here spares PostgreSQL a sort of every
 * form shown).  NULL when out of memory.
 */
static struct fb_rate_group *group_of(const char *seg, struct fb_rate_group **g, size_t *n)
{
	struct fb_rate_group *bigger;
	size_t lo = 0, hi = *n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = fb_segment_cmp((*g)[mid].segment, seg)) == 0)
			return &(*g)[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((bigger = realloc(*g, (*n + 1) * sizeof(**g))) == NULL)
		return NULL;
	*g = bigger;
	memmove(&bigger[lo + 1], &bigger[lo], (*n - lo) * sizeof(*bigger));
	bigger[lo] = (struct fb_rate_group){ .segment = seg ? strdup(seg) : NULL };
	(*n)++;
	return seg != NULL && bigger[lo].segment == NULL ? NULL : &bigger[lo];
}

/* Count one shown row into its group; 0 or -1. */
static int count_row(sqlite3_stmt *rated, const char *seg, const char *txn,
		     struct fb_rate_group **g, size_t *n)
{
	struct fb_rate_group *grp = group_of(seg, g, n);
	int rc;

	if (grp == NULL)
		return -1;
	sqlite3_bind_text(rated, 1, txn, -1, SQLITE_STATIC);
	rc = sqlite3_step(rated);
	sqlite3_reset(rated);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	grp->shown++;
	grp->rated += rc == SQLITE_ROW;
	return 0;
}

/* Stream the shown rows of the window and count them; 0 or HINGE_E*. */
static int count_shown(struct fb *fb, PGconn *c, sqlite3_stmt *rated, int64_t since_ms,
		       const char *group_by, struct fb_rate_group **g, size_t *n)
{
	char since[32];
	const char *v[2] = { since, group_by };
	PGresult *r;
	int rc = 0, st;

	snprintf(since, sizeof(since), "%" PRId64, since_ms);
	if (!PQsendQueryParams(c, "SELECT segments ->> $2::text, transaction_id"
			       " FROM hinge.feedback_shown WHERE shown_at >="
			       " 'epoch'::timestamptz + ($1::bigint || ' milliseconds')::interval",
			       2, NULL, v, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(c)) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot count the forms shown: %s",
			   PQerrorMessage(c));
		return HINGE_EUNAVAIL;
	}
	while ((r = PQgetResult(c)) != NULL) {
		st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE && rc == 0 &&
		    count_row(rated, PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0),
			      PQgetvalue(r, 0, 1), g, n) < 0)
			rc = HINGE_ENOMEM;
		if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && rc == 0) {
			fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot count the forms shown: %s",
				   PQresultErrorMessage(r));
			rc = HINGE_EUNAVAIL;
		}
		PQclear(r);
	}
	return rc;
}

int fb_rates(struct fb *fb, int64_t since_ms, const char *group_by,
	     struct fb_rate_group **out, size_t *n)
{
	struct fb_rate_group *g = NULL;
	struct hinge_db *hdb;
	sqlite3_stmt *rated = NULL;
	size_t count = 0;
	void *conn;
	int rc;

	if ((rc = fb_pg_open(fb, &conn)) < 0)
		return rc;
	if ((rc = fb->h->db_open(fb->p, &hdb)) < 0) {
		PQfinish(conn);
		return rc;
	}
	if (sqlite3_prepare_v2(fb->h->db_sqlite(hdb),
			       "SELECT 1 FROM feedback_ratings WHERE transaction_id = ?1",
			       -1, &rated, NULL) != SQLITE_OK)
		rc = HINGE_EUNAVAIL;
	else
		rc = count_shown(fb, conn, rated, since_ms, group_by, &g, &count);
	sqlite3_finalize(rated);
	fb->h->db_close(hdb);
	PQfinish(conn);
	if (rc < 0) {
		fb_rate_groups_free(g, count);
		return rc;
	}
	*out = g;
	*n = count;
	return 0;
}
