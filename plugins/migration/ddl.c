/*
 * ddl.c - what every typed schema action does the same way.  Each
 * callback opens its own connection: the engine may call them in
 * different processes (after a crash, from `hinge rollout resume`).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/ddl.h"
#include "plugins/migration/fingerprint.h"
#include "plugins/migration/sqltext.h"

struct ddl_action {
	struct mig_ctx *c;
	const struct ddl_ops *ops;
};

void sqlv_addf(struct sqlv *v, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	if (v->n >= DDL_MAX_STMTS) {
		v->oom = 1;
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		v->oom = 1;
		return;
	}
	v->s[v->n++] = s;
}

void sqlv_free(struct sqlv *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->s[i]);
	memset(v, 0, sizeof(*v));
}

void ddl_error(struct ddl *d, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->c->host->step_error(d->st, "step \"%s\": %s", d->c->host->step_name(d->st), msg);
}

const char *ddl_pq_error(struct ddl *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s", PQerrorMessage(d->conn));
	buf[strcspn(buf, "\n")] = '\0';
	if (strncmp(buf, "ERROR:  ", 8) == 0)
		memmove(buf, buf + 8, strlen(buf + 8) + 1);
	return buf;
}

static void ddl_close(struct ddl_action *a, struct ddl *d)
{
	if (d->aux != NULL && a->ops->close != NULL)
		a->ops->close(d);
	mig_target_free(&d->t);
	if (d->conn != NULL)
		PQfinish(d->conn);
}

static int ddl_open(struct ddl_action *a, struct hinge_step *st, struct ddl *d)
{
	const struct hinge_host *h = a->c->host;
	int rc;

	memset(d, 0, sizeof(*d));
	d->c = a->c;
	d->ops = a->ops;
	d->st = st;
	if ((rc = mig_connect(a->c, st, &d->conn)) != 0)
		return rc;
	if ((rc = mig_target_resolve(a->c, st, d->conn, h->param_str(st, "schema"),
				     h->param_str(st, "table"), &d->t)) != 0)
		return rc;
	return a->ops->open(d);
}

static void cleanup(void *arg)
{
	struct ddl *d = arg;

	d->ops->cleanup(d);
}

static int run_all(struct ddl *d, struct sqlv *v)
{
	int rc = v->oom ? HINGE_ENOMEM : 0;
	int retry = d->ops->cleanup != NULL && d->ops->cleanup_on_retry;

	/* only the last statement (the build) can fail half way */
	for (int i = 0; rc == 0 && i < v->n; i++)
		rc = mig_exec(d->c, d->st, d->conn, v->s[i], 0, &d->t,
			      retry && i == v->n - 1 ? cleanup : NULL, d);
	if (rc != 0 && d->ops->cleanup != NULL)
		d->ops->cleanup(d);
	return rc;
}

int ddl_index_state(struct ddl *d, const char *rel, const char *idx)
{
	const char *p[2] = { rel, idx };
	PGresult *r = mig_query(d->c, d->st, d->conn,
		"SELECT i.indisvalid FROM pg_index i JOIN pg_class k ON k.oid = i.indexrelid"
		" WHERE i.indrelid = $1::regclass AND k.relname = $2", 2, p);
	int rc;

	if (r == NULL)
		return HINGE_EFAIL;
	rc = PQntuples(r) == 0 ? 0 : mig_truthy(PQgetvalue(r, 0, 0)) ? 1 : 2;
	PQclear(r);
	return rc;
}

int ddl_constraint_state(struct ddl *d, const char *rel, const char *name, char *type)
{
	const char *p[2] = { rel, name };
	PGresult *r = mig_query(d->c, d->st, d->conn,
		"SELECT contype, convalidated FROM pg_constraint"
		" WHERE conrelid = $1::regclass AND conname = $2", 2, p);
	int rc;

	if (r == NULL)
		return HINGE_EFAIL;
	rc = PQntuples(r) == 0 ? 0 : mig_truthy(PQgetvalue(r, 0, 1)) ? 1 : 2;
	*type = rc ? PQgetvalue(r, 0, 0)[0] : '\0';
	PQclear(r);
	return rc;
}

int ddl_added_constraint_state(struct ddl *d, const char *rel, const char *name,
			       const char *qname, char type, const char *what)
{
	char found;
	int rc = ddl_constraint_state(d, rel, name, &found);

	if (rc > 0 && found != type) {
		ddl_error(d, "constraint %s of %s is not %s", qname, rel, what);
		return HINGE_EFAIL;
	}
	return rc == 2 ? 0 : rc;
}

