/*
 * act_check.c - migration.add_check: ADD CONSTRAINT ... CHECK NOT VALID
 * (a brief lock, no scan), then VALIDATE CONSTRAINT, which scans under a
 * SHARE UPDATE EXCLUSIVE lock while reads and writes go on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "plugins/migration/ddl.h"

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the table" },
	{ "schema", HINGE_T_STRING, 0, "public", 0, 0, "the table's schema" },
	{ "name", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the constraint's name" },
	{ "check", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the condition, as SQL: \"qty >= 0\"" },
	MIG_WINDOW_PARAM,
	{ NULL },
};

struct chk {
	const char *name, *expr;
	char *qname;
};

static void chk_close(struct ddl *d)
{
	struct chk *k = d->aux;

	free(k->qname);
	free(k);
	d->aux = NULL;
}

static int chk_open(struct ddl *d)
{
	struct chk *k = calloc(1, sizeof(*k));

	if ((d->aux = k) == NULL)
		return HINGE_ENOMEM;
	k->name = d->c->host->param_str(d->st, "name");
	k->expr = d->c->host->param_str(d->st, "check");
	if (k->name == NULL || k->name[0] == '\0' || k->expr == NULL || k->expr[0] == '\0') {
		ddl_error(d, "the constraint needs a name and a check");
		return HINGE_EINVAL;
	}
	return (k->qname = mig_quote_ident(d->conn, k->name)) == NULL ? HINGE_ENOMEM : 0;
}

static int chk_state(struct ddl *d, const char *rel)
{
	const struct chk *k = d->aux;

	return ddl_added_constraint_state(d, rel, k->name, k->qname, 'c', "a check constraint");
}

static void chk_cleanup(struct ddl *d)
{
	const struct chk *k = d->aux;

	ddl_drop_not_valid(d, k->name, k->qname, 'c');
}

static void chk_forward(struct ddl *d, const char *rel, int live, struct sqlv *out)
{
	const struct chk *k = d->aux;

	(void)live;
	sqlv_addf(out, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s, ADD CONSTRAINT %s CHECK (%s) NOT VALID",
		  rel, k->qname, k->qname, k->expr);
	sqlv_addf(out, "ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, k->qname);
}

static char *chk_inverse(struct ddl *d, const char *rel)
{
	const struct chk *k = d->aux;

	return ddl_drop_constraint_sql(rel, k->qname);
}

const struct ddl_ops mig_add_check_ops = {
	.name = "add_check",
	.params = params,
	.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
	.open = chk_open,
	.state = chk_state,
	.forward = chk_forward,
	.inverse = chk_inverse,
	.cleanup = chk_cleanup,
	.close = chk_close,
};
