/*
 * figures.c - figures, alarms and refresh over the state database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "figures.h"
#include "ingest.h"
#include "rate.h"
#include "stats.h"

int64_t fb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fb_segment_known(struct fb *fb, const char *key)
{
	json_t *segs = (json_t *)fb->h->setting_json(fb->p, "segments");
	size_t i;

	for (i = 0; json_is_array(segs) && i < json_array_size(segs); i++)
		if (strcmp(json_string_value(json_array_get(segs, i)), key) == 0)
			return 1;
	return 0;
}

/* A new alarm, raised as an event once its row is committed. */
struct alarm {
	const char *figure;
	int64_t bucket;
	int dir;
	double value;
};

/* Record one alarm; 1 when it is new, 0 when known, -1 on error. */
static int record_alarm(sqlite3 *db, const struct alarm *a)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO feedback_alarms (figure, bucket_ms, direction, value,"
		" raised_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, a->figure, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, a->bucket);
	sqlite3_bind_int(s, 3, a->dir);
	sqlite3_bind_double(s, 4, a->value);
	sqlite3_bind_int64(s, 5, fb_now_ms());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(db) > 0;
}

/*
 * An error event for the alarm, so that the event sinks (the logging
 * plugin) report it.  Raised outside the state transaction: the host
 * records events through a connection of its own.
 */
static void raise_alarm(struct fb *fb, const struct alarm *a)
{
	char msg[160], detail[200];

	snprintf(msg, sizeof(msg), "%s shifted %s (CUSUM alarm, bucket value %.4g)",
		 a->figure, a->dir > 0 ? "up" : "down", a->value);
	snprintf(detail, sizeof(detail),
		 "{\"figure\":\"%s\",\"direction\":%d,\"bucket_ms\":%" PRId64 ",\"value\":%.17g}",
		 a->figure, a->dir, a->bucket, a->value);
	fb->h->event(fb->p, HINGE_LOG_ERROR, "alarm", msg, detail);
}

/* New alarms of a pass, in a growing array. */
struct alarms {
	struct alarm *a;
	size_t n;
};

/* Run the chart of one figure over its bucket series; new alarms go to *out. */
static int chart(struct fb *fb, sqlite3 *db, const char *figure, struct alarms *out)
{
	int64_t bucket = fb->h->setting_ms(fb->p, "alarm_bucket"), now = fb_now_ms();
	int64_t since = now - fb->h->setting_ms(fb->p, "alarm_history");
	struct alarm *bigger;
	double *v = NULL;
	int64_t *t = NULL;
	int *dirs = NULL;
	size_t n = 0, i;
	int rc = 0, alarms, fresh;

	if (fb_bucket_series(db, figure, since - since % bucket, now, bucket,
			     (uint64_t)fb->h->setting_int(fb->p, "alarm_min_count"),
			     &v, &t, &n) < 0)
		return HINGE_EUNAVAIL;
	if (n > 0 && (dirs = calloc(n, sizeof(*dirs))) == NULL)
		rc = HINGE_ENOMEM;
	alarms = dirs == NULL ? -1
		 : fb_chart_run(v, (int)n, (int)fb->h->setting_int(fb->p, "alarm_baseline"),
				fb->h->setting_double(fb->p, "cusum_k"),
				fb->h->setting_double(fb->p, "cusum_h"), dirs);
	for (i = 0; alarms > 0 && i < n && rc == 0; i++) {
		struct alarm a = { figure, t[i], dirs[i], v[i] };

		if (dirs[i] == 0)
			continue;
		if ((fresh = record_alarm(db, &a)) < 0) {
			rc = HINGE_EUNAVAIL;
		} else if (fresh) {
			if ((bigger = realloc(out->a, (out->n + 1) * sizeof(*bigger))) == NULL) {
				rc = HINGE_ENOMEM;
				break;
			}
			out->a = bigger;
			out->a[out->n++] = a;
		}
	}
	free(v);
	free(t);
	free(dirs);
	return rc;
}

