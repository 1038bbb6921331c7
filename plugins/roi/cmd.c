/*
 * cmd.c - `hinge roi report [--period P] [--since D]`, `hinge roi report
 * --rollout ID` (see cmd_rollout.c), `hinge roi compare --at TIME
 * [--window D]` and `hinge roi sync`.  The text a person reads
 * is rendered from the same document --json prints.
 */
#include <stdio.h>
#include <string.h>

#include "plugins/roi/roi.h"
#include "plugins/roi/store.h"

#define USAGE "roi report [--period hour|day|week|month] [--since 30d]" \
	" | roi report --rollout ID | roi compare --at TIME [--window D] | roi sync"

static int add(void *arg, const struct roi_txn *x)
{
	return roi_report_add(arg, x);
}

static const char *s(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "-";
}

static void print_row(const char *label, json_t *p)
{
	json_t *roi = json_object_get(p, "roi");
	char pct[32] = "-";

	if (json_is_number(roi))
		snprintf(pct, sizeof(pct), "%.1f%%", json_number_value(roi) * 100);
	printf("%-20s %12s %10s %10s %10s %12s %12s %8s\n", label, s(p, "gross"),
	       s(p, "refunds"), s(p, "disputes"), s(p, "fees"), s(p, "net"), s(p, "cost"), pct);
}

static void print_text(json_t *doc)
{
	const char *key;
	json_t *p, *v;
	size_t i;

	printf("%-20s %12s %10s %10s %10s %12s %12s %8s   (%s)\n", "period", "gross", "refunds",
	       "disputes", "fees", "net", "cost", "roi", s(doc, "currency"));
	json_array_foreach(json_object_get(doc, "periods"), i, p)
		print_row(s(p, "start"), p);
	print_row("total", json_object_get(doc, "total"));
	if (json_integer_value(json_object_get(json_object_get(doc, "total"),
					       "unconverted_currencies")) > 0)
		printf("some currencies have no exchange rate: see --json for their totals\n");
	json_object_foreach(json_object_get(doc, "delta_pct"), key, v) {
		if (json_is_number(v))
			printf("%s after vs before: %+.1f%%\n", key, json_number_value(v));
		else
			printf("%s after vs before: - (nothing before)\n", key);
	}
	if (json_is_true(json_object_get(doc, "stale")))
		printf("stale: %s\n", s(doc, "last_error"));
	if (json_is_true(json_object_get(doc, "costs_stale")))
		printf("costs stale: %s\n", s(doc, "cost_error"));
}

/*
 * Fill rep from the state database and PostgreSQL, free it, and return
 * its document (NULL with *status set when the state database fails).
 */
static json_t *build(struct roi *r, struct roi_report *rep, int *status)
{
	struct roi_sync_state st;
	struct hinge_db *db;
	char cost_err[512] = "";
	int rc, cost_stale = 0;
	json_t *doc;

	if ((rc = r->host->db_open(r->p, &db)) == 0) {
		rc = roi_store_load(r->host->db_sqlite(db), &st);
		if (rc == 0)
			rc = roi_store_scan(r->host->db_sqlite(db), rep->b[0].start,
					    rep->b[rep->n - 1].end, add, rep);
		if (rc == 0)
			rc = roi_costs_fill(r, db, rep, &cost_stale, cost_err, sizeof(cost_err));
		r->host->db_close(db);
		if (rc != 0)
			r->host->log(r->p, HINGE_LOG_ERROR, "cannot read the state database");
	}
	if (rc != 0) {
		roi_report_free(rep);
		*status = 5;
		return NULL;
	}
	doc = roi_report_json(rep, &roi_conf(r)->rates,
			      st.last_error[0] != '\0' || st.last_ok_ms == 0,
			      st.last_ok_ms == 0 ? "never synced" : st.last_error, st.last_ok_ms);
	roi_report_free(rep);
	json_object_set_new(doc, "costs_stale", json_boolean(cost_stale));
	json_object_set_new(doc, "cost_error", cost_stale ? json_string(cost_err) : json_null());
	return doc;
}

static int print(struct roi *r, struct hinge_command *cmd, json_t *doc)
{
	if (r->host->cmd_json(cmd))
		return r->host->cmd_print_json(cmd, (struct hinge_json *)doc) == 0 ? 0 : 5;
	print_text(doc);
	json_decref(doc);
	return 0;
}

static int bad_arg(const char *arg)
{
	fprintf(stderr, "hinge roi: bad argument \"%s\"\nusage: hinge %s\n", arg, USAGE);
	return 2;
}

