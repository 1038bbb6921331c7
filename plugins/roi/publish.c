/*
 * publish.c - after every sync, the current and the previous period are
 * published where dashboards read them: the Prometheus textfile (when
 * `textfile` is set) and table hinge.roi_period in PostgreSQL (when
 * `conninfo` is set).  Stale figures are published as stale, not hidden.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "plugins/roi/prom.h"
#include "plugins/roi/roi.h"
#include "plugins/roi/store.h"

static const char *const pg_migrations[] = {
	"CREATE TABLE hinge.roi_period ("
	" period text NOT NULL, start_at timestamptz NOT NULL, end_at timestamptz NOT NULL,"
	" currency text NOT NULL, gross numeric NOT NULL, refunds numeric NOT NULL,"
	" disputes numeric NOT NULL, fees numeric NOT NULL, net numeric NOT NULL,"
	" cost numeric NOT NULL, roi double precision, stale boolean NOT NULL,"
	" updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (period, start_at))",
	NULL,
};

static int add(void *arg, const struct roi_txn *x)
{
	return roi_report_add(arg, x);
}

static int write_textfile(struct roi *r, const char *path, json_t *doc,
			  const struct roi_sync_state *st)
{
	struct roi_prom_extra x = { st->last_ok_ms / 1000, st->last_error[0] != '\0', st->txns };
	char *text = roi_prom_render(doc, &x), tmp[4096];
	FILE *f;
	int ok;

	if (text == NULL)
		return HINGE_ENOMEM;
	/* The collector must never read half a file: write aside, rename. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	ok = f != NULL && fputs(text, f) >= 0;
	ok = f != NULL && fclose(f) == 0 && ok;
	free(text);
	if (ok && chmod(tmp, 0644) == 0 && rename(tmp, path) == 0)
		return 0;
	r->host->log(r->p, HINGE_LOG_ERROR, "cannot write the textfile \"%s\": %m", path);
	unlink(tmp);
	return HINGE_EUNAVAIL;
}

static int upsert(PGconn *c, const char *period, const char *to, json_t *p, int stale)
{
	json_t *roi = json_object_get(p, "roi");
	char roitext[32];
	const char *v[12] = {
		period, json_string_value(json_object_get(p, "start")),
		json_string_value(json_object_get(p, "end")), to,
		json_string_value(json_object_get(p, "gross")),
		json_string_value(json_object_get(p, "refunds")),
		json_string_value(json_object_get(p, "disputes")),
		json_string_value(json_object_get(p, "fees")),
		json_string_value(json_object_get(p, "net")),
		json_string_value(json_object_get(p, "cost")),
		NULL, stale ? "true" : "false",
	};
	PGresult *res;
	int ok;

	if (json_is_number(roi)) {
		snprintf(roitext, sizeof(roitext), "%.9g", json_number_value(roi));
		v[10] = roitext;
	}
	res = PQexecParams(c, "INSERT INTO hinge.roi_period (period, start_at, end_at, currency,"
			   " gross, refunds, disputes, fees, net, cost, roi, stale) VALUES"
			   " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
			   " ON CONFLICT (period, start_at) DO UPDATE SET end_at = excluded.end_at,"
			   " currency = excluded.currency, gross = excluded.gross,"
			   " refunds = excluded.refunds, disputes = excluded.disputes,"
			   " fees = excluded.fees, net = excluded.net, cost = excluded.cost,"
			   " roi = excluded.roi, stale = excluded.stale, updated_at = now()",
			   12, NULL, v, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? 0 : HINGE_EUNAVAIL;
}

static int write_table(struct roi *r, json_t *doc, int stale)
{
	const struct roi_conf *cf = roi_conf(r);
	const char *period = json_string_value(json_object_get(doc, "period"));
	void *conn = NULL;
	json_t *p;
	size_t i;
	int rc;

	if ((rc = r->host->pg_connect(r->p, r->host->setting_str(r->p, "conninfo"), &conn)) != 0)
		return rc;
	rc = r->host->pg_migrate(r->p, conn, pg_migrations);
	json_array_foreach(json_object_get(doc, "periods"), i, p)
		if (rc == 0)
			rc = upsert(conn, period, cf->rates.to, p, stale);
	if (rc != 0)
		r->host->log(r->p, HINGE_LOG_ERROR, "cannot publish to hinge.roi_period: %s",
			     strtok(PQerrorMessage(conn), "\n"));
	PQfinish(conn);
	return rc;
}

int roi_publish(struct roi *r)
{
	const struct roi_conf *cf = roi_conf(r);
	const char *textfile = r->host->setting_str(r->p, "textfile");
	const char *conninfo = r->host->setting_str(r->p, "conninfo");
	int64_t now = roi_now_ms() / 1000, cur;
	struct roi_sync_state st;
	struct roi_report rep;
	struct hinge_db *db;
	char err[512];
	int rc, cost_stale = 0;
	json_t *doc;

	if ((textfile == NULL || textfile[0] == '\0') && (conninfo == NULL || conninfo[0] == '\0'))
		return 0;
	cur = roi_period_start(cf->publish, cf->tz, now);
	if ((rc = roi_report_init(&rep, cf->publish, cf->tz, cur - 1, now + 1)) != 0)
		return rc;
	if ((rc = r->host->db_open(r->p, &db)) == 0) {
		if ((rc = roi_store_load(r->host->db_sqlite(db), &st)) == 0)
			rc = roi_store_scan(r->host->db_sqlite(db), rep.b[0].start,
					    rep.b[rep.n - 1].end, add, &rep);
		if (rc == 0)
			rc = roi_costs_fill(r, db, &rep, &cost_stale, err, sizeof(err));
		r->host->db_close(db);
	}
	/* A stop cancels the cost query, which says nothing of the costs:
	 * what was published stays, rather than be marked stale. */
	if (rc == 0 && cost_stale && r->host->stopping(r->p))
		rc = HINGE_ECANCELED;
	if (rc != 0) {
		roi_report_free(&rep);
		return rc;
	}
	doc = roi_report_json(&rep, &cf->rates, st.last_error[0] != '\0', st.last_error,
			      st.last_ok_ms);
	roi_report_free(&rep);
	if (doc == NULL)
		return HINGE_ENOMEM;
	if (textfile != NULL && textfile[0] != '\0')
		rc = write_textfile(r, textfile, doc, &st);
	if (conninfo != NULL && conninfo[0] != '\0') {
		int prc = write_table(r, doc, st.last_error[0] != '\0' || cost_stale);

		rc = rc != 0 ? rc : prc;
	}
	json_decref(doc);
	return rc;
}
