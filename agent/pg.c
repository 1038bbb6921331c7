/*
 * pg.c - PostgreSQL connections for plugins, and schema `hinge`: the one
 * place in the code that owns it and migrates it by version.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <libpq-events.h>

#include "agent/host.h"
#include "agent/log.h"
#include "agent/pg.h"

/* Arbitrary, fixed: the advisory lock that serialises schema migrations. */
#define HINGE_SCHEMA_LOCK 0x68696e6765LL

/* A socket folder, localhost, or a literal loopback address. */
static int is_local_one(const char *host, size_t len)
{
	char buf[256];
	unsigned char addr[16];

	if (len == 0 || host[0] == '/' || host[0] == '@')
		return 1;
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (strcmp(buf, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, buf, addr) == 1)
		return addr[0] == 127;
	if (inet_pton(AF_INET6, buf, addr) == 1)
		return strcmp(buf, "::1") == 0;
	return 0;
}

/* Every host of a comma-separated list must be local. */
static int is_local_list(const char *hosts)
{
	const char *p = hosts;

	if (hosts == NULL)
		return 1;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!is_local_one(p, len))
			return 0;
		if (p[len] == '\0')
			return 1;
		p += len + 1;
	}
}

/*
 * The open connections whose queries a stopping agent cancels.  PQcancel
 * may be called from any thread, PQgetCancel only by the connection's
 * owner: the cancel object is made at connect (and after a reset) in the
 * owner's thread, and a libpq event procedure drops the entry inside the
 * owner's PQfinish, waiting for a cancel in progress.
 */
struct live_conn {
	PGconn *conn;
	PGcancel *cancel;
	pthread_t owner;
	int on_stop; /* made by a job or service: cancelled when the agent stops */
	struct live_conn *next;
};

static struct live_conn *live;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int cancel_on_stop, in_step;

void pg_thread_cancel_on_stop(int yes)
{
	cancel_on_stop = yes;
}

void pg_thread_in_step(int yes)
{
	in_step = yes;
}

static int on_event(PGEventId id, void *info, void *pass)
{
	struct live_conn **p, *e = NULL;
	PGconn *c;

	(void)pass;
	if (id != PGEVT_CONNDESTROY && id != PGEVT_CONNRESET)
		return 1;
	c = id == PGEVT_CONNDESTROY ? ((PGEventConnDestroy *)info)->conn : ((PGEventConnReset *)info)->conn;
	pthread_mutex_lock(&live_lock);
	for (p = &live; *p != NULL && (*p)->conn != c; p = &(*p)->next)
		;
	if ((e = *p) != NULL) {
		PQfreeCancel(e->cancel);
		e->cancel = NULL;
		if (id == PGEVT_CONNRESET)
			e->cancel = PQgetCancel(c);
		else
			*p = e->next;
	}
	pthread_mutex_unlock(&live_lock);
	if (id == PGEVT_CONNDESTROY)
		free(e);
	return 1;
}

static void watch(PGconn *c)
{
	struct live_conn *e = calloc(1, sizeof(*e));

	if (e == NULL || (e->cancel = PQgetCancel(c)) == NULL ||
	    !PQregisterEventProc(c, on_event, "hinge", NULL)) {
		if (e != NULL)
			PQfreeCancel(e->cancel);
		free(e);
		return;
	}
	e->conn = c;
	e->owner = pthread_self();
	e->on_stop = cancel_on_stop;
	pthread_mutex_lock(&live_lock);
	e->next = live;
	live = e;
	pthread_mutex_unlock(&live_lock);
}

/* Cancel on the connections that on_stop or the owner pick. */
static void cancel_where(int stopping, const pthread_t *owner)
{
	char err[256];

	pthread_mutex_lock(&live_lock);
	for (struct live_conn *e = live; e != NULL; e = e->next)
		if (e->cancel != NULL && ((stopping && e->on_stop) ||
					  (owner != NULL && pthread_equal(e->owner, *owner))) &&
		    !PQcancel(e->cancel, err, sizeof(err)))
			hlog(HINGE_LOG_DEBUG, "hinge", "cannot cancel a query: %s", err);
	pthread_mutex_unlock(&live_lock);
}

void pg_cancel_stopping(void)
{
	cancel_where(1, NULL);
}

void pg_cancel_thread(pthread_t owner)
{
	cancel_where(0, &owner);
}

