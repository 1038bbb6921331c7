/*
 * act_index.c - migration.create_index and migration.drop_index, built
 * and dropped CONCURRENTLY by default.  A concurrent build that fails
 * leaves an INVALID index behind; it is found and dropped before a retry.
 * On the rehearsal's copy (a temporary table, in a transaction) the same
 * statements run without CONCURRENTLY, the index in pg_temp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/ddl.h"
#include "plugins/migration/sqltext.h"

static const struct hinge_setting create_params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the table to index" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "name", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the index's name" },
	{ "columns", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the indexed columns or expressions, as SQL: \"status, created_at\"" },
	{ "method", HINGE_T_STRING, 0, "btree", 0, 0, "the access method" },
	{ "unique", HINGE_T_BOOL, 0, "false", 0, 0, "a unique index" },
	{ "where", HINGE_T_STRING, 0, NULL, 0, 0, "a predicate for a partial index, as SQL" },
	{ "concurrently", HINGE_T_BOOL, 0, "true", 0, 0,
	  "build without blocking writes (false: faster, blocks writes)" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

static const struct hinge_setting drop_params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the index's table" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "name", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the index to drop" },
	{ "concurrently", HINGE_T_BOOL, 0, "true", 0, 0, "drop without blocking reads and writes" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

struct idx {
	const char *name;
	char *qname, *qschema, *qmethod;
	const char *columns, *where;
	int unique, concurrently;
	char *definition; /* drop_index: " USING ... (...)" of the live index */
};

static void idx_close(struct ddl *d)
{
	struct idx *x = d->aux;

	free(x->qname);
	free(x->qschema);
	free(x->qmethod);
	free(x->definition);
	free(x);
	d->aux = NULL;
}

/* The index qualified for rel: the table's schema, or pg_temp on the copy. */
static const char *idx_schema(struct ddl *d, const char *rel)
{
	const struct idx *x = d->aux;

	return strcmp(rel, d->t.qualified) == 0 ? x->qschema : "pg_temp";
}

static int idx_open_common(struct ddl *d, struct idx **out)
{
	const struct hinge_host *h = d->c->host;
	struct idx *x = calloc(1, sizeof(*x));

	if ((d->aux = *out = x) == NULL)
		return HINGE_ENOMEM;
	x->name = h->param_str(d->st, "name");
	x->concurrently = h->param_bool(d->st, "concurrently");
	if (x->name == NULL || x->name[0] == '\0') {
		ddl_error(d, "the index name is empty");
		return HINGE_EINVAL;
	}
	if ((x->qname = mig_quote_ident(d->conn, x->name)) == NULL ||
	    (x->qschema = mig_quote_ident(d->conn, d->t.schema)) == NULL)
		return HINGE_ENOMEM;
	return 0;
}

static int create_open(struct ddl *d)
{
	const struct hinge_host *h = d->c->host;
	const char *p[1];
	struct idx *x;
	PGresult *r;
	int rc = idx_open_common(d, &x), known;

	if (rc != 0)
		return rc;
	x->columns = h->param_str(d->st, "columns");
	x->where = h->param_given(d->st, "where") ? h->param_str(d->st, "where") : NULL;
	x->unique = h->param_bool(d->st, "unique");
	p[0] = h->param_str(d->st, "method");
	if ((r = mig_query(d->c, d->st, d->conn,
			   "SELECT count(*) FROM pg_am WHERE amname = $1 AND amtype = 'i'", 1, p)) == NULL)
		return HINGE_EUNAVAIL;
	known = strcmp(PQgetvalue(r, 0, 0), "1") == 0;
	PQclear(r);
	if (!known) {
		ddl_error(d, "\"%s\" is not an index access method", p[0]);
		return HINGE_EINVAL;
	}
	if ((x->qmethod = mig_quote_ident(d->conn, p[0])) == NULL)
		return HINGE_ENOMEM;
	return 0;
}

static int create_state(struct ddl *d, const char *rel)
{
	const struct idx *x = d->aux;
	int rc = ddl_index_state(d, rel, x->name);

	return rc == 2 ? 0 : rc;
}

static void drop_leftover(struct ddl *d, struct sqlv *out)
{
	const struct idx *x = d->aux;

	d->c->host->log(d->c->p, HINGE_LOG_NOTICE, "dropping the INVALID index %s.%s a failed build left",
			x->qschema, x->qname);
	sqlv_addf(out, "DROP INDEX %sIF EXISTS %s.%s", x->concurrently ? "CONCURRENTLY " : "",
		  x->qschema, x->qname);
}

/*
 * On the live table: drop the INVALID index a failed build left.  The
 * drop waits for the table's lockers as the build does, so it is retried
 * like any statement whose lock was not granted; a drop skipped here
 * would fail the next build with "already exists".
 */
