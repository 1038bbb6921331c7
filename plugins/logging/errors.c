/*
 * errors.c - queries over the error groups.
 */
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "errors.h"
#include "event.h"

static json_t *iso(int64_t ms)
{
	char t[32];

	lg_iso_time(ms, t);
	return json_string(t);
}

static const char *col(sqlite3_stmt *s, int k)
{
	const char *v = (const char *)sqlite3_column_text(s, k);

	return v ? v : "";
}

/* A group row: fingerprint, source, type, normalized, sample, count,
 * total, first_ms, last_ms. */
static json_t *group(sqlite3_stmt *s)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:o}",
			 "fingerprint", col(s, 0), "source", col(s, 1),
			 "type", col(s, 2), "message", col(s, 3),
			 "sample", col(s, 4),
			 "count", (json_int_t)sqlite3_column_int64(s, 5),
			 "total", (json_int_t)sqlite3_column_int64(s, 6),
			 "first_seen", iso(sqlite3_column_int64(s, 7)),
			 "last_seen", iso(sqlite3_column_int64(s, 8)));
}

int lg_errors_top(sqlite3 *db, int64_t since_ms, int limit, json_t **out)
{
	sqlite3_stmt *s;
	json_t *arr = json_array(), *g;
	int rc;

	*out = NULL;
	if (!arr)
		return HINGE_ENOMEM;
	if (sqlite3_prepare_v2(db, "SELECT g.fingerprint, g.source, g.type,"
			       " g.normalized, g.sample, h.n, g.count, g.first_ms,"
			       " g.last_ms FROM (SELECT fingerprint, sum(n) AS n"
			       " FROM logging_hits WHERE time_ms >= ?1"
			       " GROUP BY fingerprint) h JOIN logging_groups g"
			       " USING (fingerprint)"
			       " ORDER BY h.n DESC, g.last_ms DESC LIMIT ?2",
			       -1, &s, NULL) != SQLITE_OK) {
		json_decref(arr);
		return HINGE_EUNAVAIL;
	}
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		g = group(s);
		if (!g || json_array_append_new(arr, g) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return rc == SQLITE_NOMEM ? HINGE_ENOMEM : HINGE_EUNAVAIL;
	}
	*out = arr;
	return 0;
}

static int samples(sqlite3 *db, json_t *g)
{
	sqlite3_stmt *s;
	json_t *arr = json_array(), *one;
	int rc;

	if (!arr || json_object_set_new(g, "samples", arr) < 0)
		return HINGE_ENOMEM;
	if (sqlite3_prepare_v2(db, "SELECT event_id, time_ms, message FROM"
			       " logging_samples WHERE fingerprint = ?1"
			       " ORDER BY seq DESC", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, json_string_value(json_object_get(g, "fingerprint")),
			  -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		one = json_pack("{s:s,s:o,s:s}", "event_id", col(s, 0),
				"time", iso(sqlite3_column_int64(s, 1)),
				"message", col(s, 2));
		if (!one || json_array_append_new(arr, one) < 0) {
			sqlite3_finalize(s);
			return HINGE_ENOMEM;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

int lg_errors_show(sqlite3 *db, const char *fp, json_t **out)
{
	sqlite3_stmt *s;
	json_t *g = NULL;
	int rc, n = 0;

	*out = NULL;
	if (strlen(fp) < 6 || strspn(fp, "0123456789abcdef") != strlen(fp))
		return HINGE_EINVAL;
	if (sqlite3_prepare_v2(db, "SELECT fingerprint, source, type, normalized,"
			       " sample, count, count, first_ms, last_ms FROM"
			       " logging_groups WHERE substr(fingerprint, 1, ?2) = ?1"
			       " LIMIT 2", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, fp, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)strlen(fp));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && ++n == 1)
		g = group(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		json_decref(g);
		return HINGE_EUNAVAIL;
	}
	if (n != 1) {
		json_decref(g);
		return HINGE_EINVAL;
	}
	if (!g)
		return HINGE_ENOMEM;
	rc = samples(db, g);
	if (rc < 0) {
		json_decref(g);
		return rc;
	}
	*out = g;
	return 0;
}

static int64_t count_since(sqlite3 *db, const char *sql, int64_t since_ms,
			   const char *source)
{
	sqlite3_stmt *s;
	int64_t n = HINGE_EUNAVAIL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_int64(s, 1, since_ms);
	if (source)
		sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int64_t lg_errors_since(sqlite3 *db, int64_t since_ms, const char *source)
{
	return count_since(db, "SELECT coalesce(sum(h.n), 0) FROM logging_hits h"
			   " JOIN logging_groups g USING (fingerprint)"
			   " WHERE h.time_ms >= ?1 AND (?2 IS NULL OR g.source = ?2)",
			   since_ms, source);
}

int64_t lg_groups_since(sqlite3 *db, int64_t since_ms, const char *source)
{
	return count_since(db, "SELECT count(*) FROM logging_groups"
			   " WHERE first_ms >= ?1 AND (?2 IS NULL OR source = ?2)",
			   since_ms, source);
}

int lg_hits_prune(sqlite3 *db, int64_t before_ms)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "DELETE FROM logging_hits WHERE time_ms < ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_int64(s, 1, before_ms);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

int64_t lg_parse_duration(const char *text)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { NULL, 0 },
	};
	char *end;
	long long n;
	int k;

	if (!text || !*text || *text == '-')
		return -1;
	n = strtoll(text, &end, 10);
	if (end == text)
		return -1;
	for (k = 0; units[k].unit; k++)
		if (strcmp(end, units[k].unit) == 0)
			return (int64_t)n * units[k].ms;
	return -1;
}