int pg_connect_as(const char *source, const char *conninfo, PGconn **out)
{
	PQconninfoOption *opts, *o;
	const char *keys[64], *vals[64];
	char appname[96], *err = NULL;
	int n = 0, has_ssl = 0, has_app = 0, has_timeout = 0, has_host = 0, local = 1;
	PGconn *c;

	*out = NULL;
	opts = PQconninfoParse(conninfo ? conninfo : "", &err);
	if (opts == NULL) {
		/* libpq's message quotes the string, password and all: not echoed. */
		hlog(HINGE_LOG_ERROR, source,
		     "conninfo does not parse as key=value pairs or a postgresql:// URI");
		PQfreemem(err);
		return HINGE_EINVAL;
	}
	for (o = opts; o->keyword != NULL && n < 60; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			hlog(HINGE_LOG_ERROR, source,
			     "conninfo carries a password; put it in a password file (passfile or PGPASSFILE) instead");
			PQconninfoFree(opts);
			return HINGE_EINVAL;
		}
		if (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0) {
			local &= is_local_list(o->val);
			has_host = 1;
		}
		has_ssl |= strcmp(o->keyword, "sslmode") == 0;
		has_app |= strcmp(o->keyword, "application_name") == 0;
		has_timeout |= strcmp(o->keyword, "connect_timeout") == 0;
		keys[n] = o->keyword;
		vals[n++] = o->val;
	}
	if (!has_host)
		local = is_local_list(getenv("PGHOSTADDR")) && is_local_list(getenv("PGHOST"));
	if (!has_ssl && !local && getenv("PGSSLMODE") == NULL) {
		keys[n] = "sslmode";
		vals[n++] = "verify-full";
	}
	if (!has_app) {
		snprintf(appname, sizeof(appname), "hinge/%s", source);
		keys[n] = "application_name";
		vals[n++] = appname;
	}
	if (!has_timeout) {
		keys[n] = "connect_timeout";
		vals[n++] = "10";
	}
	keys[n] = vals[n] = NULL;
	c = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(opts);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		hlog(HINGE_LOG_ERROR, source, "could not connect to PostgreSQL: %s",
		     c ? strtok(PQerrorMessage(c), "\n") : "out of memory");
		PQfinish(c);
		return HINGE_EUNAVAIL;
	}
	if (cancel_on_stop || in_step)
		watch(c);
	*out = c;
	return 0;
}

static int run(const char *source, PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		hlog(HINGE_LOG_ERROR, source, "schema hinge: %s", strtok(PQerrorMessage(c), "\n"));
	PQclear(r);
	return ok ? 0 : HINGE_EUNAVAIL;
}

static int current_version(const char *component, PGconn *c)
{
	const char *params[1] = { component };
	PGresult *r = PQexecParams(c, "SELECT version FROM hinge.schema_versions WHERE component = $1",
				   1, NULL, params, NULL, NULL, 0);
	int v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		v = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return v;
}

int pg_schema_migrate(const char *component, PGconn *c, const char *const *migrations)
{
	char sql[128], ver[16];
	const char *params[2];
	int have, want = 0, rc;
	PGresult *r;

	while (migrations != NULL && migrations[want] != NULL)
		want++;
	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%lld)", HINGE_SCHEMA_LOCK);
	if ((rc = run(component, c, sql)) != 0 ||
	    (rc = run(component, c, "CREATE SCHEMA IF NOT EXISTS hinge;"
		      "CREATE TABLE IF NOT EXISTS hinge.schema_versions ("
		      " component text PRIMARY KEY, version integer NOT NULL)")) != 0)
		goto fail;
	have = current_version(component, c);
	if (have < 0) {
		rc = HINGE_EUNAVAIL;
		goto fail;
	}
	if (have > want) {
		hlog(HINGE_LOG_ERROR, component,
		     "schema hinge holds version %d of its tables, newer than this Hinge's %d", have, want);
		rc = HINGE_EINVAL;
		goto fail;
	}
	for (int v = have; v < want; v++)
		if ((rc = run(component, c, migrations[v])) != 0)
			goto fail;
	snprintf(ver, sizeof(ver), "%d", want);
	params[0] = component;
	params[1] = ver;
	r = PQexecParams(c, "INSERT INTO hinge.schema_versions (component, version) VALUES ($1, $2)"
			 " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
			 2, NULL, params, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : HINGE_EUNAVAIL;
	PQclear(r);
	if (rc == 0)
		return run(component, c, "COMMIT");
fail:
	PQclear(PQexec(c, "ROLLBACK"));
	return rc;
}