static int report(struct roi *r, struct hinge_command *cmd, int argc, char **argv)
{
	enum roi_period period = ROI_DAY;
	int64_t since = 30LL * 86400000, now = roi_now_ms() / 1000;
	const char *rollout = NULL;
	struct roi_report rep;
	int rc, status = 0, periods = 0;
	json_t *doc;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--period") == 0 && i + 1 < argc &&
		    roi_period_parse(argv[i + 1], &period) == 0)
			periods = ++i;
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc &&
			 roi_duration_parse(argv[i + 1], &since) == 0)
			periods = ++i;
		else if (strcmp(argv[i], "--rollout") == 0 && i + 1 < argc && rollout == NULL)
			rollout = argv[++i];
		else
			return bad_arg(argv[i]);
	}
	if (rollout != NULL && periods) {
		fprintf(stderr, "hinge roi: report --rollout cuts its own windows: it takes no"
			" --period or --since\nusage: hinge %s\n", USAGE);
		return 2;
	}
	if (rollout != NULL)
		return roi_rollout_report(r, cmd, rollout);
	if ((rc = roi_report_init(&rep, period, roi_conf(r)->tz, now - since / 1000, now + 1)) != 0) {
		if (rc == HINGE_ENOMEM)
			return 5;
		fprintf(stderr, "hinge roi: more than %d periods: ask for a longer --period or a"
			" shorter --since\n", ROI_MAX_PERIODS);
		return 2;
	}
	doc = build(r, &rep, &status);
	return doc != NULL ? print(r, cmd, doc) : status;
}

/* The change of one figure of the document's periods, after vs before. */
static json_t *delta(json_t *doc, const char *key)
{
	json_t *p = json_object_get(doc, "periods");
	int64_t before, after;
	double pct;

	if (roi_money_parse(json_string_value(json_object_get(json_array_get(p, 0), key)), 9,
			    &before) != 0 ||
	    roi_money_parse(json_string_value(json_object_get(json_array_get(p, 1), key)), 9,
			    &after) != 0 ||
	    roi_delta_pct(before, after, &pct) != 0)
		return json_null();
	return json_real(pct);
}

/*
 * `roi compare --at TIME [--window D]`: the window before TIME against
 * the window after it, of equal length (by default, all the time since
 * TIME): what a rollout started at TIME did to revenue.
 */
static int compare(struct roi *r, struct hinge_command *cmd, int argc, char **argv)
{
	int64_t now = roi_now_ms() / 1000, at = -1, window = 0, bounds[3];
	struct roi_report rep;
	int status = 0;
	json_t *doc, *d;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--at") == 0 && i + 1 < argc &&
		    roi_time_parse(argv[i + 1], &at) == 0)
			i++;
		else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc &&
			 roi_duration_parse(argv[i + 1], &window) == 0)
			i++;
		else
			return bad_arg(argv[i]);
	}
	if (at < 0 || at >= now) {
		fprintf(stderr, "hinge roi: compare needs --at TIME in the past\nusage: hinge %s\n",
			USAGE);
		return 2;
	}
	/* Equal windows: the one after may not reach past now. */
	window = window > 0 && window / 1000 < now - at ? window / 1000 : now - at;
	bounds[0] = at - window;
	bounds[1] = at;
	bounds[2] = at + window;
	if (roi_report_windows(&rep, bounds, 3) != 0)
		return 5;
	if ((doc = build(r, &rep, &status)) == NULL)
		return status;
	json_object_set_new(doc, "schema", json_string("hinge.roi.compare/1"));
	d = json_object();
	json_object_set_new(d, "net", delta(doc, "net"));
	json_object_set_new(d, "gross", delta(doc, "gross"));
	json_object_set_new(d, "refunds", delta(doc, "refunds"));
	json_object_set_new(doc, "delta_pct", d);
	return print(r, cmd, doc);
}

static int run(void *data, struct hinge_command *cmd, int argc, char **argv)
{
	struct roi *r = data;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return report(r, cmd, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "compare") == 0)
		return compare(r, cmd, argc, argv);
	if (argc == 2 && strcmp(argv[1], "sync") == 0) {
		rc = roi_sync(r);
		if (roi_publish(r) != 0 && rc == 0)
			rc = HINGE_EUNAVAIL;
		if (r->host->cmd_json(cmd))
			r->host->cmd_print_json(cmd, (struct hinge_json *)json_pack(
				"{s:s, s:b}", "schema", "hinge.roi.sync/1", "ok", rc == 0));
		else if (rc == 0)
			printf("synced\n");
		return rc == 0 ? 0 : rc == HINGE_EINVAL ? 2 : rc == HINGE_EFAIL ? 1 : 5;
	}
	fprintf(stderr, "usage: hinge %s\n", USAGE);
	return 2;
}

int roi_command_register(struct roi *r)
{
	const struct hinge_cmd c = {
		.name = "roi", .usage = USAGE, .run = run, .data = r,
		.description = "revenue from Stripe, costs and ROI per period",
	};

	return r->host->register_command(r->p, &c);
}
