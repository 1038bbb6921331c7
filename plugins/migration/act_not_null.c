/*
 * act_not_null.c - migration.set_not_null the online way and
 * migration.drop_not_null.  SET NOT NULL alone scans the table under an
 * ACCESS EXCLUSIVE lock; instead a CHECK (col IS NOT NULL) is added NOT
 * VALID (a brief lock), validated (SHARE UPDATE EXCLUSIVE: reads and
 * writes go on), and SET NOT NULL then trusts it without a scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/ddl.h"
#include "plugins/migration/sqltext.h"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the column's table" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "column", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the column" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

struct nn {
	const char *column;
	char *qcol;
	char check[64]; /* the temporary constraint's name */
	char *qcheck;
};

static void nn_close(struct ddl *d)
{
	struct nn *n = d->aux;

	free(n->qcol);
	free(n->qcheck);
	free(n);
	d->aux = NULL;
}

/* 1 when the column of rel is NOT NULL, 0 when not, <0 on error. */
static int notnull(struct ddl *d, const char *rel)
{
	const struct nn *n = d->aux;
	const char *p[2] = { rel, n->column };
	PGresult *r = mig_query(d->c, d->st, d->conn,
		"SELECT attnotnull FROM pg_attribute WHERE attrelid = $1::regclass"
		" AND attname = $2 AND attnum > 0 AND NOT attisdropped", 2, p);
	int rc;

	if (r == NULL)
		return HINGE_EFAIL;
	if (PQntuples(r) == 0) {
		ddl_error(d, "column \"%s\" does not exist in %s", n->column, rel);
		rc = HINGE_EINVAL;
	} else {
		rc = mig_truthy(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

static int nn_open(struct ddl *d)
{
	struct nn *n = calloc(1, sizeof(*n));
	int rc;

	if ((d->aux = n) == NULL)
		return HINGE_ENOMEM;
	n->column = d->c->host->param_str(d->st, "column");
	/* PostgreSQL cuts names at 63 bytes: cut it here so that DROP matches */
	snprintf(n->check, sizeof(n->check), "hinge_nn_%s", n->column ? n->column : "");
	if (n->column == NULL || (n->qcol = mig_quote_ident(d->conn, n->column)) == NULL ||
	    (n->qcheck = mig_quote_ident(d->conn, n->check)) == NULL)
		return HINGE_ENOMEM;
	rc = notnull(d, d->t.qualified);
	return rc < 0 ? rc : 0;
}

static int set_state(struct ddl *d, const char *rel)
{
	return notnull(d, rel);
}

static int drop_state(struct ddl *d, const char *rel)
{
	int rc = notnull(d, rel);

	return rc < 0 ? rc : !rc;
}

/* The NOT VALID check a failed validation leaves on the live table. */
static void set_cleanup(struct ddl *d)
{
	const struct nn *n = d->aux;

	ddl_drop_not_valid(d, n->check, n->qcheck, 'c');
}

static void set_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct nn *n = d->aux;

	(void)live;
	sqlv_addf(out, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s,"
		  " ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID", rel, n->qcheck, n->qcheck,
		  n->qcol);
	sqlv_addf(out, "ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, n->qcheck);
	sqlv_addf(out, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", rel, n->qcol);
	sqlv_addf(out, "ALTER TABLE %s DROP CONSTRAINT %s", rel, n->qcheck);
}

static char *set_inverse(struct ddl *d, const char *rel)
{
	const struct nn *n = d->aux;
	char *sql;

	return asprintf(&sql, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", rel, n->qcol) < 0
		       ? NULL : sql;
}

static void drop_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	(void)live;
	out->s[out->n] = set_inverse(d, rel);
	if (out->s[out->n] == NULL)
		out->oom = 1;
	else
		out->n++;
}

/*
 * Putting NOT NULL back: one statement, so that the revert is one
 * transaction; it scans the table under its lock.
 */
static char *drop_inverse(struct ddl *d, const char *rel)
{
	const struct nn *n = d->aux;
	char *sql;

	return asprintf(&sql, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", rel, n->qcol) < 0
		       ? NULL : sql;
}

const struct ddl_ops mig_set_not_null_ops = {
	.name = "set_not_null",
	.params = params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = nn_open,
	.state = set_state,
	.forward = set_forward,
	.inverse = set_inverse,
	.cleanup = set_cleanup,
	.close = nn_close,
};

const struct ddl_ops mig_drop_not_null_ops = {
	.name = "drop_not_null",
	.params = params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = nn_open,
	.state = drop_state,
	.forward = drop_forward,
	.inverse = drop_inverse,
	.close = nn_close,
};
