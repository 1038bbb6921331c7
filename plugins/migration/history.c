/*
 * history.c - the plugin's tables in schema hinge of the target database:
 * migration_history, every applied and reverted step with its artifact's
 * checksum, so that a second host sharing the database sees what was
 * done; migration_backfill, the progress of backfills.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugins/migration/mig.h"

static const char *const pg_migrations[] = {
	"CREATE TABLE hinge.migration_history ("
	" id bigserial PRIMARY KEY,"
	" at timestamptz NOT NULL DEFAULT now(),"
	" host text NOT NULL,"
	" rollout text NOT NULL,"
	" step text NOT NULL,"
	" action text NOT NULL,"
	" target text NOT NULL,"
	" event text NOT NULL CHECK (event IN ('applied', 'reverted')),"
	" artifact_sha256 text)",
	/* a backfill's progress, committed with each batch it describes */
	"CREATE TABLE hinge.migration_backfill ("
	" rollout text NOT NULL,"
	" step text NOT NULL,"
	" last_key text NOT NULL,"
	" rows_done bigint NOT NULL,"
	" PRIMARY KEY (rollout, step))",
	NULL,
};

int mig_pg_tables(struct mig_ctx *c, PGconn *conn)
{
	int rc = c->host->pg_migrate(c->p, conn, pg_migrations);

	if (rc != 0)
		c->host->log(c->p, HINGE_LOG_WARNING, "cannot bring the plugin's tables in schema hinge up to date");
	return rc;
}

void mig_history_record(struct mig_ctx *c, PGconn *conn, struct hinge_step *st,
			const struct mig_target *target, const char *action,
			const char *event)
{
	const struct hinge_host *h = c->host;
	char hostname[256] = "", *artifact = NULL;
	const char *params[7];
	const void *buf;
	size_t len;
	PGresult *r;

	if (mig_pg_tables(c, conn) != 0)
		return;
	gethostname(hostname, sizeof(hostname) - 1);
	if (h->artifact_get(st, &buf, &len) == 0)
		artifact = strndup(buf, len);
	params[0] = hostname;
	params[1] = h->step_rollout(st);
	params[2] = h->step_name(st);
	params[3] = action;
	params[4] = target ? target->lock : "";
	params[5] = event;
	params[6] = artifact;
	r = PQexecParams(conn,
			 "INSERT INTO hinge.migration_history"
			 " (host, rollout, step, action, target, event, artifact_sha256)"
			 " VALUES ($1, $2, $3, $4, $5, $6,"
			 " encode(sha256(convert_to($7::text, 'UTF8')), 'hex'))",
			 7, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		h->log(c->p, HINGE_LOG_WARNING, "cannot record step \"%s\" in hinge.migration_history",
		       h->step_name(st));
	PQclear(r);
	free(artifact);
}

void mig_history_drift(struct mig_ctx *c, PGconn *conn, struct hinge_step *st,
		       const struct mig_target *target, const char *action, int in_place)
{
	const struct hinge_host *h = c->host;
	const char *p[3] = { target->lock, action, h->step_name(st) };
	PGresult *r = PQexec(conn, "SELECT to_regclass('hinge.migration_history') IS NOT NULL");
	char msg[512];
	int have = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';

	PQclear(r);
	if (!have)
		return;
	r = PQexecParams(conn, "SELECT event, at::text, host, rollout FROM hinge.migration_history"
			 " WHERE target = $1 AND action = $2 AND step = $3 ORDER BY id DESC LIMIT 1",
			 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    (strcmp(PQgetvalue(r, 0, 0), "applied") == 0) != (in_place != 0)) {
		snprintf(msg, sizeof(msg),
			 "drift: history says %s at %s by %s (rollout %s), the live catalog says %s",
			 PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
			 PQgetvalue(r, 0, 3), in_place ? "in place" : "not in place");
		h->step_finding(st, "M008", HINGE_SEV_WARNING, msg,
				"someone changed the table by hand or from another tool; check it before going on");
	}
	PQclear(r);
}
