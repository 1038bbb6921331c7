/*
 * guard.c - what a step does before it takes a lock on a live table:
 * wait out long transactions instead of queueing behind them, and take
 * the per-table advisory lock that serialises Hinge's executors.
 */
#include <stdlib.h>

#include "plugins/migration/backoff.h"
#include "plugins/migration/mig.h"

static const char advisory_sql[] =
	"SELECT pg_try_advisory_lock(hashtext('hinge/migration'), hashtext($1))";

static int preflight(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		     const struct mig_target *t)
{
	const struct hinge_host *h = c->host;
	int64_t older = h->setting_ms(c->p, "long_transaction");
	int64_t budget = h->setting_ms(c->p, "preflight_wait");
	int64_t pause = h->setting_ms(c->p, "retry_base");
	char who[768];
	int n;

	for (int64_t waited = 0;; waited += pause) {
		if ((n = mig_lock_holders(conn, t, older, who, sizeof(who))) <= 0)
			return 0; /* none, or unknown: the lock timeout still guards */
		if (waited >= budget)
			break;
		if (h->sleep_ms(c->p, pause) != 0)
			return HINGE_ECANCELED;
	}
	h->step_error(st, "step \"%s\": %d long-running transaction%s hold%s %s: %s",
		      h->step_name(st), n, n > 1 ? "s" : "", n > 1 ? "" : "s", t->qualified, who);
	return HINGE_EBUSY;
}

int mig_guard_take(struct mig_ctx *c, struct hinge_step *st, PGconn *conn,
		   const struct mig_target *t)
{
	const struct hinge_host *h = c->host;
	int64_t retries = h->setting_int(c->p, "lock_retries");
	const char *params[1] = { t->qualified };
	int rc;

	if ((rc = preflight(c, st, conn, t)) != 0)
		return rc;
	for (int attempt = 0;; attempt++) {
		PGresult *r = mig_query(c, st, conn, advisory_sql, 1, params);
		int got;

		if (r == NULL)
			return HINGE_EUNAVAIL;
		got = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
		if (got)
			return 0;
		if (attempt >= retries)
			break;
		if (h->sleep_ms(c->p, mig_backoff_ms(attempt, h->setting_ms(c->p, "retry_base"),
						     h->setting_ms(c->p, "retry_max"),
						     (double)rand() / ((double)RAND_MAX + 1))) != 0)
			return HINGE_ECANCELED;
	}
	h->step_error(st, "step \"%s\": another Hinge executor is changing %s (advisory lock held)",
		      h->step_name(st), t->qualified);
	return HINGE_EBUSY;
}

void mig_guard_release(PGconn *conn, const struct mig_target *t)
{
	const char *params[1] = { t->qualified };

	PQclear(PQexecParams(conn,
			     "SELECT pg_advisory_unlock(hashtext('hinge/migration'), hashtext($1))",
			     1, NULL, params, NULL, NULL, 0));
}
