/*
 * act_add_column.c - migration.add_column: ADD COLUMN IF NOT EXISTS, with
 * the catalog read first (the statement would queue for an ACCESS
 * EXCLUSIVE lock even when the column is there), a volatile default
 * refused, and the result verified against the catalog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/ddl.h"
#include "plugins/migration/lint.h"
#include "plugins/migration/sqltext.h"

#define TRIAL "pg_temp.hinge_mig_trial"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the table to add the column to" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "column", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the new column's name" },
	{ "type", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "its type, as PostgreSQL spells it" },
	{ "default", HINGE_T_STRING, 0, NULL, 0, 0, "a default expression; must not be volatile" },
	{ "nullable", HINGE_T_BOOL, 0, "true", 0, 0, "false adds NOT NULL (needs a default on a filled table)" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

/* A column as the catalog describes it. */
struct col_spec {
	char *type; /* format_type */
	char *def;  /* pg_get_expr of the default, NULL for none */
	int notnull;
};

struct addcol {
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

static void forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct addcol *a = d->aux;

	(void)live;
	sqlv_addf(out, "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s%s%s%s", rel, a->qcol,
		  a->type, a->def ? " DEFAULT " : "", a->def ? a->def : "",
		  a->notnull ? " NOT NULL" : "");
}

static char *inverse(struct ddl *d, const char *rel)
{
	const struct addcol *a = d->aux;
	char *sql;

	return asprintf(&sql, "ALTER TABLE %s DROP COLUMN IF EXISTS %s", rel, a->qcol) < 0
		       ? NULL : sql;
}

/* The column col of relation rel (regclass text): 1 found, 0 absent, <0. */
static int column_read(struct ddl *d, const char *rel, const char *col, struct col_spec *out)
{
	const char *p[2] = { rel, col };
	PGresult *r = mig_query(d->c, d->st, d->conn,
		"SELECT format_type(a.atttypid, a.atttypmod), pg_get_expr(x.adbin, x.adrelid),"
		" a.attnotnull FROM pg_attribute a LEFT JOIN pg_attrdef x"
		" ON x.adrelid = a.attrelid AND x.adnum = a.attnum"
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
		ddl_error(d, "out of memory reading the catalog");
		return HINGE_ENOMEM;
	}
	return found;
}

static PGresult *relfilenode(struct ddl *d)
{
	const char *p[1] = { TRIAL };

	return mig_query(d->c, d->st, d->conn,
			 "SELECT relfilenode::text FROM pg_class WHERE oid = $1::regclass", 1, p);
}

/*
 * Add the column to an empty temporary table in a transaction that is
 * rolled back: PostgreSQL's own spelling of the type and default becomes
 * what verify expects, and a new relfilenode means the default rewrites.
 */
static int trial(struct ddl *d, struct addcol *a)
{
	struct sqlv ddl = { { NULL }, 0, 0 };
	PGresult *before = NULL, *after = NULL;
	char msg[512];
	int rc = HINGE_EFAIL;

	forward(d, TRIAL, 0, &ddl);
	if (ddl.oom || mig_command(d->c, d->st, d->conn, "BEGIN") != 0)
		goto out;
	if (mig_command(d->c, d->st, d->conn, "CREATE TEMP TABLE hinge_mig_trial ()") != 0 ||
	    (before = relfilenode(d)) == NULL)
		goto rollback;
	if (mig_command(d->c, d->st, d->conn, ddl.s[0]) != 0) {
		ddl_error(d, "column %s %s%s%s is refused by PostgreSQL: %s", a->qcol, a->type,
			  a->def ? " DEFAULT " : "", a->def ? a->def : "",
			  ddl_pq_error(d, msg, sizeof(msg)));
		rc = HINGE_EINVAL;
		goto rollback;
	}
	if ((after = relfilenode(d)) == NULL || column_read(d, TRIAL, a->column, &a->want) != 1)
		goto rollback;
	a->rewrites = strcmp(PQgetvalue(before, 0, 0), PQgetvalue(after, 0, 0)) != 0;
	rc = 0;
rollback:
	mig_command(d->c, NULL, d->conn, "ROLLBACK");
out:
	PQclear(before);
	PQclear(after);
	sqlv_free(&ddl);
	return rc;
}

