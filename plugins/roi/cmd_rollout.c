/*
 * cmd_rollout.c - `hinge roi report --rollout ID`: for each stage of the
 * rollout, the figures of the window since it began against as long a
 * window just before (see stages.h).  The stages come from the host
 * (host->rollout_steps, ABI 1.1); the transactions from one scan.
 */
#include <stdio.h>
#include <string.h>

#include "plugins/roi/roi.h"
#include "plugins/roi/stages.h"
#include "plugins/roi/store.h"

static int add_step(void *arg, int number, const char *name, const char *kind,
		    const char *phase, int64_t started_ms, int64_t ended_ms)
{
	return roi_stages_add(arg, number, name, kind, phase, started_ms, ended_ms);
}

static int add_txn(void *arg, const struct roi_txn *x)
{
	return roi_stages_add_txn(arg, x);
}

/* The stored transactions and costs into every stage's windows. */
static int fill(struct roi *r, struct roi_stages *ss, int64_t from, int64_t to,
		struct roi_sync_state *st, int *cost_stale, char *cost_err, size_t errlen)
{
	struct hinge_db *db;
	int rc;

	if ((rc = r->host->db_open(r->p, &db)) != 0)
		return rc;
	rc = roi_store_load(r->host->db_sqlite(db), st);
	if (rc == 0 && from < to)
		rc = roi_store_scan(r->host->db_sqlite(db), from, to, add_txn, ss);
	for (size_t i = 0; i < ss->n && rc == 0; i++)
		if (ss->s[i].rep.n > 0)
			rc = roi_costs_fill(r, db, &ss->s[i].rep, cost_stale, cost_err, errlen);
	r->host->db_close(db);
	if (rc != 0)
		r->host->log(r->p, HINGE_LOG_ERROR, "cannot read the state database");
	return rc;
}

static void print_text(json_t *doc)
{
	const char *cur = json_string_value(json_object_get(doc, "currency"));
	json_t *s;
	size_t i;

	printf("rollout %s: net revenue since each stage began vs as long before (%s)\n",
	       json_string_value(json_object_get(doc, "rollout")), cur);
	printf("%-24s %-12s %8s %12s %12s %8s\n", "stage", "phase", "window", "before", "after",
	       "change");
	json_array_foreach(json_object_get(doc, "stages"), i, s) {
		json_t *b = json_object_get(s, "before"), *a = json_object_get(s, "after");
		json_t *d = json_object_get(json_object_get(s, "delta_pct"), "net");
		char label[64], window[24] = "-", pct[24] = "-";

		snprintf(label, sizeof(label), "%d %s", (int)json_integer_value(json_object_get(s, "number")),
			 json_string_value(json_object_get(s, "name")));
		if (json_is_object(a))
			snprintf(window, sizeof(window), "%llds", (long long)json_integer_value(
					 json_object_get(s, "window_seconds")));
		if (json_is_number(d))
			snprintf(pct, sizeof(pct), "%+.1f%%", json_number_value(d));
		printf("%-24s %-12s %8s %12s %12s %8s\n", label,
		       json_string_value(json_object_get(s, "phase")), window,
		       json_is_object(b) ? json_string_value(json_object_get(b, "net")) : "-",
		       json_is_object(a) ? json_string_value(json_object_get(a, "net")) : "-", pct);
	}
	if (json_is_true(json_object_get(doc, "stale")))
		printf("stale: %s\n", json_string_value(json_object_get(doc, "last_error")));
	if (json_is_true(json_object_get(doc, "costs_stale")))
		printf("costs stale: %s\n", json_string_value(json_object_get(doc, "cost_error")));
}

int roi_rollout_report(struct roi *r, struct hinge_command *cmd, const char *id)
{
	const struct roi_conf *cf = roi_conf(r);
	struct roi_stages ss = { 0 };
	struct roi_sync_state st;
	char cost_err[512] = "";
	int64_t from, to;
	int rc, cost_stale = 0;
	json_t *doc, *stages;

	if (!HINGE_HOST_HAS(r->host, rollout_steps)) {
		r->host->log(r->p, HINGE_LOG_ERROR, "report --rollout needs an agent of plugin ABI"
			     " 1.1 or later (host->rollout_steps); this one is %u.%u",
			     r->host->major, r->host->minor);
		return 5;
	}
	rc = r->host->rollout_steps(r->p, id, add_step, &ss);
	if (rc == 0)
		rc = roi_stages_cut(&ss, roi_now_ms(), &from, &to);
	if (rc == 0)
		rc = fill(r, &ss, from, to, &st, &cost_stale, cost_err, sizeof(cost_err));
	if (rc != 0) {
		roi_stages_free(&ss);
		return rc == HINGE_EINVAL ? 2 : 5;
	}
	stages = json_array();
	for (size_t i = 0; i < ss.n; i++)
		json_array_append_new(stages, roi_stage_json(&ss.s[i], &cf->rates));
	roi_stages_free(&ss);
	doc = json_pack("{s:s, s:s, s:s, s:o}", "schema", "hinge.roi.rollout/1", "rollout", id,
			"currency", cf->rates.to, "stages", stages);
	roi_report_sync_fields(doc, st.last_error[0] != '\0' || st.last_ok_ms == 0,
			       st.last_ok_ms == 0 ? "never synced" : st.last_error, st.last_ok_ms);
	json_object_set_new(doc, "costs_stale", json_boolean(cost_stale));
	json_object_set_new(doc, "cost_error", cost_stale ? json_string(cost_err) : json_null());
	if (r->host->cmd_json(cmd))
		return r->host->cmd_print_json(cmd, (struct hinge_json *)doc) == 0 ? 0 : 5;
	print_text(doc);
	json_decref(doc);
	return 0;
}
