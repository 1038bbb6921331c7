/*
 * pgconn.c - connections to the target database and the statements run
 * on it: session timeouts, lock retries with backoff, blocker reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/backoff.h"
#include "plugins/migration/fingerprint.h"
#include "plugins/migration/lint.h"
#include "plugins/migration/mig.h"
#include "plugins/migration/sqltext.h"

#define SQLSTATE_LOCK_NOT_AVAILABLE "55P03"
#define SYNTAX_FMT "CREATE FUNCTION pg_temp.hinge_mig_syntax() RETURNS void" \
	" LANGUAGE plpgsql AS %sBEGIN\n%s;\nEND%s"

/* The step's error when there is a step, the log otherwise. */
#define FAIL(c, st, ...) \
	do { \
		if ((st) != NULL) \
			(c)->host->step_error((st), __VA_ARGS__); \
		else \
			(c)->host->log((c)->p, HINGE_LOG_ERROR, __VA_ARGS__); \
	} while (0)

/* The first line of a libpq message, which ends with a newline. */
static const char *pq_message(const PGresult *r, PGconn *conn, char *buf, size_t len)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(buf, len, "%s", m ? m : PQerrorMessage(conn));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void ms_text(char *buf, size_t len, int64_t ms)
{
	snprintf(buf, len, "%lldms", (long long)ms);
}

/* Server notices ("schema hinge already exists") go to the log, not stderr. */
static void notice(void *arg, const char *message)
{
	struct mig_ctx *c = arg;

	c->host->log(c->p, HINGE_LOG_DEBUG, "server: %.*s", (int)strcspn(message, "\n"), message);
}

int mig_connect(struct mig_ctx *c, struct hinge_step *st, PGconn **out)
{
	const struct hinge_host *h = c->host;
	char lock[32], stmt[32];
	const char *params[3];
	void *raw = NULL;
	PGresult *r;
	int rc;

	rc = h->pg_connect(c->p, h->setting_str(c->p, "conninfo"), &raw);
	if (rc != 0) {
		FAIL(c, st, "cannot connect to the target database (conninfo at %s)",
		     h->setting_where(c->p, "conninfo"));
		return rc;
	}
	PQsetNoticeProcessor(raw, notice, c);
	ms_text(lock, sizeof(lock), h->setting_ms(c->p, "lock_timeout"));
	ms_text(stmt, sizeof(stmt), h->setting_ms(c->p, "statement_timeout"));
	params[0] = h->setting_str(c->p, "application_name");
	params[1] = lock;
	params[2] = stmt;
	r = mig_query(c, st, raw,
		      "SELECT set_config('application_name', $1, false),"
		      " set_config('lock_timeout', $2, false),"
		      " set_config('statement_timeout', $3, false)",
		      3, params);
	if (r == NULL) {
		PQfinish(raw);
		return HINGE_EUNAVAIL;
	}
	PQclear(r);
	*out = raw;
	return 0;
}

char *mig_quote_ident(PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name)), *copy;

	if (q == NULL)
		return NULL;
	copy = strdup(q);
	PQfreemem(q);
	return copy;
}

PGresult *mig_query(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		    const char *sql, int nparams, const char *const *params)
{
	PGresult *r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	char msg[512];

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	FAIL(c, st, "query on the target database failed: %s",
	     pq_message(r, conn, msg, sizeof(msg)));
	PQclear(r);
	return NULL;
}

int mig_command(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		const char *sql)
{
	PGresult *r = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	char msg[512];
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		FAIL(c, st, "statement on the target database failed: %s",
		     pq_message(r, conn, msg, sizeof(msg)));
	PQclear(r);
	return ok ? 0 : HINGE_EFAIL;
}

void mig_target_free(struct mig_target *t)
{
	free(t->schema);
	free(t->table);
	free(t->qualified);
	free(t->db);
	memset(t, 0, sizeof(*t));
}

