/*
 * plugin.c - bias_audit: the ABI block, settings, metrics, the scheduled
 * audit and the registration of the `audit` command.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "plugins/bias_audit/bias.h"
#include "plugins/bias_audit/fresh.h"
#include "plugins/bias_audit/http.h"
#include "plugins/bias_audit/store.h"

/* The host table, for fini and reload, which get only the plugin. */
static const struct hinge_host *host;

static const struct hinge_setting settings[] = {
	{ "source", HINGE_T_STRING, 0, "csv", 0, 0,
	  "where decisions come from: csv (csv_path) or postgresql (conninfo, query)" },
	{ "csv_path", HINGE_T_STRING, 0, NULL, 0, 0,
	  "a CSV file (RFC 4180, header row) of one decision per row" },
	{ "conninfo", HINGE_T_STRING, 0, NULL, 0, 0,
	  "PostgreSQL conninfo of the decisions' database (no password: use a password file)" },
	{ "query", HINGE_T_STRING, 0, NULL, 0, 0,
	  "SQL returning one row per decision, with the columns named below" },
	{ "attributes", HINGE_T_STRINGS, HINGE_P_REQUIRED, NULL, 0, 0,
	  "columns of the protected attributes to audit" },
	{ "prediction_column", HINGE_T_STRING, 0, NULL, 0, 0,
	  "column of the decision (0/1, true/false); or use score_column" },
	{ "score_column", HINGE_T_STRING, 0, NULL, 0, 0,
	  "column of a score; the decision is score >= score_threshold" },
	{ "score_threshold", HINGE_T_DOUBLE, 0, "0.5", 0, 0, "the score a positive decision needs" },
	{ "label_column", HINGE_T_STRING, 0, NULL, 0, 0,
	  "column of the true outcome (0/1, empty when unknown); needed for TPR/FPR figures" },
	{ "intersections", HINGE_T_BOOL, 0, "true", 0, 0,
	  "also audit the combinations of all attributes" },
	{ "thresholds", HINGE_T_JSON, 0, "{\"disparate_impact_min\": 0.8}", 0, 0,
	  "the policy: demographic_parity_diff_max, disparate_impact_min, "
	  "equal_opportunity_diff_max, equalized_odds_diff_max, fpr_ratio_min, fnr_ratio_min" },
	{ "reference", HINGE_T_JSON, 0, NULL, 0, 0,
	  "reference group per attribute, e.g. { race = \"Caucasian\"; }" },
	{ "min_group_size", HINGE_T_INT, 0, "30", 1, 1e12,
	  "groups with fewer rows are reported as insufficient data" },
	{ "z", HINGE_T_DOUBLE, 0, "1.96", 0.1, 10,
	  "width of Wilson and Newcombe intervals in standard errors (1.96: 95%)" },
	{ "inconclusive_fails", HINGE_T_BOOL, 0, "true", 0, 0,
	  "an INCONCLUSIVE audit makes bias_audit.pass read 0" },
	{ "max_age", HINGE_T_DURATION, 0, "0ms", 0, 0,
	  "metrics read no data from an audit older than this (0ms: any age)" },
	{ "schedule", HINGE_T_DURATION, 0, "0ms", 0, 0,
	  "how often the agent runs an audit (0ms: never)" },
	{ "baseline", HINGE_T_INT, 0, "0", 0, 1e15,
	  "audit id that drift is measured against (0: the latest audit that passed)" },
	{ "psi_max", HINGE_T_DOUBLE, 0, "0.2", 0, 100,
	  "a population stability index above this raises an alarm" },
	{ "worsen_max", HINGE_T_DOUBLE, 0, "0.05", 0, 1,
	  "a figure worse than its baseline by more than this raises an alarm" },
	{ "probe_url", HINGE_T_STRING, 0, NULL, 0, 0,
	  "the model's scoring endpoint (https; http only to loopback), POSTed JSON" },
	{ "probe_request", HINGE_T_JSON, 0, NULL, 0, 0,
	  "the request body: \"{{column}}\" strings become the record's values, "
	  "\"{{column:number}}\" numbers" },
	{ "probe_score_path", HINGE_T_STRING, 0, "score", 0, 0,
	  "dotted path of the score in the answer, e.g. result.scores.0" },
	{ "probe_threshold", HINGE_T_DOUBLE, 0, "0.5", 0, 0,
	  "the score a positive decision of the model needs" },
	{ "probe_attribute", HINGE_T_STRING, 0, NULL, 0, 0, "the protected attribute the probe swaps" },
	{ "probe_swap", HINGE_T_JSON, 0, NULL, 0, 0,
	  "each value of probe_attribute and its counterfactual, e.g. { F = \"M\"; M = \"F\"; }" },
	{ "probe_sample", HINGE_T_INT, 0, "200", 1, 1000000, "records the probe sends" },
	{ "probe_seed", HINGE_T_INT, 0, "1", 1, 1e15, "seed of the probe's sample (same seed, same records)" },
	{ "probe_timeout", HINGE_T_DURATION, 0, "5s", 1, 600000, "timeout of one call of the model" },
	{ "flip_rate_max", HINGE_T_DOUBLE, 0, "0.05", 0, 1,
	  "the probe fails when a larger share of decisions flips" },
	{ "score_min", HINGE_T_DOUBLE, 0, "0", 0, 0, "low end of the score histogram" },
	{ "score_max", HINGE_T_DOUBLE, 0, "1", 0, 0, "high end of the score histogram" },
	{ "score_bins", HINGE_T_INT, 0, "10", 1, 1000, "bins of the score histogram" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static int bad_setting(struct bias *b, const char *key, const char *msg)
{
	b->h->log(b->p, HINGE_LOG_ERROR, "%s: %s: %s", b->h->setting_where(b->p, key), key, msg);
	return HINGE_EINVAL;
}

/* The attributes into spec, in a new array the caller owns (*attrs). */
static int configure_attrs(struct bias *b, struct bias_spec *spec, const char ***attrs)
{
	const json_t *list = (const json_t *)b->h->setting_json(b->p, "attributes");
	size_t i;
	json_t *v;

	if (json_array_size(list) == 0)
		return bad_setting(b, "attributes", "name at least one column");
	if ((*attrs = calloc(json_array_size(list), sizeof(**attrs))) == NULL)
		return HINGE_ENOMEM;
	json_array_foreach(list, i, v) {
		(*attrs)[i] = json_string_value(v);
		if ((*attrs)[i] == NULL || *(*attrs)[i] == '\0')
			return bad_setting(b, "attributes", "column names are non-empty strings");
	}
	spec->attrs = *attrs;
	spec->n_attrs = json_array_size(list);
	return 0;
}

static int configure_policy(struct bias *b, struct bias_policy *p)
{
	const json_t *ref = (const json_t *)b->h->setting_json(b->p, "reference");
	const char *key;
	char err[256];
	json_t *v;

	if (bias_policy_thresholds(p, (const json_t *)b->h->setting_json(b->p, "thresholds"),
				   err, sizeof(err)) != 0)
		return bad_setting(b, "thresholds", err + strlen("thresholds: "));
	if (ref != NULL && !json_is_object(ref))
		return bad_setting(b, "reference", "must be a group of attribute = \"value\"");
	json_object_foreach((json_t *)ref, key, v) {
		if (!json_is_string(v))
			return bad_setting(b, "reference", "values must be strings");
	}
	p->min_group = (uint64_t)b->h->setting_int(b->p, "min_group_size");
	p->z = b->h->setting_double(b->p, "z");
	p->reference = ref;
	return 0;
}

static int configure_columns(struct bias *b, struct bias_spec *spec)
{
	const struct hinge_host *h = b->h;

	spec->prediction = h->setting_str(b->p, "prediction_column");
	spec->score = h->setting_str(b->p, "score_column");
	if (spec->prediction == NULL && spec->score == NULL)
		return bad_setting(b, "prediction_column", "set prediction_column or score_column");
	spec->threshold = h->setting_double(b->p, "score_threshold");
	spec->label = h->setting_str(b->p, "label_column");
	spec->intersections = h->setting_bool(b->p, "intersections");
	spec->score_lo = h->setting_double(b->p, "score_min");
	spec->score_hi = h->setting_double(b->p, "score_max");
	if (spec->score_hi <= spec->score_lo)
		return bad_setting(b, "score_max", "must be above score_min");
	spec->bins = spec->score ? (size_t)h->setting_int(b->p, "score_bins") : 0;
	return 0;
}

/* Everything is checked before anything changes: a bad reload keeps the
 * configuration that was working. */
int bias_configure(struct bias *b)
{
	const char *source = b->h->setting_str(b->p, "source");
	const char *url = b->h->setting_str(b->p, "probe_url");
	struct bias_spec spec = { 0 };
	struct bias_policy policy = { 0 };
	const char **attrs = NULL;
	char err[256];
	int rc;

	if (strcmp(source, "csv") != 0 && strcmp(source, "postgresql") != 0)
		rc = bad_setting(b, "source", "must be \"csv\" or \"postgresql\"");
	else if (strcmp(source, "postgresql") == 0 && (b->h->setting_str(b->p, "conninfo") == NULL ||
						     b->h->setting_str(b->p, "query") == NULL))
		rc = bad_setting(b, "source", "\"postgresql\" needs conninfo and query");
	else if (url != NULL && bias_http_url_ok(url, err, sizeof(err)) != 0)
		rc = bad_setting(b, "probe_url", err + strlen("probe_url: "));
	else if ((rc = configure_attrs(b, &spec, &attrs)) == 0 &&
		 (rc = configure_policy(b, &policy)) == 0)
		rc = configure_columns(b, &spec);
	if (rc != 0) {
		free(attrs);
		return rc;
	}
	free(b->attrs);
	b->attrs = attrs;
	b->spec = spec;
	b->policy = policy;
	return 0;
}

/* The latest audit that may answer the gate's read q, or HINGE_ENODATA. */
static int latest(struct bias *b, const struct hinge_mquery *q, json_t **audit)
{
	struct hinge_db *db;
	int rc;

	if ((rc = b->h->db_open(b->p, &db)) != 0)
		return rc;
	rc = bias_store_get(b->h->db_sqlite(db), 0, audit);
	b->h->db_close(db);
	if (rc == 0 && (rc = bias_audit_fresh(*audit, bias_now_ms(), b->h->setting_ms(b->p, "max_age"),
					      b->h->mq_stage_start_ms(q))) != 0) {
		json_decref(*audit);
		*audit = NULL;
	}
	return rc;
}

static int read_pass(void *data, const struct hinge_mquery *q, double *out)
{
	struct bias *b = data;
	json_t *audit;
	const char *v;
	int rc;

	if ((rc = latest(b, q, &audit)) != 0)
		return rc;
	v = json_string_value(json_object_get(audit, "verdict"));
	*out = strcmp(v, "PASS") == 0 ||
	       (strcmp(v, "INCONCLUSIVE") == 0 && !b->h->setting_bool(b->p, "inconclusive_fails"));
	json_decref(audit);
	return 0;
}

static int read_summary(struct bias *b, const struct hinge_mquery *q, const char *key, double *out)
{
	json_t *audit, *v;
	int rc;

	if ((rc = latest(b, q, &audit)) != 0)
		return rc;
	v = json_object_get(json_object_get(json_object_get(audit, "results"), "summary"), key);
	rc = json_is_number(v) ? 0 : HINGE_ENODATA;
	if (rc == 0)
		*out = json_number_value(v);
	json_decref(audit);
	return rc;
}

static int read_di(void *data, const struct hinge_mquery *q, double *out)
{
	return read_summary(data, q, "disparate_impact_min", out);
}

static int read_eodds(void *data, const struct hinge_mquery *q, double *out)
{
	return read_summary(data, q, "equalized_odds_diff_max", out);
}

static int read_flip_rate(void *data, const struct hinge_mquery *q, double *out)
{
	struct bias *b = data;
	struct hinge_db *db;
	json_t *probe, *v;
	int rc;

	if ((rc = b->h->db_open(b->p, &db)) != 0)
		return rc;
	rc = bias_store_probe_latest(b->h->db_sqlite(db), &probe);
	b->h->db_close(db);
	if (rc != 0)
		return rc;
	v = json_object_get(probe, "flip_rate");
	rc = bias_audit_fresh(probe, bias_now_ms(), b->h->setting_ms(b->p, "max_age"),
			      b->h->mq_stage_start_ms(q));
	if (rc == 0 && !json_is_number(v))
		rc = HINGE_ENODATA;
	if (rc == 0)
		*out = json_number_value(v);
	json_decref(probe);
	return rc;
}

/* The scheduled audit: a completed audit is a success whatever its verdict. */
static int scheduled(void *data)
{
	json_t *audit;
	int rc = bias_audit_run(data, NULL, &audit);

	json_decref(audit);
	return rc == HINGE_EFAIL ? 0 : rc;
}

static int init(struct hinge_plugin *p, const struct hinge_host *h)
{
	struct bias *b = calloc(1, sizeof(*b));
	const struct hinge_metric metrics[] = {
		{ .name = "pass", .read = read_pass, .data = b,
		  .description = "1 when the latest audit passed, else 0" },
		{ .name = "disparate_impact_min", .read = read_di, .data = b,
		  .description = "smallest disparate impact ratio of the latest audit" },
		{ .name = "eq_odds_diff_max", .read = read_eodds, .data = b,
		  .description = "largest equalized odds difference of the latest audit" },
		{ .name = "flip_rate", .read = read_flip_rate, .data = b,
		  .description = "share of decisions the latest probe flipped by swapping the attribute" },
	};
	const struct hinge_cmd cmd = {
		.name = "audit", .usage = "audit run [--csv FILE] | history [--limit N] | show ID | trend [--limit N]"
			 " | probe [--csv FILE]",
		.description = "fairness audits of model decisions", .run = bias_cmd_audit, .data = b,
	};
	struct hinge_job job = { .name = "audit", .run = scheduled, .data = b };
	int rc;

	host = h;
	if (b == NULL)
		return HINGE_ENOMEM;
	b->h = h;
	b->p = p;
	pthread_mutex_init(&b->lock, NULL);
	if ((rc = bias_configure(b)) != 0) {
		pthread_mutex_destroy(&b->lock);
		free(b->attrs);
		free(b);
		return rc;
	}
	h->plugin_data_set(p, b);
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if ((rc = h->register_metric(p, &metrics[i])) != 0)
			return rc;
	job.interval_ms = h->setting_ms(p, "schedule");
	if (job.interval_ms > 0 && (rc = h->register_job(p, &job)) != 0)
		return rc;
	return h->register_command(p, &cmd);
}

static int reload(struct hinge_plugin *p)
{
	struct bias *b = host->plugin_data_get(p);
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = bias_configure(b);
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* Registrations carry b without a free function: it is freed here, once. */
static void fini(struct hinge_plugin *p)
{
	struct bias *b = host->plugin_data_get(p);

	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b->attrs);
	free(b);
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "bias_audit",
	.version = "0.1.0",
	.description = "fairness audits of AI-model decisions with pass/fail gates",
	.settings = settings,
	.migrations = bias_store_migrations,
	.init = init,
	.reload = reload,
	.fini = fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
