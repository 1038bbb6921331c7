/*
 * errors.h - reading the error groups: what `hinge errors` prints and
 * what the metrics for gates count.
 */
#ifndef LOGGING_ERRORS_H
#define LOGGING_ERRORS_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

/*
 * The groups seen since since_ms, most frequent (in that window) first,
 * at most limit: a new JSON array of {fingerprint, source, type, message
 * (normalised), sample (the latest, scrubbed), count, total, first_seen,
 * last_seen (ISO times)} in *out, the caller's reference.  Returns 0,
 * HINGE_EUNAVAIL or HINGE_ENOMEM.
 */
int lg_errors_top(sqlite3 *db, int64_t since_ms, int limit, json_t **out);

/*
 * One group by its fingerprint or a unique prefix of it (6 characters at
 * least): a new object as in lg_errors_top (count = total) with
 * "samples": [{event_id, time, message}], the latest first.  Returns 0,
 * HINGE_EINVAL when no group or more than one matches, or
 * HINGE_EUNAVAIL / HINGE_ENOMEM.
 */
int lg_errors_show(sqlite3 *db, const char *fingerprint, json_t **out);

/*
 * Errors seen since since_ms, and groups first seen since then; source
 * NULL counts every source.  Return the count (>= 0) or HINGE_EUNAVAIL.
 */
int64_t lg_errors_since(sqlite3 *db, int64_t since_ms, const char *source);
int64_t lg_groups_since(sqlite3 *db, int64_t since_ms, const char *source);

/* Forget hits older than before_ms (the groups keep their totals). */
int lg_hits_prune(sqlite3 *db, int64_t before_ms);

/* "250ms", "30s", "5m", "24h", "7d" in ms; -1 when it does not parse. */
int64_t lg_parse_duration(const char *text);

#endif