int mig_target_resolve(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		       const char *schema, const char *table, struct mig_target *t)
{
	const char *params[2] = { schema, table };
	char *qs, *qt;
	PGresult *r;

	memset(t, 0, sizeof(*t));
	r = mig_query(c, st, conn,
		      "SELECT current_database(), EXISTS (SELECT 1 FROM pg_class k"
		      " JOIN pg_namespace n ON n.oid = k.relnamespace"
		      " WHERE n.nspname = $1 AND k.relname = $2 AND k.relkind IN ('r', 'p'))",
		      2, params);
	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (!mig_truthy(PQgetvalue(r, 0, 1))) {
		c->host->step_error(st, "step \"%s\": table \"%s\".\"%s\" does not exist",
				    c->host->step_name(st), schema, table);
		PQclear(r);
		return HINGE_EINVAL;
	}
	qs = mig_quote_ident(conn, schema);
	qt = mig_quote_ident(conn, table);
	t->schema = strdup(schema);
	t->table = strdup(table);
	t->db = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (qs != NULL && qt != NULL && (t->qualified = malloc(strlen(qs) + strlen(qt) + 2)))
		sprintf(t->qualified, "%s.%s", qs, qt);
	free(qs);
	free(qt);
	if (t->schema == NULL || t->table == NULL || t->db == NULL || t->qualified == NULL ||
	    mig_lock_target(t->lock, sizeof(t->lock), t->db, schema, table) != 0) {
		mig_target_free(t);
		c->host->step_error(st, "out of memory resolving the table");
		return HINGE_ENOMEM;
	}
	return 0;
}

int mig_lock_holders(PGconn *conn, const struct mig_target *target, int64_t older_ms,
		     char *buf, size_t len)
{
	char older[32];
	const char *params[2] = { target ? target->qualified : NULL, older };
	PGresult *r;
	size_t used = 0;
	int n;

	snprintf(older, sizeof(older), "%lld milliseconds", (long long)older_ms);
	r = PQexecParams(conn,
		"SELECT a.pid, coalesce(a.state, '?'), coalesce(a.query_start::text, '?')"
		" FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid()"
		" AND a.xact_start <= now() - $2::interval AND a.pid IN"
		" (SELECT l.pid FROM pg_locks l WHERE l.granted AND l.locktype = 'relation'"
		"  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
		"  AND ($1::text IS NULL OR l.relation = $1::regclass))"
		" ORDER BY a.xact_start LIMIT 3", 2, NULL, params, NULL, NULL, 0);
	buf[0] = '\0';
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(buf, len, "sessions unknown (%s)", PQerrorMessage(conn));
		buf[strcspn(buf, "\n")] = '\0';
		PQclear(r);
		return -1;
	}
	n = PQntuples(r);
	if (n == 0)
		snprintf(buf, len, "no session holds it any more");
	for (int i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%spid %s (%s, query started %s)",
				 i ? "; " : "", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
				 PQgetvalue(r, i, 2));

		if (w < 0)
			break;
		used += (size_t)w;
	}
	PQclear(r);
	return n;
}

static int lock_not_granted(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return state != NULL && strcmp(state, SQLSTATE_LOCK_NOT_AVAILABLE) == 0;
}

struct exec_args {
	int multi, nparams;
	const char *const *params;
	void (*before_retry)(void *arg);
	void *arg;
	PGresult **out; /* the result on success, or NULL to clear it */
	int cleanup;    /* errors to the log: the step's own error stays */
};

