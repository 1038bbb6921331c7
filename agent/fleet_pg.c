/* fleet_pg.c - statements of the fleet code, errors logged once here. */
#include <string.h>

#include <hinge/plugin.h>

#include "agent/fleet_pg.h"
#include "agent/log.h"

PGresult *fleet_q(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return r;
	hlog(HINGE_LOG_ERROR, "fleet", "%s", strtok(PQerrorMessage(c), "\n"));
	PQclear(r);
	return NULL;
}

int fleet_exec(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = fleet_q(c, sql, n, params);

	PQclear(r);
	return r ? 0 : HINGE_EUNAVAIL;
}
