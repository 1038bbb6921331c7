/*
 * act_backfill.c - migration.backfill: UPDATE ... SET ... WHERE ... in
 * batches walked by primary key, each batch its own short transaction.
 * The batch and the record of how far the backfill got commit together
 * (hinge.migration_backfill), so that after a crash it resumes after the
 * last batch that committed and no row is changed twice.  A backfill
 * overwrites what it changes: it has no inverse (the step says
 * irreversible; reverting the column it filled undoes it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/migration/mig.h"
#include "plugins/migration/sqltext.h"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the table to fill" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "set", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the assignments, as SQL: \"ai_model = 'gpt-4'\"" },
	{ "where", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the rows still to change, as SQL: \"ai_model IS NULL\"; none left means done" },
	{ "batch_size", HINGE_T_INT, 0, "1000", 1, 1000000, "rows per batch" },
	{ "pause", HINGE_T_DURATION, 0, "0ms", 0, 3600000, "the pause between batches" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

struct backfill {
	PGconn *conn;
	struct mig_target t;
	const char *set, *where;
	char *qkey, *keytype; /* the primary key column and its type */
};

static void bf_close(struct backfill *b)
{
	free(b->qkey);
	free(b->keytype);
	mig_target_free(&b->t);
	if (b->conn != NULL)
		PQfinish(b->conn);
}

/* Connect, resolve the table and find its one-column primary key. */
static int bf_open(struct mig_ctx *c, struct hinge_step *st, struct backfill *b)
{
	const struct hinge_host *h = c->host;
	int rc;

	memset(b, 0, sizeof(*b));
	b->set = h->param_str(st, "set");
	b->where = h->param_str(st, "where");
	if ((rc = mig_connect(c, st, &b->conn)) != 0 ||
	    (rc = mig_target_resolve(c, st, b->conn, h->param_str(st, "schema"),
				     h->param_str(st, "table"), &b->t)) != 0)
		return rc;
	return mig_primary_key(c, st, b->conn, &b->t, &b->qkey, &b->keytype);
}

