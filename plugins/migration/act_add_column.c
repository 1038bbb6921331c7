/*
 * act_add_column.c - migration.add_column: ADD COLUMN IF NOT EXISTS, with
 * the catalog read first (the statement would queue for an ACCESS
 * EXCLUSIVE lock even when the column is there), a volatile default
 * refused, and the result verified against the catalog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/fingerprint.h"
#include "plugins/migration/lint.h"
#include "plugins/migration/mig.h"
#include "plugins/migration/sqltext.h"

#define TRIAL "pg_temp.hinge_mig_trial"
#define REHEARSAL "pg_temp.hinge_mig_rehearse"
#define ADD_FMT "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s%s%s%s"
#define DROP_FMT "ALTER TABLE %s DROP COLUMN IF EXISTS %s"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the table to add the column to" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "column", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the new column's name" },
	{ "type", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "its type, as PostgreSQL spells it" },
	{ "default", HINGE_T_STRING, 0, NULL, 0, 0, "a default expression; must not be volatile" },
	{ "nullable", HINGE_T_BOOL, 0, "true", 0, 0, "false adds NOT NULL (needs a default on a filled table)" },
	{ NULL },
};

/* A column as the catalog describes it. */
struct col_spec {
	char *type; /* format_type */
	char *def;  /* pg_get_expr of the default, NULL for none */
	int notnull;
};

struct addcol {
	PGconn *conn;
	struct mig_target t;
	const char *column, *type, *def;
	int notnull;
	char *qcol;
	struct col_spec want; /* what the column must look like */
	int rewrites;         /* adding it rewrites the table */
};

static void spec_free(struct col_spec *s)
{
	free(s->type);
	free(s->def);
	memset(s, 0, sizeof(*s));
}

/* "ALTER TABLE rel ADD COLUMN IF NOT EXISTS col type [DEFAULT d] [NOT NULL]" */
static char *forward_ddl(const struct addcol *a, const char *rel)
{
	size_t n = sizeof(ADD_FMT) + strlen(rel) + strlen(a->qcol) + strlen(a->type) +
		   (a->def ? strlen(a->def) : 0) + 32;
	char *sql = malloc(n);

	if (sql != NULL)
		snprintf(sql, n, ADD_FMT, rel, a->qcol, a->type, a->def ? " DEFAULT " : "",
			 a->def ? a->def : "", a->notnull ? " NOT NULL" : "");
	return sql;
}

static char *inverse_ddl(const struct addcol *a, const char *rel)
{
	size_t n = sizeof(DROP_FMT) + strlen(rel) + strlen(a->qcol) + 1;
	char *sql = malloc(n);

	if (sql != NULL)
		snprintf(sql, n, DROP_FMT, rel, a->qcol);
	return sql;
}

