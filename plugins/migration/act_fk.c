/*
 * act_fk.c - migration.add_foreign_key: ADD CONSTRAINT ... FOREIGN KEY
 * NOT VALID (a brief SHARE ROW EXCLUSIVE lock on both tables, no scan),
 * then VALIDATE CONSTRAINT, which scans under SHARE UPDATE EXCLUSIVE
 * while reads and writes go on.  A validation that fails (a row without
 * its referenced row) leaves nothing behind: the NOT VALID constraint is
 * dropped.
 *
 * On the rehearsal's copy (a temporary table) the key must reference a
 * temporary table too, PostgreSQL allows nothing else: the referenced
 * table is copied alongside, LIKE ... INCLUDING ALL (its keys with it),
 * unless the key references the table itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugins/migration/ddl.h"

#define FK_REF_COPY "pg_temp.hinge_fk_ref"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the referencing table" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "name", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the constraint's name" },
	{ "columns", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the referencing columns' names, comma-separated: \"customer_id\"" },
	{ "ref_table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the referenced table" },
	{ "ref_schema", HINGE_T_STRING, 0, "public", 0, 0, "the referenced table's schema" },
	{ "ref_columns", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the referenced columns' names, comma-separated, as many as columns: \"id\"" },
	{ "on_delete", HINGE_T_STRING, 0, "no action", 0, 0,
	  "no action, restrict, cascade, set null or set default" },
	{ "on_update", HINGE_T_STRING, 0, "no action", 0, 0,
	  "no action, restrict, cascade, set null or set default" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

static const char *const referential_actions[] = {
	"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT",
};

struct fk {
	const char *name;
	char *qname;
	char *cols, *refcols;  /* quoted, comma-separated */
	struct mig_target ref; /* the referenced table */
	const char *on_delete, *on_update; /* from referential_actions */
};

static void fk_close(struct ddl *d)
{
	struct fk *k = d->aux;

	free(k->qname);
	free(k->cols);
	free(k->refcols);
	mig_target_free(&k->ref);
	free(k);
	d->aux = NULL;
}

/* The referential action a parameter names, as SQL; NULL when unknown. */
static const char *referential(struct ddl *d, const char *key)
{
	const char *v = d->c->host->param_str(d->st, key);

	for (size_t i = 0; v != NULL && i < sizeof(referential_actions) / sizeof(*referential_actions); i++)
		if (strcasecmp(v, referential_actions[i]) == 0)
			return referential_actions[i];
	ddl_error(d, "%s \"%s\" is none of no action, restrict, cascade, set null, set default",
		  key, v ? v : "");
	return NULL;
}

/*
 * The comma-separated column names of parameter key, each a column of
 * rel, quoted by PostgreSQL and joined into *out; their number in *n.
 */
static int columns(struct ddl *d, const char *rel, const char *key, char **out, int *n)
{
	const char *p[2] = { rel, d->c->host->param_str(d->st, key) };
	PGresult *r = mig_query(d->c, d->st, d->conn,
		"SELECT string_agg(quote_ident(t.n), ', ' ORDER BY s.o), count(*),"
		" string_agg(CASE WHEN a.attnum IS NULL THEN '\"' || t.n || '\"' END, ', ')"
		" FROM unnest(string_to_array($2, ',')) WITH ORDINALITY AS s(raw, o)"
		" CROSS JOIN LATERAL (SELECT btrim(s.raw) AS n) t"
		" LEFT JOIN pg_attribute a ON a.attrelid = $1::regclass AND a.attname = t.n"
		" AND a.attnum > 0 AND NOT a.attisdropped", 2, p);
	int rc = 0;

	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (!PQgetisnull(r, 0, 2)) {
		ddl_error(d, "%s: no column %s in %s", key, PQgetvalue(r, 0, 2), rel);
		rc = HINGE_EINVAL;
	} else if (PQgetisnull(r, 0, 0)) {
		ddl_error(d, "%s names no column", key);
		rc = HINGE_EINVAL;
	} else if ((*out = strdup(PQgetvalue(r, 0, 0))) == NULL) {
		rc = HINGE_ENOMEM;
	}
	*n = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	return rc;
}

static int fk_open(struct ddl *d)
{
	const struct hinge_host *h = d->c->host;
	struct fk *k = calloc(1, sizeof(*k));
	int rc, n, nref;

	if ((d->aux = k) == NULL)
		return HINGE_ENOMEM;
	k->name = h->param_str(d->st, "name");
	if (k->name == NULL || k->name[0] == '\0') {
		ddl_error(d, "the constraint's name is empty");
		return HINGE_EINVAL;
	}
	if ((k->qname = mig_quote_ident(d->conn, k->name)) == NULL)
		return HINGE_ENOMEM;
	if ((k->on_delete = referential(d, "on_delete")) == NULL ||
	    (k->on_update = referential(d, "on_update")) == NULL)
		return HINGE_EINVAL;
	if ((rc = mig_target_resolve(d->c, d->st, d->conn, h->param_str(d->st, "ref_schema"),
				     h->param_str(d->st, "ref_table"), &k->ref)) != 0 ||
	    (rc = columns(d, d->t.qualified, "columns", &k->cols, &n)) != 0 ||
	    (rc = columns(d, k->ref.qualified, "ref_columns", &k->refcols, &nref)) != 0)
		return rc;
	if (n != nref) {
		ddl_error(d, "%d column%s reference%s %d ref_column%s", n, n > 1 ? "s" : "",
			  n > 1 ? "" : "s", nref, nref > 1 ? "s" : "");
		return HINGE_EINVAL;
	}
	return 0;
}

static int fk_state(struct ddl *d, const char *rel)
{
	const struct fk *k = d->aux;

	return ddl_added_constraint_state(d, rel, k->name, k->qname, 'f', "a foreign key");
}

/* The NOT VALID key a failed validation leaves on the live table. */
static void fk_cleanup(struct ddl *d)
{
	const struct fk *k = d->aux;

	ddl_drop_not_valid(d, k->name, k->qname, 'f');
}

static void fk_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct fk *k = d->aux;
	const char *ref = k->ref.qualified;

	if (!live && strcmp(ref, d->t.qualified) == 0) {
		ref = rel;
	} else if (!live) {
		sqlv_addf(out, "CREATE TEMP TABLE IF NOT EXISTS %s (LIKE %s INCLUDING ALL)",
			  FK_REF_COPY, ref);
		ref = FK_REF_COPY;
	}
	sqlv_addf(out, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s, ADD CONSTRAINT %s"
		  " FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s ON UPDATE %s NOT VALID",
		  rel, k->qname, k->qname, k->cols, ref, k->refcols, k->on_delete, k->on_update);
	sqlv_addf(out, "ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, k->qname);
}

static char *fk_inverse(struct ddl *d, const char *rel)
{
	const struct fk *k = d->aux;

	return ddl_drop_constraint_sql(rel, k->qname);
}

const struct ddl_ops mig_add_foreign_key_ops = {
	.name = "add_foreign_key",
	.params = params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = fk_open,
	.state = fk_state,
	.forward = fk_forward,
	.inverse = fk_inverse,
	.cleanup = fk_cleanup,
	.close = fk_close,
};
