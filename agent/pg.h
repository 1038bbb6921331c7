/* pg.h - PostgreSQL connections and schema `hinge` migrations. */
#ifndef HINGE_PG_H
#define HINGE_PG_H

#include <pthread.h>

#include <libpq-fe.h>

/*
 * Connect as source (a plugin name or "hinge"), applying Hinge's rules:
 * no password in the conninfo, sslmode=verify-full for a remote host
 * unless given, application_name "hinge/<source>".  0, HINGE_EINVAL or
 * HINGE_EUNAVAIL; *out is closed by the caller with PQfinish.
 */
int pg_connect_as(const char *source, const char *conninfo, PGconn **out);

/*
 * Connections made by the calling thread from now on are cancelled by
 * pg_cancel_stopping (the daemon's job and service threads say so; the
 * engine's are left to finish, their rollouts being crash-safe).
 */
void pg_thread_cancel_on_stop(int yes);

/* Cancel the query in flight on every such connection still open. */
void pg_cancel_stopping(void);

/*
 * Connections made by the calling thread while in_step (an action's
 * callback with a timeout runs) can be cancelled by pg_cancel_thread:
 * the engine's watchdog does at the step's deadline.
 */
void pg_thread_in_step(int yes);
void pg_cancel_thread(pthread_t owner);

/*
 * Bring component's tables in schema hinge to the version its migrations
 * reach, in one transaction under an advisory lock.
 */
int pg_schema_migrate(const char *component, PGconn *c,
		      const char *const *migrations);

#endif