/* The column col of relation rel (regclass text): 1 found, 0 absent, <0. */
static int column_read(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		       const char *rel, const char *col, struct col_spec *out)
{
	const char *p[2] = { rel, col };
	PGresult *r = mig_query(c, st, conn,
		"SELECT format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid),"
		" a.attnotnull FROM pg_attribute a LEFT JOIN pg_attrdef d"
		" ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
		" WHERE a.attrelid = $1::regclass AND a.attname = $2 AND a.attnum > 0"
		" AND NOT a.attisdropped", 2, p);
	int found;

	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return HINGE_EFAIL;
	found = PQntuples(r) == 1;
	if (found) {
		out->type = strdup(PQgetvalue(r, 0, 0));
		out->def = PQgetisnull(r, 0, 1) ? NULL : strdup(PQgetvalue(r, 0, 1));
		out->notnull = mig_truthy(PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	if (found && out->type == NULL) {
		c->host->step_error(st, "out of memory reading the catalog");
		return HINGE_ENOMEM;
	}
	return found;
}

static PGresult *relfilenode(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
			     const char *rel)
{
	const char *p[1] = { rel };

	return mig_query(c, st, conn,
			 "SELECT relfilenode::text FROM pg_class WHERE oid = $1::regclass", 1, p);
}

/*
 * Add the column to an empty temporary table in a transaction that is
 * rolled back: PostgreSQL's own spelling of the type and default becomes
 * what verify expects, and a new relfilenode means the default rewrites.
 */
static int trial(struct mig_ctx *c, struct hinge_step *st, struct addcol *a)
{
	PGresult *before = NULL, *after = NULL;
	char *ddl = forward_ddl(a, TRIAL);
	int rc = HINGE_EFAIL;

	if (ddl == NULL)
		return HINGE_ENOMEM;
	if (mig_command(c, st, a->conn, "BEGIN") != 0)
		goto out;
	if (mig_command(c, st, a->conn, "CREATE TEMP TABLE hinge_mig_trial ()") != 0 ||
	    (before = relfilenode(c, st, a->conn, TRIAL)) == NULL)
		goto rollback;
	if (mig_command(c, st, a->conn, ddl) != 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(a->conn));
		msg[strcspn(msg, "\n")] = '\0';
		c->host->step_error(st, "step \"%s\": column %s %s%s%s is refused by PostgreSQL: %s",
				    c->host->step_name(st), a->qcol, a->type,
				    a->def ? " DEFAULT " : "", a->def ? a->def : "", msg);
		rc = HINGE_EINVAL;
		goto rollback;
	}
	if ((after = relfilenode(c, st, a->conn, TRIAL)) == NULL ||
	    column_read(c, st, a->conn, TRIAL, a->column, &a->want) != 1)
		goto rollback;
	a->rewrites = strcmp(PQgetvalue(before, 0, 0), PQgetvalue(after, 0, 0)) != 0;
	rc = 0;
rollback:
	mig_command(c, NULL, a->conn, "ROLLBACK");
out:
	PQclear(before);
	PQclear(after);
	free(ddl);
	return rc;
}

static void addcol_close(struct addcol *a)
{
	spec_free(&a->want);
	mig_target_free(&a->t);
	free(a->qcol);
	if (a->conn != NULL)
		PQfinish(a->conn);
}

/* Connect, resolve the table, check the type and learn the column's spec. */
static int addcol_open(struct mig_ctx *c, struct hinge_step *st, struct addcol *a)
{
	const struct hinge_host *h = c->host;
	const char *p[1];
	PGresult *r;
	int rc;

	memset(a, 0, sizeof(*a));
	a->column = h->param_str(st, "column");
	a->type = h->param_str(st, "type");
	a->def = h->param_given(st, "default") ? h->param_str(st, "default") : NULL;
	a->notnull = !h->param_bool(st, "nullable");
	if (a->column == NULL || a->column[0] == '\0' || !mig_type_text_ok(a->type)) {
		h->step_error(st, "step \"%s\": %s", h->step_name(st),
			      a->column == NULL || a->column[0] == '\0'
				      ? "the column name is empty"
				      : "the type holds a comment, a semicolon or a line break");
		return HINGE_EINVAL;
	}
	if ((rc = mig_connect(c, st, &a->conn)) != 0)
		return rc;
	if ((rc = mig_target_resolve(c, st, a->conn, h->param_str(st, "schema"),
				     h->param_str(st, "table"), &a->t)) != 0)
		return rc;
	p[0] = a->type;
	r = PQexecParams(a->conn, "SELECT $1::regtype", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		h->step_error(st, "step \"%s\": type \"%s\" is not a type PostgreSQL knows: %s",
			      h->step_name(st), a->type,
			      PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(r);
		return HINGE_EINVAL;
	}
	PQclear(r);
	if ((a->qcol = mig_quote_ident(a->conn, a->column)) == NULL) {
		h->step_error(st, "step \"%s\": cannot quote the column name", h->step_name(st));
		return HINGE_EINVAL;
	}
	return trial(c, st, a);
}

static int same_spec(const struct col_spec *x, const struct col_spec *y)
{
	return strcmp(x->type, y->type) == 0 && x->notnull == y->notnull &&
	       ((x->def == NULL && y->def == NULL) ||
		(x->def != NULL && y->def != NULL && strcmp(x->def, y->def) == 0));
}

/*
 * The live column against what the step asks for: 1 in place, 0 absent;
 * HINGE_EFAIL with the difference named when a different column of that
 * name is there.
 */
static int live_state(struct mig_ctx *c, struct hinge_step *st, struct addcol *a)
{
	struct col_spec live;
	int rc = column_read(c, st, a->conn, a->t.qualified, a->column, &live);

	if (rc == 1 && !same_spec(&live, &a->want)) {
		c->host->step_error(st,
			"step \"%s\": column %s of %s is %s%s%s%s, the step asks for %s%s%s%s",
			c->host->step_name(st), a->qcol, a->t.qualified, live.type,
			live.notnull ? " NOT NULL" : "", live.def ? " DEFAULT " : "",
			live.def ? live.def : "", a->want.type, a->want.notnull ? " NOT NULL" : "",
			a->want.def ? " DEFAULT " : "", a->want.def ? a->want.def : "");
		rc = HINGE_EFAIL;
	}
	spec_free(&live);
	return rc;
}

static int addcol_check(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct addcol a;
	char *inv;
	int rc = addcol_open(c, st, &a);

	if (rc == 0 && a.rewrites) {
		const struct mig_finding *f = &mig_finding_volatile_default;

		c->host->step_finding(st, f->code, f->severity, f->message, f->hint);
		c->host->step_error(st, "step \"%s\": %s; %s", c->host->step_name(st),
				    f->message, f->hint);
		rc = HINGE_EINVAL;
	}
	if (rc == 0 && (rc = live_state(c, st, &a)) == HINGE_EFAIL)
		rc = HINGE_EINVAL;
	if (rc >= 0) {
		rc = 0;
		c->host->step_lock_target(st, a.t.lock);
		if ((inv = inverse_ddl(&a, a.t.qualified)) == NULL)
			rc = HINGE_ENOMEM;
		else
			c->host->step_inverse(st, inv);
		free(inv);
	}
	addcol_close(&a);
	return rc;
}

static int addcol_probe(void *data, struct hinge_step *st)
{
	struct addcol a;
	int rc = addcol_open(data, st, &a);

	if (rc == 0)
		rc = live_state(data, st, &a);
	addcol_close(&a);
	return rc;
}

static int addcol_capture(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct addcol a;
	char *inv = NULL;
	int rc = addcol_open(c, st, &a);

	if (rc == 0 && (inv = inverse_ddl(&a, a.t.qualified)) == NULL)
		rc = HINGE_ENOMEM;
	if (rc == 0)
		rc = c->host->artifact_set(st, inv, strlen(inv));
	free(inv);
	addcol_close(&a);
	return rc;
}

/* The stored inverse, written for the live table, aimed at the copy. */
static char *rehearsal_inverse(struct mig_ctx *c, struct hinge_step *st,
			       const struct addcol *a)
{
	const void *buf;
	size_t len;
	char *text, *inv;

	if (c->host->artifact_get(st, &buf, &len) != 0)
		return NULL;
	if ((text = strndup(buf, len)) == NULL)
		return NULL;
	inv = mig_replace_all(text, a->t.qualified, REHEARSAL);
	free(text);
	return inv;
}

/*
 * On a copy of the table's definition, in a transaction that is rolled
 * back: apply, check the column, revert with the artifact, and compare the
 * catalog fingerprint with the one before.  When the live table has the
 * column already (a warm re-rehearsal after apply), the artifact is run
 * first to get back to the table as it was.
 */
static int rehearse_on_copy(struct mig_ctx *c, struct hinge_step *st, struct addcol *a,
			    const char *fwd, const char *inv)
{
	char *fp0 = NULL, *fp1 = NULL, diff[1024];
	struct col_spec got;
	int rc = HINGE_EFAIL, n;
	size_t len = strlen(a->t.qualified) + 80;
	char *create = malloc(len);

	if (create == NULL)
		return HINGE_ENOMEM;
	snprintf(create, len, "CREATE TEMP TABLE hinge_mig_rehearse (LIKE %s INCLUDING ALL)",
		 a->t.qualified);
	if (mig_command(c, st, a->conn, "BEGIN") != 0)
		goto out;
	if (mig_command(c, st, a->conn, create) != 0)
		goto rollback;
	if ((n = column_read(c, st, a->conn, REHEARSAL, a->column, &got)) < 0)
		goto rollback;
	spec_free(&got);
	if (n == 1 && mig_command(c, st, a->conn, inv) != 0)
		goto rollback;
	if ((fp0 = mig_fingerprint(c, st, a->conn, REHEARSAL)) == NULL ||
	    mig_command(c, st, a->conn, fwd) != 0)
		goto rollback;
	n = column_read(c, st, a->conn, REHEARSAL, a->column, &got);
	if (n == 1 && !same_spec(&got, &a->want))
		n = 0;
	spec_free(&got);
	if (n != 1) {
		c->host->step_error(st, "rehearsal of step \"%s\": the column is not as asked after apply",
				    c->host->step_name(st));
		goto rollback;
	}
	if (mig_command(c, st, a->conn, inv) != 0 ||
	    (fp1 = mig_fingerprint(c, st, a->conn, REHEARSAL)) == NULL)
		goto rollback;
	if (mig_fingerprint_diff(fp0, fp1, diff, sizeof(diff)) != 0) {
		c->host->step_error(st, "rehearsal of step \"%s\": revert does not restore the table (%s)",
				    c->host->step_name(st), diff);
		goto rollback;
	}
	rc = 0;
rollback:
	mig_command(c, NULL, a->conn, "ROLLBACK");
out:
	free(create);
	free(fp0);
	free(fp1);
	return rc;
}

static int addcol_rehearse(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct addcol a;
	char *fwd = NULL, *inv = NULL;
	int rc = addcol_open(c, st, &a);

	if (rc == 0 && ((fwd = forward_ddl(&a, REHEARSAL)) == NULL ||
			(inv = rehearsal_inverse(c, st, &a)) == NULL))
		rc = HINGE_EFAIL;
	if (rc == 0)
		rc = rehearse_on_copy(c, st, &a, fwd, inv);
	free(fwd);
	free(inv);
	addcol_close(&a);
	return rc;
}

static int addcol_apply(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct addcol a;
	char *ddl = NULL;
	int rc = addcol_open(c, st, &a);

	if (rc == 0 && (rc = live_state(c, st, &a)) == 0) {
		if ((ddl = forward_ddl(&a, a.t.qualified)) == NULL)
			rc = HINGE_ENOMEM;
		else
			rc = mig_exec(c, st, a.conn, ddl, 0, &a.t);
	}
	if (rc == 1)
		rc = 0;
	free(ddl);
	addcol_close(&a);
	return rc;
}

static int addcol_verify(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct addcol a;
	int rc = addcol_open(c, st, &a);

	if (rc == 0 && (rc = live_state(c, st, &a)) == 0) {
		c->host->step_error(st, "step \"%s\": column %s is missing from %s",
				    c->host->step_name(st), a.qcol, a.t.qualified);
		rc = HINGE_EFAIL;
	}
	if (rc == 1)
		rc = 0;
	addcol_close(&a);
	return rc;
}

static int addcol_revert(void *data, struct hinge_step *st)
{
	struct mig_ctx *c = data;
	struct addcol a;
	const void *buf;
	size_t len;
	char *inv = NULL;
	struct col_spec live;
	int rc = addcol_open(c, st, &a);

	if (rc == 0)
		rc = column_read(c, st, a.conn, a.t.qualified, a.column, &live);
	if (rc == 1) {
		spec_free(&live);
		rc = c->host->artifact_get(st, &buf, &len);
		if (rc == 0 && (inv = strndup(buf, len)) == NULL)
			rc = HINGE_ENOMEM;
		if (rc == 0)
			rc = mig_exec(c, st, a.conn, inv, 0, &a.t);
	}
	free(inv);
	addcol_close(&a);
	return rc;
}

int mig_add_column_register(struct mig_ctx *c)
{
	const struct hinge_action a = {
		.name = "add_column",
		.params = params,
		.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
		.data = c,
		.check = addcol_check,
		.probe = addcol_probe,
		.capture = addcol_capture,
		.rehearse = addcol_rehearse,
		.apply = addcol_apply,
		.verify = addcol_verify,
		.revert = addcol_revert,
	};

	return c->host->register_action(c->p, &a);
}