int fb_refresh(struct fb *fb)
{
	struct fb_ingest_result res;
	struct alarms fresh = { NULL, 0 };
	struct hinge_db *hdb;
	size_t i;
	int rc = fb_ingest(fb, &res);

	if (rc < 0)
		return rc;
	fb->h->log(fb->p, HINGE_LOG_DEBUG, "ingested: %" PRId64 " read, %" PRId64
		   " new, %" PRId64 " rejected", res.read, res.added, res.rejected);
	if ((rc = fb->h->db_open(fb->p, &hdb)) < 0)
		return rc;
	if ((rc = fb->h->db_begin(hdb)) == 0) {
		sqlite3 *db = fb->h->db_sqlite(hdb);

		if ((rc = chart(fb, db, "csat", &fresh)) == 0 &&
		    (rc = chart(fb, db, "nps", &fresh)) == 0)
			rc = fb->h->db_commit(hdb);
		else
			fb->h->db_rollback(hdb);
	}
	fb->h->db_close(hdb);
	if (rc < 0)
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot run the trend charts");
	for (i = 0; rc == 0 && i < fresh.n; i++)
		raise_alarm(fb, &fresh.a[i]);
	free(fresh.a);
	return rc;
}

static json_t *figure_json(const struct fb_figure *f, int with_se)
{
	json_t *o = json_pack("{s:I, s:b, s:f, s:f, s:f}", "n", (json_int_t)f->n,
			      "sufficient", f->sufficient, "value", f->value, "lo",
			      f->lo, "hi", f->hi);

	if (o != NULL && with_se)
		json_object_set_new(o, "se", json_real(f->se));
	return o;
}

/* Ratings figures with n 0, for a segment with forms shown but no rating. */
static json_t *unrated_group(const char *segment)
{
	struct fb_figure none = { 0 };

	return json_pack("{s:s?, s:o, s:o}", "segment", segment, "csat", figure_json(&none, 0),
			 "nps", figure_json(&none, 1));
}

/* The response rate of forms shown and rated, or JSON null when none shown. */
static json_t *rate_json(struct fb *fb, uint64_t shown, uint64_t rated)
{
	struct fb_figure f;

	if (shown == 0 || fb_proportion(rated, shown,
					(uint64_t)fb->h->setting_int(fb->p, "min_sample"),
					fb_z_for_confidence(fb->h->setting_double(fb->p, "confidence")),
					&f) < 0)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:b, s:f, s:f, s:f}", "n", (json_int_t)f.n,
			 "shown", (json_int_t)shown, "rated", (json_int_t)rated,
			 "sufficient", f.sufficient, "value", f.value, "lo", f.lo, "hi", f.hi);
}

int fb_figures_add_rates(struct fb *fb, int64_t since_ms, const char *group_by,
			 json_t *groups, json_t **total)
{
	struct fb_rate_group *r = NULL;
	uint64_t shown = 0, rated = 0;
	size_t n = 0, i = 0, j = 0;
	json_t *merged, *g;
	int rc, c;

	if ((rc = fb_rates(fb, since_ms, group_by, &r, &n)) < 0)
		return rc;
	/* Both lists are sorted alike: merge them, one group per segment. */
	merged = json_array();
	while (i < json_array_size(groups) || j < n) {
		g = json_array_get(groups, i);
		c = g == NULL ? 1 : j == n ? -1
			: fb_segment_cmp(json_string_value(json_object_get(g, "segment")),
				      r[j].segment);
		if (c > 0)
			g = unrated_group(r[j].segment);
		else
			json_incref(g);
		json_object_set_new(g, "response_rate", c < 0 ? json_null()
							     : rate_json(fb, r[j].shown, r[j].rated));
		if (c >= 0) {
			shown += r[j].shown;
			rated += r[j].rated;
			j++;
		}
		i += c <= 0;
		json_array_append_new(merged, g);
	}
	fb_rate_groups_free(r, n);
	json_array_clear(groups);
	json_array_extend(groups, merged);
	json_decref(merged);
	*total = rate_json(fb, shown, rated);
	return 0;
}

