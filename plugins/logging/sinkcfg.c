/*
 * sinkcfg.c - the logging_sinks overrides.
 */
#include <hinge/plugin.h>

#include "sinkcfg.h"

int lg_sinkcfg_get(sqlite3 *db, const char *sink, double configured_rate,
		   struct lg_sinkcfg *c)
{
	sqlite3_stmt *s;
	int rc;

	c->overridden = 0;
	c->enabled = 1;
	c->sample_rate = configured_rate;
	if (sqlite3_prepare_v2(db, "SELECT enabled, sample_rate FROM logging_sinks"
			       " WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->overridden = 1;
		c->enabled = sqlite3_column_int(s, 0) != 0;
		c->sample_rate = sqlite3_column_double(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

int lg_sinkcfg_put(sqlite3 *db, const char *sink, const struct lg_sinkcfg *c)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(db, c->overridden ?
				"INSERT INTO logging_sinks (name, enabled, sample_rate)"
				" VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET"
				" enabled = excluded.enabled,"
				" sample_rate = excluded.sample_rate" :
				"DELETE FROM logging_sinks WHERE name = ?1",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	if (c->overridden) {
		sqlite3_bind_int(s, 2, c->enabled != 0);
		sqlite3_bind_double(s, 3, c->sample_rate);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}
