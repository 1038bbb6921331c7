/*
 * act_drop_column.c - migration.drop_column that keeps the data.  Capture
 * copies the primary key and the column into a backup table in schema
 * hinge and takes a checksum of its content; the artifact is the script
 * that puts the column back (type, default, NOT NULL) and restores its
 * values, after checking the backup against that checksum.  The rehearsal
 * runs drop and restore on the copy, which also checks the backup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/ddl.h"
#include "plugins/migration/sqltext.h"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the table" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "column", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the column to drop" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

struct dropcol {
	const char *column;
	char *qcol, *qkey, *keytype;
	char *type, *def; /* the live column, NULL when it is gone */
	int notnull;
	char backup[64];  /* hinge.<backup> */
	char sum[33];     /* md5 of the backup's content, after capture */
};

static void dc_close(struct ddl *d)
{
	struct dropcol *x = d->aux;

	free(x->qcol);
	free(x->qkey);
	free(x->keytype);
	free(x->type);
	free(x->def);
	free(x);
	d->aux = NULL;
}

/*
 * The backup's name: one per rollout, step and column, so that a crash
 * after capture finds the same table again.
 */
static int dc_open(struct ddl *d)
{
	const struct hinge_host *h = d->c->host;
	struct dropcol *x = calloc(1, sizeof(*x));
	const char *p[4];
	PGresult *r;
	int rc;

	if ((d->aux = x) == NULL)
		return HINGE_ENOMEM;
	x->column = h->param_str(d->st, "column");
	if ((x->qcol = mig_quote_ident(d->conn, x->column)) == NULL)
		return HINGE_ENOMEM;
	if ((rc = mig_primary_key(d->c, d->st, d->conn, &d->t, &x->qkey, &x->keytype)) != 0)
		return rc;
	p[0] = d->t.qualified;
	p[1] = x->column;
	p[2] = h->step_rollout(d->st);
	p[3] = h->step_name(d->st);
	r = mig_query(d->c, d->st, d->conn,
		"SELECT 'migration_backup_' || left(md5($3 || '/' || $4 || '/' || $1 || '/' || $2), 16),"
		" format_type(a.atttypid, a.atttypmod), pg_get_expr(x.adbin, x.adrelid), a.attnotnull"
		" FROM (SELECT 1) AS one LEFT JOIN pg_attribute a ON a.attrelid = $1::regclass"
		"  AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped"
		" LEFT JOIN pg_attrdef x ON x.adrelid = a.attrelid AND x.adnum = a.attnum", 4, p);
	if (r == NULL)
		return HINGE_EUNAVAIL;
	snprintf(x->backup, sizeof(x->backup), "%s", PQgetvalue(r, 0, 0));
	if (!PQgetisnull(r, 0, 1)) {
		x->type = strdup(PQgetvalue(r, 0, 1));
		x->def = PQgetisnull(r, 0, 2) ? NULL : strdup(PQgetvalue(r, 0, 2));
		x->notnull = mig_truthy(PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return 0;
}

static int dc_state(struct ddl *d, const char *rel)
{
	const struct dropcol *x = d->aux;
	const char *p[2] = { rel, x->column };
	PGresult *r = mig_query(d->c, d->st, d->conn,
		"SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2"
		" AND attnum > 0 AND NOT attisdropped", 2, p);
	int rc;

	if (r == NULL)
		return HINGE_EFAIL;
	rc = strcmp(PQgetvalue(r, 0, 0), "0") == 0;
	PQclear(r);
	return rc;
}

#define CHECKSUM_SQL \
	"SELECT md5(coalesce(string_agg(quote_nullable(key) || ':' || quote_nullable(value)," \
	" ',' ORDER BY key), '')) FROM hinge.%s"

/* Copy key and column into hinge.<backup>, and take its checksum. */
static int dc_capture(struct ddl *d)
{
	struct dropcol *x = d->aux;
	char *copy = NULL, *sum = NULL;
	PGresult *r;
	int rc = HINGE_ENOMEM;

	if (x->type == NULL) {
		ddl_error(d, "column %s is not in %s: there is nothing to keep", x->qcol, d->t.qualified);
		return HINGE_EFAIL;
	}
	if (mig_pg_tables(d->c, d->conn) != 0)
		return HINGE_EUNAVAIL;
	if (asprintf(&copy, "DROP TABLE IF EXISTS hinge.%s;"
		     " CREATE TABLE hinge.%s AS SELECT %s AS key, %s AS value FROM %s",
		     x->backup, x->backup, x->qkey, x->qcol, d->t.qualified) < 0 ||
	    asprintf(&sum, CHECKSUM_SQL, x->backup) < 0)
		goto out;
	if ((rc = mig_exec(d->c, d->st, d->conn, copy, 1, &d->t, NULL, NULL)) != 0)
		goto out;
	if ((r = mig_query(d->c, d->st, d->conn, sum, 0, NULL)) == NULL) {
		rc = HINGE_EFAIL;
		goto out;
	}
	snprintf(x->sum, sizeof(x->sum), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
out:
	free(copy);
	free(sum);
	return rc;
}

static void dc_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct dropcol *x = d->aux;

	(void)live;
	sqlv_addf(out, "ALTER TABLE %s DROP COLUMN IF EXISTS %s", rel, x->qcol);
}

/*
 * The restore script: the backup checked against its checksum, the
 * column added back, its values restored by key, then its default and
 * NOT NULL.  One transaction: the table is locked while it runs.
 */
static char *dc_inverse(struct ddl *d, const char *rel)
{
	const struct dropcol *x = d->aux;
	char *sql, *def = NULL, *nn = NULL;
	int n;

	if (x->type == NULL)
		return strdup("none needed: the column is not there");
	if (x->def != NULL && asprintf(&def, "; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
				       rel, x->qcol, x->def) < 0)
		return NULL;
	if (x->notnull && asprintf(&nn, "; ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
				   rel, x->qcol) < 0)
		nn = NULL;
	n = asprintf(&sql,
		     "DO $hinge$BEGIN IF (" CHECKSUM_SQL ") IS DISTINCT FROM '%s' THEN"
		     " RAISE EXCEPTION 'backup hinge.%s fails its checksum'; END IF; END$hinge$;"
		     " ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s;"
		     " UPDATE %s AS t SET %s = b.value FROM hinge.%s AS b WHERE t.%s = b.key%s%s",
		     x->backup, x->sum[0] ? x->sum : "(taken at capture)", x->backup, rel, x->qcol,
		     x->type, rel, x->qcol, x->backup, x->qkey, def ? def : "", nn ? nn : "");
	free(def);
	free(nn);
	return n < 0 ? NULL : sql;
}

const struct ddl_ops mig_drop_column_ops = {
	.name = "drop_column",
	.params = params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = dc_open,
	.capture = dc_capture,
	.state = dc_state,
	.forward = dc_forward,
	.inverse = dc_inverse,
	.close = dc_close,
};