static void create_cleanup(struct ddl *d)
{
	struct sqlv drop = { { NULL }, 0, 0 };
	struct ddl quiet = *d;

	/* without the step, a failed look goes to the log: the step's error
	 * stays what failed first */
	quiet.st = NULL;
	if (ddl_index_state(&quiet, d->t.qualified, ((const struct idx *)d->aux)->name) != 2)
		return;
	drop_leftover(d, &drop);
	if (!drop.oom)
		mig_exec_cleanup(d->c, d->st, d->conn, drop.s[0], &d->t);
	sqlv_free(&drop);
}

static void create_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct idx *x = d->aux;

	if (live && ddl_index_state(d, rel, x->name) == 2)
		drop_leftover(d, out);
	sqlv_addf(out, "CREATE %sINDEX %s%s ON %s USING %s (%s)%s%s", x->unique ? "UNIQUE " : "",
		  live && x->concurrently ? "CONCURRENTLY " : "", x->qname, rel, x->qmethod,
		  x->columns, x->where ? " WHERE " : "", x->where ? x->where : "");
}

static char *create_inverse(struct ddl *d, const char *rel)
{
	const struct idx *x = d->aux;
	char *sql;

	return asprintf(&sql, "DROP INDEX %sIF EXISTS %s.%s", x->concurrently ? "CONCURRENTLY " : "",
			idx_schema(d, rel), x->qname) < 0 ? NULL : sql;
}

/* The stored statement aimed at the copy: pg_temp, no CONCURRENTLY. */
static char *idx_for_copy(struct ddl *d, const char *text, const char *copyrel)
{
	const struct idx *x = d->aux;
	char *live_idx = NULL, *copy_idx = NULL, *a = NULL, *b = NULL, *out = NULL;

	if (asprintf(&live_idx, "%s.%s", x->qschema, x->qname) < 0)
		live_idx = NULL;
	if (asprintf(&copy_idx, "pg_temp.%s", x->qname) < 0)
		copy_idx = NULL;
	if (live_idx != NULL && copy_idx != NULL &&
	    (a = mig_replace_all(text, d->t.qualified, copyrel)) != NULL &&
	    (b = mig_replace_all(a, live_idx, copy_idx)) != NULL)
		out = mig_replace_all(b, "INDEX CONCURRENTLY ", "INDEX ");
	free(live_idx);
	free(copy_idx);
	free(a);
	free(b);
	return out;
}

const struct ddl_ops mig_create_index_ops = {
	.name = "create_index",
	.params = create_params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = create_open,
	.state = create_state,
	.forward = create_forward,
	.inverse = create_inverse,
	.for_copy = idx_for_copy,
	.cleanup = create_cleanup,
	.cleanup_on_retry = 1,
	.close = idx_close,
};

/* The live index's definition from USING on, and whether it is unique. */
static int drop_open(struct ddl *d)
{
	const char *p[3];
	struct idx *x;
	PGresult *r;
	int rc = idx_open_common(d, &x);

	if (rc != 0)
		return rc;
	p[0] = d->t.qualified;
	p[1] = x->name;
	r = mig_query(d->c, d->st, d->conn,
		"SELECT substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$'), i.indisunique"
		" FROM pg_index i JOIN pg_class k ON k.oid = i.indexrelid"
		" WHERE i.indrelid = $1::regclass AND k.relname = $2", 2, p);
	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (PQntuples(r) == 1) {
		x->unique = mig_truthy(PQgetvalue(r, 0, 1));
		if ((x->definition = strdup(PQgetvalue(r, 0, 0))) == NULL)
			rc = HINGE_ENOMEM;
	}
	PQclear(r);
	return rc;
}

static int drop_state(struct ddl *d, const char *rel)
{
	const struct idx *x = d->aux;
	int rc = ddl_index_state(d, rel, x->name);

	return rc < 0 ? rc : rc == 0;
}

static void drop_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct idx *x = d->aux;

	sqlv_addf(out, "DROP INDEX %sIF EXISTS %s.%s", live && x->concurrently ? "CONCURRENTLY " : "",
		  idx_schema(d, rel), x->qname);
}

/*
 * The index as it is now, rebuilt concurrently.  Once it is gone the
 * stored artifact is the only place that knows it; an index that is not
 * there leaves the step applied (probe), so nothing is captured.
 */
static char *drop_inverse(struct ddl *d, const char *rel)
{
	const struct idx *x = d->aux;
	char *sql;

	if (x->definition == NULL)
		return strdup("none needed: the index is not there");
	return asprintf(&sql, "CREATE %sINDEX CONCURRENTLY %s ON %s%s", x->unique ? "UNIQUE " : "",
			x->qname, rel, x->definition) < 0 ? NULL : sql;
}

const struct ddl_ops mig_drop_index_ops = {
	.name = "drop_index",
	.params = drop_params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = drop_open,
	.state = drop_state,
	.forward = drop_forward,
	.inverse = drop_inverse,
	.for_copy = idx_for_copy,
	.close = idx_close,
};
