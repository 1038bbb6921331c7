/* pg.h - PostgreSQL connections and schema `hinge` migrations. */
#ifndef HINGE_PG_H
#define HINGE_PG_H

#include <libpq-fe.h>

/*
 * Connect as source (a plugin name or "hinge"), applying Hinge's rules:
 * no password in the conninfo, sslmode=verify-full for a remote host
 * unless given, application_name "hinge/<source>".  0, HINGE_EINVAL or
 * HINGE_EUNAVAIL; *out is closed by the caller with PQfinish.
 */
int pg_connect_as(const char *source, const char *conninfo, PGconn **out);

/*
 * Bring component's tables in schema hinge to the version its migrations
 * reach, in one transaction under an advisory lock.
 */
int pg_schema_migrate(const char *component, PGconn *c,
		      const char *const *migrations);

#endif
