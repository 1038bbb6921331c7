/*
 * cost_query.c - the costs of a report's periods: the fixed costs, plus
 * the operator's cost query against PostgreSQL, run once per period with
 * its bounds as parameters.  Each answer is kept; when the query fails,
 * the kept answers stand in and the costs are marked stale.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "plugins/roi/roi.h"
#include "plugins/roi/store.h"

#define TIMESTAMPTZOID 1184

static void pg_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S+00", &tm);
}

/* One period's answer into *cost: 0, or HINGE_EUNAVAIL with err set. */
static int ask(struct roi *r, PGconn *c, const char *sql, int64_t from, int64_t to,
	       int64_t *cost, char *err, size_t errlen)
{
	const struct roi_conf *cf = roi_conf(r);
	char a[32], b[32];
	const char *params[2] = { a, b };
	const Oid types[2] = { TIMESTAMPTZOID, TIMESTAMPTZOID };
	PGresult *res;
	int rc = 0;

	pg_time(from, a, sizeof(a));
	pg_time(to, b, sizeof(b));
	res = PQexecParams(c, sql, 2, types, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) < 1) {
		snprintf(err, errlen, "the cost query (%s) failed: %s",
			 r->host->setting_where(r->p, "cost_query"),
			 PQresultStatus(res) == PGRES_TUPLES_OK ? "it must return one row"
								 : strtok(PQerrorMessage(c), "\n"));
		rc = HINGE_EUNAVAIL;
	} else if (PQgetisnull(res, 0, 0)) {
		*cost = 0;
	} else if (roi_money_parse(PQgetvalue(res, 0, 0), roi_currency_decimals(cf->rates.to),
				   cost) != 0) {
		snprintf(err, errlen, "the cost query returned \"%.32s\", not a number",
			 PQgetvalue(res, 0, 0));
		rc = HINGE_EUNAVAIL;
	}
	PQclear(res);
	return rc;
}

int roi_costs_fill(struct roi *r, struct hinge_db *db, struct roi_report *rep,
		   int *stale, char *err, size_t errlen)
{
	const struct roi_conf *cf = roi_conf(r);
	const char *sql = r->host->setting_str(r->p, "cost_query");
	const char *period = roi_period_name(rep->period);
	sqlite3 *sq = r->host->db_sqlite(db);
	void *conn = NULL;
	int ok = 0;

	*stale = 0;
	for (size_t i = 0; i < rep->n; i++)
		rep->b[i].cost = roi_fixed_between(&cf->fixed, cf->tz, rep->b[i].start, rep->b[i].end);
	if (sql == NULL || sql[0] == '\0')
		return 0;
	if (r->host->pg_connect(r->p, r->host->setting_str(r->p, "conninfo"), &conn) == 0)
		ok = 1;
	else
		snprintf(err, errlen, "cannot reach PostgreSQL for the cost query");
	for (size_t i = 0; i < rep->n; i++) {
		struct roi_bucket *b = &rep->b[i];
		int64_t q = 0;

		/* Custom windows are not kept: they would shadow real periods. */
		if (ok && (ok = ask(r, conn, sql, b->start, b->end, &q, err, errlen) == 0) != 0) {
			if (rep->period != ROI_CUSTOM)
				roi_store_cost_put(sq, period, b->start, q, roi_now_ms());
		} else if (rep->period == ROI_CUSTOM ||
			   roi_store_cost_get(sq, period, b->start, &q) != 0) {
			q = 0;
		}
		b->cost += q;
	}
	PQfinish(conn);
	*stale = !ok;
	if (!ok && !r->host->stopping(r->p))
		r->host->log(r->p, HINGE_LOG_ERROR, "%s; the last good costs stand in", err);
	return 0;
}
