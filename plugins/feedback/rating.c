/*
 * rating.c - validation of ratings, of the ratings table, and the batch
 * query text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rating.h"
#include "token.h"

const char *fb_rating_reject_reason(const char *txn, const char *user,
				    const char *scale, const char *score_text,
				    int *score)
{
	int lo, hi, v = 0;
	const char *p;

	if (!fb_id_valid(txn))
		return "transaction id missing or not 1-128 printable characters";
	if (!fb_id_valid(user))
		return "user id missing or not 1-128 printable characters";
	if (scale == NULL)
		return "scale missing";
	if (strcmp(scale, "csat") == 0) {
		lo = 1;
		hi = 5;
	} else if (strcmp(scale, "nps") == 0) {
		lo = 0;
		hi = 10;
	} else {
		return "unknown scale (csat or nps)";
	}
	if (score_text == NULL || *score_text == '\0')
		return "score missing";
	for (p = score_text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > 1000)
			return "score is not a whole number";
		v = v * 10 + (*p - '0');
	}
	if (v < lo || v > hi)
		return strcmp(scale, "csat") == 0 ? "score out of range for csat (1-5)"
						  : "score out of range for nps (0-10)";
	*score = v;
	return NULL;
}

static const char *type_of(const struct fb_column *cols, size_t n,
			   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cols[i].name, name) == 0)
			return cols[i].type;
	return NULL;
}

static int one_of(const char *type, const char *const *types)
{
	for (; *types != NULL; types++)
		if (strcmp(type, *types) == 0)
			return 1;
	return 0;
}

int fb_ratings_schema_check(const struct fb_column *cols, size_t n,
			    const char *const *segments, size_t nseg,
			    char *msg, size_t msgsz)
{
	static const char *const ints[] = { "smallint", "integer", "bigint", NULL };
	static const char *const scores[] = { "smallint", "integer", "bigint",
					      "numeric", NULL };
	static const char *const times[] = { "timestamp with time zone",
					     "timestamp without time zone", NULL };
	static const struct {
		const char *column;
		const char *const *types; /* NULL: any, read as text */
		const char *want;
	} need[] = {
		{ "id", ints, "an integer" },
		{ "created_at", times, "a timestamp" },
		{ "transaction_id", NULL, NULL },
		{ "user_id", NULL, NULL },
		{ "scale", NULL, NULL },
		{ "score", scores, "a number" },
	};
	const char *type;
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		type = type_of(cols, n, need[i].column);
		if (type == NULL) {
			snprintf(msg, msgsz, "the ratings table has no column %s (setting ratings_table)",
				 need[i].column);
			return -1;
		}
		if (need[i].types != NULL && !one_of(type, need[i].types)) {
			snprintf(msg, msgsz,
				 "column %s of the ratings table is %s, not %s (setting ratings_table)",
				 need[i].column, type, need[i].want);
			return -1;
		}
	}
	for (i = 0; i < nseg; i++) {
		if (type_of(cols, n, segments[i]) == NULL) {
			snprintf(msg, msgsz,
				 "segment %s is not a column of the ratings table (setting segments)",
				 segments[i]);
			return -1;
		}
	}
	return 0;
}

char *fb_ingest_sql(const char *table_q, const char *const *segs_q,
		    size_t nseg)
{
	static const char head[] =
		"SELECT id::text, (extract(epoch FROM created_at) * 1000000)::bigint::text,"
		" transaction_id::text, user_id::text, scale::text, score::text";
	static const char tail[] =
		" WHERE (created_at, id) > ('epoch'::timestamptz + ($1::bigint || ' microseconds')::interval, $2::bigint)"
		" ORDER BY created_at, id LIMIT $3::integer";
	size_t len = sizeof(head) + sizeof(tail) + strlen(table_q) + 8, i;
	char *sql;

	for (i = 0; i < nseg; i++)
		len += strlen(segs_q[i]) + 10;
	if ((sql = malloc(len)) == NULL)
		return NULL;
	strcpy(sql, head);
	for (i = 0; i < nseg; i++) {
		strcat(sql, ", ");
		strcat(sql, segs_q[i]);
		strcat(sql, "::text");
	}
	strcat(sql, " FROM ");
	strcat(sql, table_q);
	strcat(sql, tail);
	return sql;
}
