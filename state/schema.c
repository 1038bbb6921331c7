/*
 * schema.c - the state database's schema, as versioned migrations:
 * state_migrations[i] moves PRAGMA user_version from i to i+1.  Append
 * only: a released migration is never edited.
 */
#include <stddef.h>

#include "state/schema.h"

const char *const state_migrations[] = {
	/* 0 -> 1: the agent's own tables. */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  rollout_id TEXT,"
	"  message TEXT NOT NULL,"
	"  actor TEXT,"
	"  reason TEXT,"
	"  detail TEXT);"
	"CREATE INDEX events_rollout ON events (rollout_id, id);"
	"CREATE INDEX events_time ON events (time_ms);"
	"CREATE TABLE samples ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  metric TEXT NOT NULL,"
	"  labels TEXT,"
	"  value REAL NOT NULL);"
	"CREATE INDEX samples_metric ON samples (metric, time_ms);"
	"CREATE TABLE kv ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE plugin_schema ("
	"  plugin TEXT PRIMARY KEY,"
	"  version INTEGER NOT NULL);",
	NULL,
};
