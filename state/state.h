/*
 * state.h - the SQLite state store: rollouts, steps, artifacts, the
 * append-only event log, metric samples and the plugins' own tables.
 *
 * The store knows nothing of rollout logic: it opens, migrates, checks,
 * backs up and prunes, and gives callers connections and transactions.
 * WAL, synchronous=FULL, foreign keys on, a busy timeout, file mode 0600,
 * writers in BEGIN IMMEDIATE.  The schema is versioned with user_version
 * and migrated forward on open; a database from a newer Hinge is refused.
 */
#ifndef HINGE_STATE_H
#define HINGE_STATE_H

#include <stdint.h>
#include <sqlite3.h>

struct state;

#define STATE_CREATE 0x1   /* create the file if missing */
#define STATE_READONLY 0x2 /* open read-only; never migrate */
#define STATE_CHECK 0x4    /* run SQLite's quick_check first (once per command) */

/*
 * Open the store at path.  Returns 0, or HINGE_EINVAL (corrupt, not a
 * database, from a newer Hinge: the message is logged naming the file),
 * HINGE_EUNAVAIL (cannot create, read-only disk, locked away).
 */
int state_open(const char *path, int flags, struct state **out);
void state_close(struct state *st);
/* Give back the page cache of an idle connection (a long-lived agent's
 * threads hold one each; the cache refills on the next use). */
void state_release_memory(struct state *st);
sqlite3 *state_sqlite(struct state *st);
const char *state_path(const struct state *st);

/* BEGIN IMMEDIATE (retried within the busy timeout), COMMIT, ROLLBACK. */
int state_begin(struct state *st);
int state_commit(struct state *st);
void state_rollback(struct state *st);

/* The schema version this build writes, and the one the file has. */
int state_schema_version(void);
int state_file_version(struct state *st);

/* An online copy through SQLite's backup API; the copy is mode 0600. */
int state_backup(struct state *st, const char *dest);

/* Delete events and samples older than the given ages (ms; 0 keeps). */
int state_prune(struct state *st, int64_t events_age_ms, int64_t samples_age_ms);

/*
 * Run a plugin's migrations of its own tables (NULL-terminated array,
 * migrations[i] from version i to i+1) in one transaction; the version
 * is kept in table plugin_schema.
 */
int state_plugin_migrate(struct state *st, const char *plugin,
			 const char *const *migrations);

/* Append an event; rollout_id may be NULL, detail_json may be NULL. */
int state_event_append(struct state *st, int64_t time_ms, int level,
		       const char *kind, const char *source,
		       const char *rollout_id, const char *message,
		       const char *actor, const char *reason,
		       const char *detail_json);

/* Record a metric sample. */
int state_sample_put(struct state *st, int64_t time_ms, const char *metric,
		     const char *labels_json, double value);

/* A small key/value table for agent-wide flags (freeze, ...). */
int state_kv_get(struct state *st, const char *key, char **value);
int state_kv_set(struct state *st, const char *key, const char *value);

/* The busy timeout every connection gets (agent.busy_timeout). */
void state_set_busy_timeout(int ms);

/* Milliseconds since the epoch, wall clock. */
int64_t state_now_ms(void);

#endif