static void addcol_close(struct ddl *d)
{
	struct addcol *a = d->aux;

	spec_free(&a->want);
	free(a->qcol);
	free(a);
	d->aux = NULL;
}

/* Check the type with a regtype cast, then learn the column's spec. */
static int addcol_open(struct ddl *d)
{
	const struct hinge_host *h = d->c->host;
	struct addcol *a = calloc(1, sizeof(*a));
	const char *p[1];
	PGresult *r;
	char msg[512];

	if ((d->aux = a) == NULL)
		return HINGE_ENOMEM;
	a->column = h->param_str(d->st, "column");
	a->type = h->param_str(d->st, "type");
	a->def = h->param_given(d->st, "default") ? h->param_str(d->st, "default") : NULL;
	a->notnull = !h->param_bool(d->st, "nullable");
	if (a->column == NULL || a->column[0] == '\0' || !mig_type_text_ok(a->type)) {
		ddl_error(d, "%s", a->column == NULL || a->column[0] == '\0'
					   ? "the column name is empty"
					   : "the type holds a comment, a semicolon or a line break");
		return HINGE_EINVAL;
	}
	p[0] = a->type;
	r = PQexecParams(d->conn, "SELECT $1::regtype", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ddl_error(d, "type \"%s\" is not a type PostgreSQL knows: %s", a->type,
			  ddl_pq_error(d, msg, sizeof(msg)));
		PQclear(r);
		return HINGE_EINVAL;
	}
	PQclear(r);
	if ((a->qcol = mig_quote_ident(d->conn, a->column)) == NULL)
		return HINGE_ENOMEM;
	return trial(d, a);
}

static int addcol_check(struct ddl *d)
{
	const struct mig_finding *f = &mig_finding_volatile_default;
	const struct addcol *a = d->aux;

	if (!a->rewrites)
		return 0;
	d->c->host->step_finding(d->st, f->code, f->severity, f->message, f->hint);
	ddl_error(d, "%s; %s", f->message, f->hint);
	return HINGE_EINVAL;
}

static int same_spec(const struct col_spec *x, const struct col_spec *y)
{
	return strcmp(x->type, y->type) == 0 && x->notnull == y->notnull &&
	       ((x->def == NULL && y->def == NULL) ||
		(x->def != NULL && y->def != NULL && strcmp(x->def, y->def) == 0));
}

/*
 * The column on rel against what the step asks for: 1 in place, 0
 * absent; HINGE_EFAIL with the difference named when a different column
 * of that name is there.
 */
static int addcol_state(struct ddl *d, const char *rel)
{
	const struct addcol *a = d->aux;
	struct col_spec live;
	int rc = column_read(d, rel, a->column, &live);

	if (rc == 1 && !same_spec(&live, &a->want)) {
		ddl_error(d, "column %s of %s is %s%s%s%s, the step asks for %s%s%s%s", a->qcol, rel,
			  live.type, live.notnull ? " NOT NULL" : "", live.def ? " DEFAULT " : "",
			  live.def ? live.def : "", a->want.type, a->want.notnull ? " NOT NULL" : "",
			  a->want.def ? " DEFAULT " : "", a->want.def ? a->want.def : "");
		rc = HINGE_EFAIL;
	}
	spec_free(&live);
	return rc;
}

const struct ddl_ops mig_add_column_ops = {
	.name = "add_column",
	.params = params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = addcol_open,
	.check = addcol_check,
	.state = addcol_state,
	.forward = forward,
	.inverse = inverse,
	.close = addcol_close,
};
