/*
 * metric_lock_waiters.c - migration.lock_waiters{table="..."}: sessions
 * waiting for a lock on the table (on any table of the database without
 * the label), so that a gate can hold a rollout while it is contended.
 */
#include <stdlib.h>

#include "plugins/migration/mig.h"

static int lock_waiters_read(void *data, const struct hinge_mquery *q, double *out)
{
	struct mig_ctx *c = data;
	const char *params[1] = { c->host->mq_label(q, "table") };
	PGconn *conn = NULL;
	PGresult *r;
	int rc;

	if ((rc = mig_connect(c, NULL, &conn)) != 0)
		return rc;
	r = mig_query(c, NULL, conn,
		"SELECT $1::text IS NOT NULL AND to_regclass($1) IS NULL,"
		" (SELECT count(DISTINCT l.pid) FROM pg_locks l WHERE NOT l.granted"
		"  AND l.locktype = 'relation'"
		"  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
		"  AND ($1::text IS NULL OR l.relation = to_regclass($1)))",
		1, params);
	if (r == NULL) {
		rc = HINGE_EUNAVAIL;
	} else if (PQgetvalue(r, 0, 0)[0] == 't') {
		c->host->log(c->p, HINGE_LOG_WARNING, "lock_waiters: no table \"%s\"", params[0]);
		rc = HINGE_EINVAL;
	} else {
		*out = strtod(PQgetvalue(r, 0, 1), NULL);
	}
	PQclear(r);
	PQfinish(conn);
	return rc;
}

int mig_lock_waiters_register(struct mig_ctx *c)
{
	const struct hinge_metric m = {
		.name = "lock_waiters",
		.description = "sessions waiting for a lock on table=\"...\" (any table without it)",
		.read = lock_waiters_read,
		.data = c,
	};

	return c->host->register_metric(c->p, &m);
}