static void exec_error(struct mig_ctx *c, struct hinge_step *st, const struct exec_args *x,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void exec_error(struct mig_ctx *c, struct hinge_step *st, const struct exec_args *x,
		       const char *fmt, ...)
{
	char text[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (x->cleanup)
		c->host->log(c->p, HINGE_LOG_WARNING,
			     "cleaning up after a failed statement (whose error is the step's): %s",
			     text);
	else
		c->host->step_error(st, "%s", text);
}

static int exec_loop(struct mig_ctx *c, struct hinge_step *st, PGconn *conn, const char *sql,
		     const struct mig_target *target, const struct exec_args *x)
{
	const struct hinge_host *h = c->host;
	int64_t retries = h->setting_int(c->p, "lock_retries");
	int64_t base = h->setting_ms(c->p, "retry_base");
	int64_t max = h->setting_ms(c->p, "retry_max");
	char msg[512], who[768];

	for (int attempt = 0;; attempt++) {
		PGresult *r = x->multi ? PQexec(conn, sql)
				       : PQexecParams(conn, sql, x->nparams, NULL, x->params,
						      NULL, NULL, 0);
		ExecStatusType s = PQresultStatus(r);

		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
			if (x->out != NULL)
				*x->out = r;
			else
				PQclear(r);
			return 0;
		}
		if (!lock_not_granted(r)) {
			exec_error(c, st, x, "step \"%s\" failed: %s", h->step_name(st),
				   pq_message(r, conn, msg, sizeof(msg)));
			PQclear(r);
			return HINGE_EFAIL;
		}
		PQclear(r);
		if (attempt >= retries) {
			mig_lock_holders(conn, target, 0, who, sizeof(who));
			exec_error(c, st, x,
				   "step \"%s\": lock on %s not granted after %d attempts; blocked by %s",
				   h->step_name(st), target ? target->qualified : "the database",
				   attempt + 1, who);
			return HINGE_EBUSY;
		}
		if (h->sleep_ms(c->p, mig_backoff_ms(attempt, base, max,
						     (double)rand() / ((double)RAND_MAX + 1))) != 0) {
			exec_error(c, st, x, "step \"%s\" cancelled while waiting for a lock",
				   h->step_name(st));
			return HINGE_ECANCELED;
		}
		if (x->before_retry != NULL)
			x->before_retry(x->arg);
	}
}

int mig_exec(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
	     const char *sql, int multi, const struct mig_target *target,
	     void (*before_retry)(void *arg), void *arg)
{
	const struct exec_args x = { multi, 0, NULL, before_retry, arg, NULL, 0 };

	return exec_loop(c, st, conn, sql, target, &x);
}

int mig_exec_cleanup(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		     const char *sql, const struct mig_target *target)
{
	const struct exec_args x = { 0, 0, NULL, NULL, NULL, NULL, 1 };

	return exec_loop(c, st, conn, sql, target, &x);
}

int mig_exec_query(struct mig_ctx *c, struct hinge_step *st, PGconn *conn, const char *sql,
		   int nparams, const char *const *params, const struct mig_target *target,
		   PGresult **out)
{
	const struct exec_args x = { 0, nparams, params, NULL, NULL, out, 0 };

	return exec_loop(c, st, conn, sql, target, &x);
}

/*
 * Whether sql parses, without running it: PL/pgSQL checks the syntax of
 * every statement of a function body it is asked to create, and the
 * function is created in a transaction that is rolled back.
 */
int mig_parses(struct mig_ctx *c, struct hinge_step *st, PGconn *conn, const char *what,
	       const char *sql)
{
	char tag[32], *body = mig_trim_statement(sql), *create = NULL;
	PGresult *r;
	int rc = HINGE_ENOMEM;
	size_t n;

	if (body == NULL || mig_dollar_tag(body, tag, sizeof(tag)) != 0)
		goto out;
	n = sizeof(SYNTAX_FMT) + strlen(body) + 2 * strlen(tag) + 1;
	if ((create = malloc(n)) == NULL)
		goto out;
	snprintf(create, n, SYNTAX_FMT, tag, body, tag);
	if ((rc = mig_command(c, st, conn, "BEGIN")) != 0)
		goto out;
	r = PQexecParams(conn, create, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		c->host->step_error(st, "step \"%s\": %s does not parse: %s",
				    c->host->step_name(st), what, m ? m : "?");
		rc = HINGE_EINVAL;
	}
	PQclear(r);
	mig_command(c, NULL, conn, "ROLLBACK");
out:
	free(body);
	free(create);
	return rc;
}

char *mig_fingerprint(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		      const char *rel)
{
	const char *params[1] = { rel };
	PGresult *r = mig_query(c, st, conn, mig_fingerprint_sql, 1, params);
	char *fp;

	if (r == NULL)
		return NULL;
	fp = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (fp == NULL)
		c->host->step_error(st, "out of memory reading the catalog");
	return fp;
}

static void report_finding(void *arg, const struct mig_finding *f)
{
	void **a = arg;
	struct mig_ctx *c = a[0];

	c->host->step_finding(a[1], f->code, f->severity, f->message, f->hint);
}

void mig_lint_step(struct mig_ctx *c, struct hinge_step *st, const char *sql)
{
	void *arg[2] = { c, st };

	mig_lint_sql(sql, report_finding, arg);
}

int mig_primary_key(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		    const struct mig_target *t, char **qkey, char **keytype)
{
	const char *p[1] = { t->qualified };
	PGresult *r = mig_query(c, st, conn,
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i"
		" JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
		" WHERE i.indrelid = $1::regclass AND i.indisprimary AND i.indnatts = 1", 1, p);

	*qkey = *keytype = NULL;
	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (PQntuples(r) != 1) {
		c->host->step_error(st, "step \"%s\": %s has no one-column primary key",
				    c->host->step_name(st), t->qualified);
		PQclear(r);
		return HINGE_EINVAL;
	}
	*qkey = mig_quote_ident(conn, PQgetvalue(r, 0, 0));
	*keytype = strdup(PQgetvalue(r, 0, 1));
	PQclear(r);
	return *qkey && *keytype ? 0 : HINGE_ENOMEM;
}
