/*
 * mig.h - what the migration plugin's files share: the plugin context,
 * connections to the target database, resolved target tables, and the
 * action tables plugin.c registers.
 */
#ifndef MIGRATION_MIG_H
#define MIGRATION_MIG_H

#include <libpq-fe.h>

#include <hinge/plugin.h>

#define MIG_MAX_KEPT 16

/* One per loaded plugin; registered actions and metrics point to it. */
struct mig_ctx {
	const struct hinge_host *host;
	struct hinge_plugin *p;
	void *kept[MIG_MAX_KEPT]; /* registration data, freed at fini */
	int nkept;
};

/* Keep ptr (malloc'ed) until fini frees it: 0, or HINGE_ENOMEM when full. */
int mig_ctx_keep(struct mig_ctx *c, void *ptr);

/* A table a step works on, resolved against the live catalog. */
struct mig_target {
	char *schema, *table; /* as the change file names them */
	char *qualified;      /* "schema"."table", quoted by PostgreSQL */
	char *db;             /* current_database() */
	char lock[512];       /* "pg:db/schema.table" */
};

/*
 * Connect to the target database with the plugin's settings: conninfo
 * through host->pg_connect, then application_name, lock_timeout and
 * statement_timeout for the session.  st may be NULL (metric reads); the
 * message goes to st's error, or to the log.  0 with *out to PQfinish, or
 * HINGE_EUNAVAIL / HINGE_EINVAL as pg_connect says.
 */
int mig_connect(struct mig_ctx *c, struct hinge_step *st, PGconn **out);

/*
 * Resolve schema.table (a plain or partitioned table) into t.  0;
 * HINGE_EINVAL when there is no such table (the step's error says so);
 * HINGE_EUNAVAIL when the query fails.  Free t with mig_target_free.
 */
int mig_target_resolve(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		       const char *schema, const char *table, struct mig_target *t);
void mig_target_free(struct mig_target *t);

/*
 * The one-column primary key of t: its quoted name and its type, each
 * malloc'ed for the caller to free.  0; HINGE_EINVAL when the table has
 * none (the step's error says so); HINGE_EUNAVAIL or HINGE_ENOMEM.
 */
int mig_primary_key(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		    const struct mig_target *t, char **qkey, char **keytype);

/* PQescapeIdentifier as a malloc'ed string the caller frees (free()). */
char *mig_quote_ident(PGconn *conn, const char *name);

/*
 * Run sql (one statement, no parameters; or with multi = 1 a script as
 * the operator wrote it, in one implicit transaction).  A lock that is not
 * granted within lock_timeout (SQLSTATE 55P03) is retried lock_retries
 * times with jittered exponential backoff; when they run out the error
 * names the sessions holding locks on target (NULL: on any table of the
 * database): pid, state and query start.  0, HINGE_EBUSY when the lock
 * was never granted, HINGE_EFAIL on any other error (the step's error
 * says which), HINGE_ECANCELED when the agent stops.  before_retry,
 * when not NULL, is called with arg before each retry to remove what the
 * failed attempt left behind.
 */
int mig_exec(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
	     const char *sql, int multi, const struct mig_target *target,
	     void (*before_retry)(void *arg), void *arg);

/*
 * mig_exec for a statement that cleans up after a failed one: retried the
 * same way, but its errors go to the agent's log, so that the step's own
 * error (what failed first) is the one the operator reads.
 */
int mig_exec_cleanup(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		     const char *sql, const struct mig_target *target);

/*
 * mig_exec for one statement with text parameters whose result the
 * caller wants: on success *out is the result, which the caller PQclears.
 */
int mig_exec_query(struct mig_ctx *c, struct hinge_step *st, PGconn *conn, const char *sql,
		   int nparams, const char *const *params, const struct mig_target *target,
		   PGresult **out);

/*
 * Whether sql (an operator's statements) parses, without running it or
 * locking what it names.  0; HINGE_EINVAL with the step's error naming
 * what (e.g. "up") and PostgreSQL's message; another code on failure.
 */
int mig_parses(struct mig_ctx *c, struct hinge_step *st, PGconn *conn, const char *what,
	       const char *sql);

