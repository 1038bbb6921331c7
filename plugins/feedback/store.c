/*
 * store.c - the state database side: tables, sums per group and per
 * time bucket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

const char *const fb_state_migrations[] = {
	"CREATE TABLE feedback_ratings ("
	" source TEXT NOT NULL, source_id INTEGER NOT NULL,"
	" transaction_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,"
	" scale TEXT NOT NULL CHECK (scale IN ('csat', 'nps')),"
	" score INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
	" segments TEXT NOT NULL DEFAULT '{}',"
	" PRIMARY KEY (source, source_id));"
	/* Covers the sums by time and by bucket: they never read the table. */
	"CREATE INDEX feedback_ratings_time ON feedback_ratings (created_ms, scale, score);"
	"CREATE TABLE feedback_rejects ("
	" source TEXT NOT NULL, source_id INTEGER NOT NULL, transaction_id TEXT,"
	" reason TEXT NOT NULL, detail TEXT NOT NULL, created_ms INTEGER NOT NULL,"
	" rejected_ms INTEGER NOT NULL, PRIMARY KEY (source, source_id));"
	"CREATE TABLE feedback_cursor ("
	" source TEXT PRIMARY KEY, time_us INTEGER NOT NULL, id INTEGER NOT NULL);"
	"CREATE TABLE feedback_alarms ("
	" figure TEXT NOT NULL, bucket_ms INTEGER NOT NULL, direction INTEGER NOT NULL,"
	" value REAL NOT NULL, raised_ms INTEGER NOT NULL,"
	" PRIMARY KEY (figure, bucket_ms));",
	NULL,
};

#define SUMS \
	" sum(scale = 'csat'), sum(scale = 'csat' AND score >= 4)," \
	" sum(scale = 'nps'), sum(scale = 'nps' AND score >= 9)," \
	" sum(scale = 'nps' AND score <= 6)"

/* '$."key"': a JSON path that takes any key literally. */
static char *json_path(const char *key)
{
	char *p = malloc(strlen(key) * 2 + 6), *o;

	if (p == NULL)
		return NULL;
	o = p + sprintf(p, "$.\"");
	for (; *key != '\0'; key++) {
		if (*key == '"' || *key == '\\')
			*o++ = '\\';
		*o++ = *key;
	}
	strcpy(o, "\"");
	return p;
}

static char *aggregate_sql(const char *group_by, size_t nfilter)
{
	size_t len = 256 + sizeof(SUMS) + nfilter * 48, i;
	char *sql = malloc(len), *o;

	if (sql == NULL)
		return NULL;
	o = sql + sprintf(sql, "SELECT %s," SUMS " FROM feedback_ratings WHERE created_ms >= ?1",
			  group_by ? "json_extract(segments, ?2)" : "NULL");
	for (i = 0; i < nfilter; i++)
		o += sprintf(o, " AND json_extract(segments, ?%zu) = ?%zu", 3 + 2 * i,
			     4 + 2 * i);
	sprintf(o, " GROUP BY 1 ORDER BY 1");
	return sql;
}

static int bind_filters(sqlite3_stmt *s, const char *group_by,
			const struct fb_filter *filters, size_t nfilter)
{
	size_t i;
	char *path;

	if (group_by != NULL) {
		if ((path = json_path(group_by)) == NULL)
			return -1;
		sqlite3_bind_text(s, 2, path, -1, free);
	}
	for (i = 0; i < nfilter; i++) {
		if ((path = json_path(filters[i].key)) == NULL)
			return -1;
		sqlite3_bind_text(s, (int)(3 + 2 * i), path, -1, free);
		sqlite3_bind_text(s, (int)(4 + 2 * i), filters[i].value, -1, SQLITE_STATIC);
	}
	return 0;
}

int fb_aggregate(sqlite3 *db, int64_t since_ms, const char *group_by,
		 const struct fb_filter *filters, size_t nfilter,
		 struct fb_group **out, size_t *n)
{
	char *sql = aggregate_sql(group_by, nfilter);
	sqlite3_stmt *s = NULL;
	struct fb_group *g = NULL, *bigger;
	size_t count = 0;
	int rc = -1;

	if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, since_ms);
	if (bind_filters(s, group_by, filters, nfilter) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *seg = sqlite3_column_text(s, 0);

		if ((bigger = realloc(g, (count + 1) * sizeof(*g))) == NULL)
			break;
		g = bigger;
		g[count] = (struct fb_group){
			.segment = seg ? strdup((const char *)seg) : NULL,
			.csat_n = (uint64_t)sqlite3_column_int64(s, 1),
			.csat_pos = (uint64_t)sqlite3_column_int64(s, 2),
			.nps_n = (uint64_t)sqlite3_column_int64(s, 3),
			.promoters = (uint64_t)sqlite3_column_int64(s, 4),
			.detractors = (uint64_t)sqlite3_column_int64(s, 5),
		};
		count++;
	}
	rc = rc == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(s);
	free(sql);
	if (rc < 0) {
		fb_groups_free(g, count);
		return -1;
	}
	*out = g;
	*n = count;
	return 0;
}

void fb_groups_free(struct fb_group *g, size_t n)
{
	size_t i;

	for (i = 0; g != NULL && i < n; i++)
		free(g[i].segment);
	free(g);
}

int fb_bucket_series(sqlite3 *db, const char *figure, int64_t since_ms,
		     int64_t until_ms, int64_t bucket_ms, uint64_t min_n,
		     double **values, int64_t **starts, size_t *n)
{
	static const char sql[] =
		"SELECT (created_ms / ?3) * ?3 AS b," SUMS
		" FROM feedback_ratings WHERE created_ms >= ?1 AND created_ms < ?2"
		" GROUP BY b ORDER BY b";
	int nps = strcmp(figure, "nps") == 0;
	sqlite3_stmt *s = NULL;
	double *v = NULL, *bv;
	int64_t *t = NULL, *bt;
	size_t count = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, since_ms);
	/* Only whole buckets: the one still filling would read as a shift. */
	sqlite3_bind_int64(s, 2, until_ms / bucket_ms * bucket_ms);
	sqlite3_bind_int64(s, 3, bucket_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		double total = (double)sqlite3_column_int64(s, nps ? 3 : 1);

		if (total < (double)min_n || total == 0)
			continue;
		bv = realloc(v, (count + 1) * sizeof(*v));
		if (bv != NULL)
			v = bv;
		bt = realloc(t, (count + 1) * sizeof(*t));
		if (bt != NULL)
			t = bt;
		if (bv == NULL || bt == NULL)
			break;
		t[count] = sqlite3_column_int64(s, 0);
		v[count] = nps ? 100 * ((double)sqlite3_column_int64(s, 4) -
					(double)sqlite3_column_int64(s, 5)) / total
			       : (double)sqlite3_column_int64(s, 2) / total;
		count++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		free(t);
		return -1;
	}
	*values = v;
	*starts = t;
	*n = count;
	return 0;
}