/* How many rows still match where: >= 0, or <0 on error. */
static long long remaining(struct mig_ctx *c, struct hinge_step *st, struct backfill *b)
{
	char *sql;
	PGresult *r;
	long long n;

	if (asprintf(&sql, "SELECT count(*) FROM %s WHERE (%s)", b->t.qualified, b->where) < 0)
		return HINGE_ENOMEM;
	r = mig_query(c, st, b->conn, sql, 0, NULL);
	free(sql);
	if (r == NULL)
		return HINGE_EFAIL;
	n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

static int bf_check(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct backfill b;
	char *probe = NULL;
	int rc = bf_open(c, st, &b);

	if (rc == 0 && asprintf(&probe, "UPDATE %s SET %s WHERE (%s)", b.t.qualified, b.set,
				b.where) < 0)
		rc = HINGE_ENOMEM;
	if (rc == 0)
		rc = mig_parses(c, st, b.conn, "the backfill", probe);
	if (rc == 0)
		rc = mig_window_check(c, st, b.conn);
	if (rc == 0) {
		c->host->step_lock_target(st, b.t.lock);
		c->host->step_inverse(st, "none: a backfill overwrites; revert the column it filled");
	}
	free(probe);
	bf_close(&b);
	return rc;
}

static int bf_probe(void *data, struct hinge_step *st)
{
	struct backfill b;
	long long n;
	int rc = bf_open(data, st, &b);

	if (rc == 0)
		rc = (n = remaining(data, st, &b)) < 0 ? (int)n : n == 0;
	bf_close(&b);
	return rc;
}

static int bf_capture(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	static const char none[] = "none: a backfill overwrites what it changes";

	return c->host->artifact_set(st, none, strlen(none));
}

/* Where the last committed batch ended: a malloc'ed key, or NULL. */
static int resume_point(struct mig_ctx *c, struct hinge_step *st, struct backfill *b,
			char **last, long long *done)
{
	const char *p[2] = { c->host->step_rollout(st), c->host->step_name(st) };
	PGresult *r;

	*last = NULL;
	*done = 0;
	if (mig_pg_tables(c, b->conn) != 0)
		return HINGE_EUNAVAIL;
	r = mig_query(c, st, b->conn, "SELECT last_key, rows_done FROM hinge.migration_backfill"
		      " WHERE rollout = $1 AND step = $2", 2, p);
	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (PQntuples(r) == 1) {
		*last = strdup(PQgetvalue(r, 0, 0));
		*done = atoll(PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return 0;
}

/*
 * One batch: the key range of the next batch_size keys after $1, the rows
 * in it that still match where updated (a range scan of the key's index),
 * and the progress row moved on, in one statement and so one
 * transaction.  Returns the new last key and the rows done so far.
 */
static char *batch_sql(const struct backfill *b, int64_t size)
{
	char *sql;

	if (asprintf(&sql,
		     "WITH m AS (SELECT max(key) AS hi FROM (SELECT %s AS key FROM %s"
		     "  WHERE $1::text IS NULL OR %s > $1::%s ORDER BY %s LIMIT %lld) AS k),"
		     " u AS (UPDATE %s SET %s WHERE ($1::text IS NULL OR %s > $1::%s)"
		     "  AND %s <= (SELECT hi FROM m) AND (%s) RETURNING 1),"
		     " p AS (INSERT INTO hinge.migration_backfill (rollout, step, last_key, rows_done)"
		     "  SELECT $2, $3, hi::text, (SELECT count(*) FROM u) FROM m WHERE hi IS NOT NULL"
		     "  ON CONFLICT (rollout, step) DO UPDATE SET last_key = excluded.last_key,"
		     "  rows_done = hinge.migration_backfill.rows_done + excluded.rows_done"
		     "  RETURNING rows_done)"
		     " SELECT (SELECT hi::text FROM m), (SELECT rows_done FROM p)",
		     b->qkey, b->t.qualified, b->qkey, b->keytype, b->qkey, (long long)size,
		     b->t.qualified, b->set, b->qkey, b->keytype, b->qkey, b->where) < 0)
		return NULL;
	return sql;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * What resume relies on commits with each batch in the target database;
 * the engine's checkpoint (a commit of the state database, an fsync) only
 * shows how far the backfill got, so it is written at most once per
 * CHECKPOINT_EVERY_MS and after the last batch, not once per batch.
 */
#define CHECKPOINT_EVERY_MS 1000

static int run_batches(struct mig_ctx *c, struct hinge_step *st, struct backfill *b,
		       const char *sql, char *last, long long done, long long total)
{
	const struct hinge_host *h = c->host;
	int64_t pause = h->param_ms(st, "pause"), saved = now_ms();
	int rc = 0, unsaved = 0;

	while (rc == 0) {
		const char *p[3] = { last, h->step_rollout(st), h->step_name(st) };
		PGresult *r = NULL;

		if (h->stopping(c->p)) {
			h->step_error(st, "step \"%s\" stopped after %lld rows; it resumes from there",
				      h->step_name(st), done);
			rc = HINGE_ECANCELED;
			break;
		}
		if ((rc = mig_exec_query(c, st, b->conn, sql, 3, p, &b->t, &r)) != 0)
			break;
		if (PQgetisnull(r, 0, 0)) {
			PQclear(r);
			break;
		}
		free(last);
		last = strdup(PQgetvalue(r, 0, 0));
		done = atoll(PQgetvalue(r, 0, 1));
		PQclear(r);
		unsaved = 1;
		if (last == NULL) {
			rc = HINGE_ENOMEM;
		} else if (now_ms() - saved >= CHECKPOINT_EVERY_MS) {
			rc = h->checkpoint_set(st, last);
			saved = now_ms();
			unsaved = 0;
		}
		h->step_progress(st, done, total > done ? total : done);
		if (rc == 0 && pause > 0 && h->sleep_ms(c->p, pause) != 0)
			rc = HINGE_ECANCELED;
	}
	if (unsaved && last != NULL && h->checkpoint_set(st, last) != 0 && rc == 0)
		rc = HINGE_EUNAVAIL;
	free(last);
	return rc;
}

static int bf_apply(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct backfill b;
	char *last = NULL, *sql = NULL;
	long long done = 0, left = 0;
	int rc = bf_open(c, st, &b);

	if (rc == 0)
		rc = mig_window_wait(c, st, b.conn);
	if (rc == 0)
		rc = resume_point(c, st, &b, &last, &done);
	if (rc == 0 && (left = remaining(c, st, &b)) < 0)
		rc = (int)left;
	if (rc == 0 && (sql = batch_sql(&b, c->host->param_int(st, "batch_size"))) == NULL)
		rc = HINGE_ENOMEM;
	if (rc == 0) {
		rc = run_batches(c, st, &b, sql, last, done, done + left);
		last = NULL;
		if (rc == 0)
			mig_history_record(c, b.conn, st, &b.t, "backfill", "applied");
	}
	free(last);
	free(sql);
	bf_close(&b);
	return rc;
}

static int bf_verify(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct backfill b;
	long long n = 0;
	int rc = bf_open(c, st, &b);

	if (rc == 0 && (n = remaining(c, st, &b)) != 0) {
		rc = n < 0 ? (int)n : HINGE_EFAIL;
		if (n > 0)
			c->host->step_error(st, "step \"%s\": %lld rows of %s still match the backfill's where",
					    c->host->step_name(st), n, b.t.qualified);
	}
	bf_close(&b);
	return rc;
}

static int bf_rehearse(void *data, struct hinge_step *st)
{
	return bf_check(data, st);
}

int mig_backfill_register(struct mig_ctx *c)
{
	const struct hinge_action a = {
		.name = "backfill",
		.params = params,
		.flags = HINGE_ACTION_NO_INVERSE,
		.data = c,
		.check = bf_check,
		.probe = bf_probe,
		.capture = bf_capture,
		.rehearse = bf_rehearse,
		.apply = bf_apply,
		.verify = bf_verify,
	};

	return c->host->register_action(c->p, &a);
}