char *ddl_drop_constraint_sql(const char *rel, const char *qname)
{
	char *sql;

	return asprintf(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", rel, qname) < 0
		       ? NULL : sql;
}

void ddl_drop_not_valid(struct ddl *d, const char *name, const char *qname, char type)
{
	char found, *sql;

	if (ddl_constraint_state(d, d->t.qualified, name, &found) != 2 || found != type ||
	    (sql = ddl_drop_constraint_sql(d->t.qualified, qname)) == NULL)
		return;
	PQclear(PQexec(d->conn, sql));
	free(sql);
}

static int cb_check(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct ddl d;
	char *inv = NULL;
	int rc = ddl_open(a, st, &d);

	if (rc == 0 && a->ops->check != NULL)
		rc = a->ops->check(&d);
	if (rc == 0)
		rc = mig_window_check(a->c, st, d.conn);
	if (rc == 0 && (rc = a->ops->state(&d, d.t.qualified)) == HINGE_EFAIL)
		rc = HINGE_EINVAL;
	if (rc >= 0) {
		mig_history_drift(a->c, d.conn, st, &d.t, a->ops->name, rc);
		rc = 0;
		a->c->host->step_lock_target(st, d.t.lock);
		if ((inv = a->ops->inverse(&d, d.t.qualified)) == NULL)
			rc = HINGE_ENOMEM;
		else
			a->c->host->step_inverse(st, inv);
	}
	free(inv);
	ddl_close(a, &d);
	return rc;
}

static int cb_probe(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct ddl d;
	int rc = ddl_open(a, st, &d);

	if (rc == 0)
		rc = a->ops->state(&d, d.t.qualified);
	ddl_close(a, &d);
	return rc;
}

static int cb_capture(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct ddl d;
	char *inv = NULL;
	int rc = ddl_open(a, st, &d);

	if (rc == 0 && a->ops->capture != NULL)
		rc = a->ops->capture(&d);
	if (rc == 0 && (inv = a->ops->inverse(&d, d.t.qualified)) == NULL)
		rc = HINGE_ENOMEM;
	if (rc == 0)
		rc = a->c->host->artifact_set(st, inv, strlen(inv));
	free(inv);
	ddl_close(a, &d);
	return rc;
}

/* The artifact as a string the caller frees; NULL when it cannot be had. */
static char *artifact_text(struct ddl *d)
{
	const void *buf;
	size_t len;

	if (d->c->host->artifact_get(d->st, &buf, &len) != 0)
		return NULL;
	return strndup(buf, len);
}

/* The stored inverse may be a script of several statements. */
static int script(struct ddl *d, const char *sql)
{
	PGresult *r = PQexec(d->conn, sql);
	char msg[512];
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		ddl_error(d, "rehearsal: the inverse fails: %s", ddl_pq_error(d, msg, sizeof(msg)));
	PQclear(r);
	return ok ? 0 : HINGE_EFAIL;
}

/*
 * Apply and revert on the copy: when the copy shows the effect already (a
 * warm re-rehearsal after apply), the artifact runs first to get the
 * table as it was; then fingerprint, apply, check, revert, fingerprint.
 */
static int rehearse_steps(struct ddl_action *a, struct ddl *d, const char *copy,
			  const char *inv)
{
	struct mig_ctx *c = a->c;
	struct sqlv fwd = { { NULL }, 0, 0 };
	char *fp0 = NULL, *fp1 = NULL, diff[700];
	int rc = HINGE_EFAIL, n;

	if ((n = a->ops->state(d, copy)) < 0)
		return n;
	if (n == 1 && script(d, inv) != 0)
		return HINGE_EFAIL;
	if ((fp0 = mig_fingerprint(c, d->st, d->conn, copy)) == NULL)
		return HINGE_EFAIL;
	a->ops->forward(d, copy, 0, &fwd);
	for (int i = 0; i < fwd.n && !fwd.oom; i++)
		if (mig_command(c, d->st, d->conn, fwd.s[i]) != 0)
			goto out;
	if (fwd.oom || a->ops->state(d, copy) != 1) {
		ddl_error(d, "rehearsal: the change is not in place after apply");
		goto out;
	}
	if (script(d, inv) != 0 || (fp1 = mig_fingerprint(c, d->st, d->conn, copy)) == NULL)
		goto out;
	if (mig_fingerprint_diff(fp0, fp1, diff, sizeof(diff)) != 0) {
		ddl_error(d, "rehearsal: revert does not restore the table (%s)", diff);
		goto out;
	}
	rc = 0;
out:
	sqlv_free(&fwd);
	free(fp0);
	free(fp1);
	return rc;
}

/*
 * The rehearsal only reads the live table (ACCESS SHARE), which blocks no
 * one; so rather than fail on a brief ACCESS EXCLUSIVE (autovacuum
 * truncating the table's end), it waits as long as a step would in all
 * its retries, or preflight_wait if longer.
 */
static int patient(struct ddl *d)
{
	const struct hinge_host *h = d->c->host;
	int64_t wait = h->setting_ms(d->c->p, "lock_timeout") *
		       (h->setting_int(d->c->p, "lock_retries") + 1);
	char sql[64];

	if (wait < h->setting_ms(d->c->p, "preflight_wait"))
		wait = h->setting_ms(d->c->p, "preflight_wait");
	snprintf(sql, sizeof(sql), "SET LOCAL lock_timeout = '%lldms'", (long long)wait);
	return mig_command(d->c, d->st, d->conn, sql);
}

/*
 * The copy is a temporary table of the same name, LIKE the live one
 * INCLUDING ALL, in a transaction that is rolled back: reading the live
 * definition takes ACCESS SHARE, nothing stronger.
 */
static int cb_rehearse(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct ddl d;
	char *text = NULL, *inv = NULL, *create = NULL, *qt = NULL, *copy = NULL;
	int rc = ddl_open(a, st, &d);

	if (rc == 0 && (text = artifact_text(&d)) == NULL)
		rc = HINGE_EFAIL;
	if (rc == 0 && ((qt = mig_quote_ident(d.conn, d.t.table)) == NULL ||
			asprintf(&copy, "pg_temp.%s", qt) < 0 ||
			asprintf(&create, "CREATE TEMP TABLE %s (LIKE %s INCLUDING ALL)", qt,
				 d.t.qualified) < 0))
		rc = HINGE_ENOMEM;
	if (rc == 0 && (inv = a->ops->for_copy ? a->ops->for_copy(&d, text, copy)
					       : mig_replace_all(text, d.t.qualified, copy)) == NULL)
		rc = HINGE_ENOMEM;
	if (rc == 0 && (rc = mig_command(a->c, st, d.conn, "BEGIN")) == 0) {
		rc = patient(&d);
		if (rc == 0)
			rc = mig_command(a->c, st, d.conn, create);
		if (rc == 0)
			rc = rehearse_steps(a, &d, copy, inv);
		mig_command(a->c, NULL, d.conn, "ROLLBACK");
	}
	free(text);
	free(inv);
	free(create);
	free(qt);
	free(copy);
	ddl_close(a, &d);
	return rc;
}

static int cb_apply(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct sqlv fwd = { { NULL }, 0, 0 };
	struct ddl d;
	int rc = ddl_open(a, st, &d);

	/*
	 * The catalog first, so that a change in place takes no lock; then
	 * again under the advisory lock, since another executor may have
	 * applied it while this one waited (a failure here would otherwise
	 * find the change "applied" and revert the other's work).
	 */
	if (rc == 0 && (rc = a->ops->state(&d, d.t.qualified)) == 0 &&
	    (rc = mig_window_wait(a->c, st, d.conn)) == 0 &&
	    (rc = mig_guard_take(a->c, st, d.conn, &d.t)) == 0) {
		if ((rc = a->ops->state(&d, d.t.qualified)) == 0) {
			a->ops->forward(&d, d.t.qualified, 1, &fwd);
			rc = run_all(&d, &fwd);
			if (rc == 0)
				mig_history_record(a->c, d.conn, st, &d.t, a->ops->name, "applied");
		}
		mig_guard_release(d.conn, &d.t);
	}
	if (rc == 1)
		rc = 0;
	sqlv_free(&fwd);
	ddl_close(a, &d);
	return rc;
}

static int cb_verify(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct ddl d;
	int rc = ddl_open(a, st, &d);

	if (rc == 0 && (rc = a->ops->state(&d, d.t.qualified)) == 0) {
		ddl_error(&d, "the change is not in place on %s", d.t.qualified);
		rc = HINGE_EFAIL;
	}
	if (rc == 1)
		rc = 0;
	ddl_close(a, &d);
	return rc;
}

static int cb_revert(void *data, struct hinge_step *st)
{
	struct ddl_action *a = data;
	struct ddl d;
	char *inv = NULL;
	int rc = ddl_open(a, st, &d);

	if (rc == 0 && (rc = a->ops->state(&d, d.t.qualified)) == 1) {
		if ((inv = artifact_text(&d)) == NULL)
			rc = HINGE_EFAIL;
		else if ((rc = mig_guard_take(a->c, st, d.conn, &d.t)) == 0) {
			/* Under the lock: still in place (another may have reverted it)? */
			if ((rc = a->ops->state(&d, d.t.qualified)) == 1) {
				rc = mig_exec(a->c, st, d.conn, inv, 1, &d.t, NULL, NULL);
				if (rc == 0)
					mig_history_record(a->c, d.conn, st, &d.t, a->ops->name, "reverted");
			}
			mig_guard_release(d.conn, &d.t);
		}
	}
	free(inv);
	ddl_close(a, &d);
	return rc;
}

int mig_ddl_register(struct mig_ctx *c, const struct ddl_ops *ops)
{
	struct ddl_action *da = malloc(sizeof(*da));
	struct hinge_action a = {
		.name = ops->name,
		.params = ops->params,
		.flags = ops->flags,
		.data = da,
		.check = cb_check,
		.probe = cb_probe,
		.capture = cb_capture,
		.rehearse = cb_rehearse,
		.apply = cb_apply,
		.verify = cb_verify,
		.revert = cb_revert,
	};

	if (da == NULL)
		return HINGE_ENOMEM;
	da->c = c;
	da->ops = ops;
	if (mig_ctx_keep(c, da) != 0) {
		free(da);
		return HINGE_ENOMEM;
	}
	return c->host->register_action(c->p, &a);
}
