/*
 * audit.c - one audit: read the source, compute the results, store them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "plugins/bias_audit/bias.h"
#include "plugins/bias_audit/drift.h"
#include "plugins/bias_audit/source.h"
#include "plugins/bias_audit/store.h"

int64_t bias_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_pg(struct bias *b, const struct bias_sink *to, char *sha, char *err,
		   size_t errlen)
{
	const char *conninfo = b->h->setting_str(b->p, "conninfo");
	const char *query = b->h->setting_str(b->p, "query");
	void *conn = NULL;
	int rc;

	if ((rc = b->h->pg_connect(b->p, conninfo, &conn)) != 0) {
		snprintf(err, errlen, "cannot connect to PostgreSQL (conninfo at %s)",
			 b->h->setting_where(b->p, "conninfo"));
		return rc;
	}
	rc = bias_read_pg(conn, query, to, sha, err, errlen);
	PQfinish(conn);
	return rc;
}

int bias_has_input(struct bias *b, const char *csv_path)
{
	if (csv_path != NULL || b->h->setting_str(b->p, "csv_path") != NULL ||
	    strcmp(b->h->setting_str(b->p, "source"), "postgresql") == 0)
		return 0;
	b->h->log(b->p, HINGE_LOG_ERROR, "%s: csv_path: no CSV file: set csv_path or give --csv FILE",
		  b->h->setting_where(b->p, "csv_path"));
	return HINGE_EINVAL;
}

int bias_read_input(struct bias *b, const char *csv_path, const struct bias_sink *to,
		    char *source, size_t srclen, char *sha, char *err, size_t errlen)
{
	const char *kind = b->h->setting_str(b->p, "source");

	if (csv_path == NULL && strcmp(kind, "postgresql") == 0) {
		snprintf(source, srclen, "postgresql");
		return read_pg(b, to, sha, err, errlen);
	}
	if (csv_path == NULL)
		csv_path = b->h->setting_str(b->p, "csv_path");
	snprintf(source, srclen, "csv:%s", csv_path);
	return bias_read_csv(csv_path, to, sha, err, errlen);
}

static int acc_header(void *a, char *const *names, size_t n, char *err, size_t errlen)
{
	return bias_acc_header(a, names, n, err, errlen);
}

static int acc_row(void *a, char *const *f, size_t n, uint64_t row, char *err, size_t errlen)
{
	return bias_acc_row(a, f, n, row, err, errlen);
}

static int store(struct bias *b, const struct bias_audit_rec *rec, json_t **audit)
{
	struct hinge_db *db = NULL;
	int64_t id = 0;
	int rc;

	if ((rc = b->h->db_open(b->p, &db)) != 0)
		return rc;
	if ((rc = b->h->db_begin(db)) == 0) {
		rc = bias_store_insert(b->h->db_sqlite(db), rec, &id);
		if (rc == 0)
			rc = b->h->db_commit(db);
		else
			b->h->db_rollback(db);
	}
	if (rc == 0)
		rc = bias_store_get(b->h->db_sqlite(db), id, audit);
	b->h->db_close(db);
	if (rc != 0)
		b->h->log(b->p, HINGE_LOG_ERROR, "cannot store the audit in the state database");
	return rc;
}

static void raise_alarm(struct bias *b, const json_t *audit, const char *what,
			const char *key, const json_t *why)
{
	json_t *detail;
	char msg[128], *text;

	snprintf(msg, sizeof(msg), "bias audit %" JSON_INTEGER_FORMAT ": %s",
		 json_integer_value(json_object_get(audit, "id")), what);
	detail = json_pack("{s:O, s:s, s:O}", "audit", json_object_get(audit, "id"),
			   "verdict", json_string_value(json_object_get(audit, "verdict")), key, why);
	text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	b->h->event(b->p, HINGE_LOG_WARNING, "alarm", msg, text);
	free(text);
	json_decref(detail);
}

/* An audit that did not pass, or that drifted, is an alarm the operator
 * hears of. */
static void alarm_events(struct bias *b, const json_t *audit)
{
	const json_t *res = json_object_get(audit, "results");
	const json_t *drift = json_object_get(json_object_get(res, "drift"), "alarms");
	const char *verdict = json_string_value(json_object_get(audit, "verdict"));

	if (strcmp(verdict, "PASS") != 0)
		raise_alarm(b, audit, verdict, "reasons", json_object_get(res, "reasons"));
	if (json_array_size(drift) > 0)
		raise_alarm(b, audit, "drift against its baseline", "drift", drift);
}

/* Compare with the baseline audit, when there is one, in results.drift. */
static void add_drift(struct bias *b, json_t *results)
{
	const struct bias_drift_policy dp = {
		.psi_max = b->h->setting_double(b->p, "psi_max"),
		.worsen_max = b->h->setting_double(b->p, "worsen_max"),
	};
	struct hinge_db *db;
	json_t *base, *d;
	int rc;

	if (b->h->db_open(b->p, &db) != 0)
		return;
	rc = bias_store_baseline(b->h->db_sqlite(db), b->h->setting_int(b->p, "baseline"), &base);
	b->h->db_close(db);
	if (rc != 0)
		return;
	d = bias_drift(results, json_object_get(base, "results"), &dp);
	if (d != NULL) {
		json_object_set(d, "baseline", json_object_get(base, "id"));
		json_object_set_new(results, "drift", d);
	}
	json_decref(base);
}

static int audit_run(struct bias *b, const char *csv_path, json_t **audit)
{
	struct bias_audit_rec rec = { .started_ms = bias_now_ms() };
	char source[1100], sha[BIAS_SHA_HEX] = "", err[600] = "";
	struct bias_acc *a = bias_acc_new(&b->spec);
	const struct bias_sink to = { acc_header, acc_row, a };
	json_t *results, *policy = bias_policy_json(&b->policy);
	int rc, verdict_rc;

	*audit = NULL;
	if (a == NULL || policy == NULL) {
		bias_acc_free(a);
		json_decref(policy);
		return HINGE_ENOMEM;
	}
	rc = bias_read_input(b, csv_path, &to, source, sizeof(source), sha, err, sizeof(err));
	if (rc == HINGE_ENOMEM) {
		results = NULL;
	} else if (rc != 0) {
		b->h->log(b->p, HINGE_LOG_ERROR, "the audit's input cannot be used: %s", err);
		results = bias_results_unreadable(err);
	} else {
		results = bias_results(a, &b->spec, &b->policy);
		if (results != NULL)
			add_drift(b, results);
	}
	bias_acc_free(a);
	if (results == NULL) {
		json_decref(policy);
		return HINGE_ENOMEM;
	}
	rec.finished_ms = bias_now_ms();
	rec.source = source;
	rec.input_sha256 = sha;
	rec.policy = policy;
	rec.results = results;
	verdict_rc = strcmp(json_string_value(json_object_get(results, "verdict")), "PASS") == 0
		     ? 0 : HINGE_EFAIL;
	if (store(b, &rec, audit) != 0)
		verdict_rc = HINGE_EUNAVAIL;
	else if (rc == HINGE_EUNAVAIL)
		verdict_rc = rc;
	if (*audit != NULL)
		alarm_events(b, *audit);
	json_decref(policy);
	json_decref(results);
	return verdict_rc;
}

int bias_audit_run(struct bias *b, const char *csv_path, json_t **audit)
{
	int rc;

	*audit = NULL;
	if ((rc = bias_has_input(b, csv_path)) != 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = audit_run(b, csv_path, audit);
	pthread_mutex_unlock(&b->lock);
	return rc;
}
