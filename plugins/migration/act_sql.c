/*
 * act_sql.c - migration.sql: SQL the operator writes (up, down, a verify
 * query) for what the typed actions do not cover.  It runs as written;
 * Hinge checks that it parses, lints it and runs it with the plugin's
 * lock timeout and retries.  The action is registered with
 * HINGE_ACTION_NO_INVERSE: a step's `down` is not visible to the engine,
 * so every sql step says irreversible, and revert runs `down` when given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/mig.h"
#include "plugins/migration/sqltext.h"

static const struct hinge_setting params[] = {
	{ "up", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the SQL that makes the change" },
	{ "down", HINGE_T_STRING, 0, NULL, 0, 0, "the SQL that undoes it; none makes the step irreversible" },
	{ "verify", HINGE_T_STRING, 0, NULL, 0, 0, "a query whose first value is true once the change is in place" },
	{ "table", HINGE_T_STRING, 0, NULL, 0, 0, "the table the SQL changes, for the lock target" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

struct sqlstep {
	PGconn *conn;
	struct mig_target t;
	int has_table;
	const char *up, *down, *verify;
};

static void sql_close(struct sqlstep *s)
{
	mig_target_free(&s->t);
	if (s->conn != NULL)
		PQfinish(s->conn);
}

static int sql_open(struct mig_ctx *c, struct hinge_step *st, struct sqlstep *s)
{
	const struct hinge_host *h = c->host;
	int rc;

	memset(s, 0, sizeof(*s));
	s->up = h->param_str(st, "up");
	s->down = h->param_given(st, "down") ? h->param_str(st, "down") : NULL;
	s->verify = h->param_given(st, "verify") ? h->param_str(st, "verify") : NULL;
	s->has_table = h->param_given(st, "table");
	if ((rc = mig_connect(c, st, &s->conn)) != 0)
		return rc;
	if (s->has_table)
		return mig_target_resolve(c, st, s->conn, h->param_str(st, "schema"),
					  h->param_str(st, "table"), &s->t);
	return 0;
}

/* The verify query's first value: 1 true, 0 not, <0 when it fails. */
static int verified(struct mig_ctx *c, struct hinge_step *st, struct sqlstep *s)
{
	PGresult *r = mig_query(c, st, s->conn, s->verify, 0, NULL);
	int rc;

	if (r == NULL)
		return HINGE_EFAIL;
	rc = PQntuples(r) > 0 && PQnfields(r) > 0 && mig_truthy(PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

static int sql_check(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct sqlstep s;
	int rc = sql_open(c, st, &s);

	if (rc == 0)
		rc = mig_parses(c, st, s.conn, "up", s.up);
	if (rc == 0 && s.down != NULL)
		rc = mig_parses(c, st, s.conn, "down", s.down);
	if (rc == 0 && s.verify != NULL)
		rc = mig_parses(c, st, s.conn, "verify", s.verify);
	if (rc == 0)
		rc = mig_window_check(c, st, s.conn);
	if (rc == 0 && !s.has_table) {
		PGresult *r = mig_query(c, st, s.conn, "SELECT current_database()", 0, NULL);

		if (r == NULL || mig_lock_target(s.t.lock, sizeof(s.t.lock),
						 PQgetvalue(r, 0, 0), NULL, NULL) != 0)
			rc = HINGE_EUNAVAIL;
		PQclear(r);
	}
	if (rc == 0) {
		mig_lint_step(c, st, s.up);
		if (s.down != NULL)
			mig_lint_step(c, st, s.down);
		c->host->step_lock_target(st, s.t.lock);
		c->host->step_inverse(st, s.down ? s.down : "none: the step is irreversible");
	}
	sql_close(&s);
	return rc;
}

static int sql_probe(void *data, struct hinge_step *st)
{
	struct sqlstep s;
	int rc = sql_open(data, st, &s);

	if (rc == 0 && s.verify != NULL)
		rc = verified(data, st, &s);
	sql_close(&s);
	return rc;
}

static int sql_capture(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	const char *down = c->host->param_given(st, "down") ? c->host->param_str(st, "down") : "";

	return c->host->artifact_set(st, down, strlen(down));
}

/* The stored down as a string the caller frees ("" for none); NULL on failure. */
static char *stored_down(struct mig_ctx *c, struct hinge_step *st)
{
	const void *buf;
	size_t len;

	if (c->host->artifact_get(st, &buf, &len) != 0)
		return NULL;
	return strndup(buf, len);
}

/* sql_open, and the stored down into *down (freed by the caller). */
static int sql_open_down(struct mig_ctx *c, struct hinge_step *st, struct sqlstep *s,
			 char **down)
{
	int rc = sql_open(c, st, s);

	*down = NULL;
	if (rc == 0 && (*down = stored_down(c, st)) == NULL)
		rc = HINGE_EFAIL;
	return rc;
}

static int sql_rehearse(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct sqlstep s;
	char *down;
	int rc = sql_open_down(c, st, &s, &down);

	if (rc == 0)
		rc = mig_parses(c, st, s.conn, "up", s.up);
	if (rc == 0 && down[0] != '\0')
		rc = mig_parses(c, st, s.conn, "the stored down", down);
	free(down);
	sql_close(&s);
	return rc;
}

/*
 * Run the operator's script; on a named table after the preflight and
 * under the advisory lock, as the typed actions do.  Recorded in history.
 */
static int guarded_exec(struct mig_ctx *c, struct hinge_step *st, struct sqlstep *s,
			const char *script, const char *event)
{
	const struct mig_target *t = s->has_table ? &s->t : NULL;
	int rc = t ? mig_guard_take(c, st, s->conn, t) : 0;

	if (rc != 0)
		return rc;
	rc = mig_exec(c, st, s->conn, script, 1, t, NULL, NULL);
	if (rc == 0)
		mig_history_record(c, s->conn, st, t, "sql", event);
	if (t != NULL)
		mig_guard_release(s->conn, t);
	return rc;
}

static int sql_apply(void *data, struct hinge_step *st)
{
	struct sqlstep s;
	int rc = sql_open(data, st, &s);

	if (rc == 0)
		rc = mig_window_wait(data, st, s.conn);
	if (rc == 0)
		rc = guarded_exec(data, st, &s, s.up, "applied");
	sql_close(&s);
	return rc;
}

static int sql_verify(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct sqlstep s;
	int rc = sql_open(c, st, &s);

	if (rc == 0 && s.verify != NULL) {
		rc = verified(c, st, &s);
		if (rc == 0) {
			c->host->step_error(st, "step \"%s\": the verify query is not true",
					    c->host->step_name(st));
			rc = HINGE_EFAIL;
		} else if (rc == 1) {
			rc = 0;
		}
	}
	sql_close(&s);
	return rc;
}

static int sql_revert(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct sqlstep s;
	char *down;
	int rc = sql_open_down(c, st, &s, &down);

	if (rc == 0 && down[0] == '\0') {
		c->host->step_error(st, "step \"%s\" has no down: it cannot be reverted",
				    c->host->step_name(st));
		rc = HINGE_EFAIL;
	}
	if (rc == 0)
		rc = guarded_exec(c, st, &s, down, "reverted");
	free(down);
	sql_close(&s);
	return rc;
}

int mig_sql_register(struct mig_ctx *c)
{
	const struct hinge_action a = {
		.name = "sql",
		.params = params,
		.flags = HINGE_ACTION_NO_INVERSE,
		.data = c,
		.check = sql_check,
		.probe = sql_probe,
		.capture = sql_capture,
		.rehearse = sql_rehearse,
		.apply = sql_apply,
		.verify = sql_verify,
		.revert = sql_revert,
	};

	return c->host->register_action(c->p, &a);
}