int fb_figures(struct fb *fb, int64_t since_ms, const char *group_by,
	       const struct fb_filter *filters, size_t nfilter, json_t **out)
{
	uint64_t min_n = (uint64_t)fb->h->setting_int(fb->p, "min_sample");
	double z = fb_z_for_confidence(fb->h->setting_double(fb->p, "confidence"));
	struct fb_group *g = NULL;
	struct hinge_db *hdb;
	struct fb_figure csat, nps;
	size_t n = 0, i;
	json_t *arr;
	int rc;

	if ((rc = fb->h->db_open(fb->p, &hdb)) < 0)
		return rc;
	rc = fb_aggregate(fb->h->db_sqlite(hdb), since_ms, group_by, filters, nfilter,
			  &g, &n);
	fb->h->db_close(hdb);
	if (rc < 0)
		return HINGE_EUNAVAIL;
	arr = json_array();
	for (i = 0; i < n; i++) {
		fb_proportion(g[i].csat_pos, g[i].csat_n, min_n, z, &csat);
		fb_nps(g[i].promoters, g[i].detractors, g[i].nps_n, min_n, z, &nps);
		json_array_append_new(arr, json_pack("{s:s?, s:o, s:o}", "segment",
						     g[i].segment, "csat",
						     figure_json(&csat, 0), "nps",
						     figure_json(&nps, 1)));
	}
	fb_groups_free(g, n);
	*out = arr;
	return 0;
}

/*
 * Rows of sql (one parameter: since_ms) from the state database as a
 * JSON array, each made by row(); *out is a new reference.
 */
static int query_list(struct fb *fb, const char *sql, int64_t since_ms,
		      json_t *(*row)(sqlite3_stmt *s), json_t **out)
{
	struct hinge_db *hdb;
	sqlite3_stmt *s;
	json_t *arr;
	int rc;

	if ((rc = fb->h->db_open(fb->p, &hdb)) < 0)
		return rc;
	if (sqlite3_prepare_v2(fb->h->db_sqlite(hdb), sql, -1, &s, NULL) != SQLITE_OK) {
		fb->h->db_close(hdb);
		return HINGE_EUNAVAIL;
	}
	sqlite3_bind_int64(s, 1, since_ms);
	arr = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, row(s));
	sqlite3_finalize(s);
	fb->h->db_close(hdb);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return HINGE_EUNAVAIL;
	}
	*out = arr;
	return 0;
}

static json_t *alarm_row(sqlite3_stmt *s)
{
	return json_pack("{s:s, s:I, s:i, s:f}", "figure", sqlite3_column_text(s, 0),
			 "bucket_ms", (json_int_t)sqlite3_column_int64(s, 1), "direction",
			 sqlite3_column_int(s, 2), "value", sqlite3_column_double(s, 3));
}

int fb_alarms_since(struct fb *fb, int64_t since_ms, json_t **out)
{
	return query_list(fb, "SELECT figure, bucket_ms, direction, value FROM feedback_alarms"
			  " WHERE bucket_ms >= ?1 ORDER BY bucket_ms, figure",
			  since_ms, alarm_row, out);
}

static json_t *reject_row(sqlite3_stmt *s)
{
	return json_pack("{s:s, s:I, s:s?, s:s, s:s, s:I}", "source", sqlite3_column_text(s, 0),
			 "source_id", (json_int_t)sqlite3_column_int64(s, 1), "transaction",
			 sqlite3_column_text(s, 2), "reason", sqlite3_column_text(s, 3), "detail",
			 sqlite3_column_text(s, 4), "time_ms", (json_int_t)sqlite3_column_int64(s, 5));
}

int fb_rejects_list(struct fb *fb, int64_t since_ms, json_t **out)
{
	return query_list(fb, "SELECT source, source_id, transaction_id, reason, detail, created_ms"
			  " FROM feedback_rejects WHERE created_ms >= ?1 ORDER BY created_ms, source_id",
			  since_ms, reject_row, out);
}

int fb_rejects_since(struct fb *fb, int64_t since_ms, int64_t *n)
{
	struct hinge_db *hdb;
	sqlite3_stmt *s;
	int rc;

	if ((rc = fb->h->db_open(fb->p, &hdb)) < 0)
		return rc;
	rc = sqlite3_prepare_v2(fb->h->db_sqlite(hdb),
				"SELECT count(*) FROM feedback_rejects WHERE created_ms >= ?1",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, since_ms);
		rc = sqlite3_step(s);
		*n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	fb->h->db_close(hdb);
	return rc == SQLITE_ROW ? 0 : HINGE_EUNAVAIL;
}
