/* fleet_pg.h - statements of the fleet code, errors logged once here. */
#ifndef HINGE_FLEET_PG_H
#define HINGE_FLEET_PG_H

#include <libpq-fe.h>

/* Run sql with text parameters; the result, or NULL (logged) on error. */
PGresult *fleet_q(PGconn *c, const char *sql, int n, const char *const *params);

/* The same for a statement whose rows do not matter: 0 or HINGE_EUNAVAIL. */
int fleet_exec(PGconn *c, const char *sql, int n, const char *const *params);

#endif