/*
 * The sessions holding a lock on target (NULL: on any table of the
 * database) whose transaction is at least older_ms old, described in buf
 * as "pid N (state, query started T)", up to three.  Returns how many,
 * or -1 when they cannot be read (buf says why).
 */
int mig_lock_holders(PGconn *conn, const struct mig_target *target, int64_t older_ms,
		     char *buf, size_t len);

/*
 * Before a step changes target: wait (up to preflight_wait) for
 * transactions older than long_transaction that hold a lock on it, then
 * take the advisory lock that serialises Hinge's changes to the table
 * across hosts, retried like a lock.  0; HINGE_EBUSY naming the sessions
 * or the other executor; HINGE_ECANCELED when the agent stops.  Release
 * with mig_guard_release on the same connection.
 */
int mig_guard_take(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		   const struct mig_target *target);
void mig_guard_release(PGconn *conn, const struct mig_target *target);

/* Bring the plugin's tables in schema hinge up to date: 0 or <0 (logged). */
int mig_pg_tables(struct mig_ctx *c, PGconn *conn);

/*
 * Record in hinge.migration_history of the target database that the
 * step's action was "applied" or "reverted" on target (NULL: the
 * database), with the SHA-256 of its artifact.  History is a record, not
 * a condition: a failure to write it is logged, not returned.
 */
void mig_history_record(struct mig_ctx *c, PGconn *conn, struct hinge_step *st,
			const struct mig_target *target, const char *action,
			const char *event);

/*
 * In `plan`: an M008 finding when the last event hinge.migration_history
 * records for this step's action on target disagrees with the live
 * catalog (in_place: the step's effect is there now).
 */
void mig_history_drift(struct mig_ctx *c, PGconn *conn, struct hinge_step *st,
		       const struct mig_target *target, const char *action, int in_place);

/*
 * Run a query with text parameters and expect tuples.  The result or
 * NULL (the step's error, or the log when st is NULL, says why); the
 * caller PQclears it.
 */
PGresult *mig_query(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		    const char *sql, int nparams, const char *const *params);

/* Run a statement with no result (BEGIN, ROLLBACK, SET ...): 0 or HINGE_EFAIL. */
int mig_command(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		const char *sql);

/*
 * The fingerprint of relation rel (regclass text) into a malloc'ed
 * string the caller frees; NULL on failure (the step's error says why).
 */
char *mig_fingerprint(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		      const char *rel);

/* Report each lint finding of sql on the step (check). */
void mig_lint_step(struct mig_ctx *c, struct hinge_step *st, const char *sql);

/* The `with` row every action carries: wait for the maintenance window. */
#define MIG_WINDOW_PARAM \
	{ "window", HINGE_T_BOOL, 0, "false", 0, 0, \
	  "wait for the maintenance window (window_days, window_hours, window_tz) before taking a lock" }

/* At init: window_days and window_hours parse (hours may be unset); 0 or
 * HINGE_EINVAL, logged naming the key and where it is set. */
int mig_window_settings_ok(struct mig_ctx *c);

/*
 * When the step has window = true: the window's settings parse, hours
 * are set and window_tz is a zone the database knows.  0, HINGE_EINVAL
 * with the step's error naming the key, or HINGE_EUNAVAIL.
 */
int mig_window_check(struct mig_ctx *c, struct hinge_step *st, PGconn *conn);

/*
 * Before apply takes a lock: 0 when the step has window = false or the
 * database's clock in window_tz is inside the window; HINGE_ENOTYET,
 * with host->step_retry_after(window_poll) saying what it waits for,
 * when outside; HINGE_EINVAL when the days or hours do not parse;
 * HINGE_EUNAVAIL when the query fails (a zone that check did not see).
 */
int mig_window_wait(struct mig_ctx *c, struct hinge_step *st, PGconn *conn);

/* The actions and metric, registered by plugin.c. */
int mig_sql_register(struct mig_ctx *c);
int mig_backfill_register(struct mig_ctx *c);
int mig_lock_waiters_register(struct mig_ctx *c);

#endif
