/*
 * store.h - audits in the state database (SQLite): each with the SHA-256
 * of its input, its policy and its results.
 */
#ifndef BIAS_STORE_H
#define BIAS_STORE_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

/* The plugin's versioned migrations of its tables, NULL-terminated. */
extern const char *const bias_store_migrations[];

/* One audit as it is stored; strings and JSON are borrowed. */
struct bias_audit_rec {
	int64_t started_ms, finished_ms;
	const char *source;       /* "csv:/path" or "postgresql" */
	const char *input_sha256; /* hex */
	const json_t *policy, *results;
};

/* Insert an audit (inside the caller's transaction); *id gets its id.
 * Returns 0 or HINGE_EUNAVAIL. */
int bias_store_insert(sqlite3 *db, const struct bias_audit_rec *rec, int64_t *id);

/*
 * The audit with this id, or the latest when id is 0, as a new JSON object
 * {"schema", "id", "started_ms", "finished_ms", "source", "input_sha256",
 * "verdict", "rows", "policy", "results"}.  Returns 0, HINGE_ENODATA when
 * there is none, or HINGE_EUNAVAIL.
 */
int bias_store_get(sqlite3 *db, int64_t id, json_t **out);

/*
 * The baseline of a new audit: audit `id` when id > 0, else the latest
 * audit that passed.  As bias_store_get.
 */
int bias_store_baseline(sqlite3 *db, int64_t id, json_t **out);

/* The latest `limit` audits, newest first, without policy and results: a
 * new JSON array.  Returns 0 or HINGE_EUNAVAIL. */
int bias_store_list(sqlite3 *db, int64_t limit, json_t **out);

/*
 * Insert a probe's result document (with "started_ms", "finished_ms",
 * "verdict" and "flip_rate") inside the caller's transaction, setting its
 * "id".  Returns 0, HINGE_EUNAVAIL or HINGE_ENOMEM.
 */
int bias_store_probe_insert(sqlite3 *db, json_t *probe);

/* The latest probe's document (new reference): 0, HINGE_ENODATA or
 * HINGE_EUNAVAIL. */
int bias_store_probe_latest(sqlite3 *db, json_t **out);

#endif
