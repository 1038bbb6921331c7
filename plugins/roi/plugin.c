/*
 * plugin.c - the roi plugin: its ABI block, its settings, and
 * registration of the sync job, the metrics and the `roi` command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plugins/roi/roi.h"
#include "plugins/roi/store.h"

static const struct hinge_setting settings[] = {
	{ "secret_key", HINGE_T_SECRET, 0, NULL, 0, 0,
	  "file (mode 0600) holding the Stripe secret or restricted key" },
	{ "api_base", HINGE_T_STRING, 0, "https://api.stripe.com", 0, 0,
	  "Stripe's API; plain http:// only to a loopback address" },
	{ "sync_interval", HINGE_T_DURATION, 0, "5m", 1, 86400000, "how often the agent syncs" },
	{ "overlap", HINGE_T_DURATION, 0, "1h", 0, 0,
	  "how far before the newest synced transaction a sync starts again" },
	{ "http_timeout", HINGE_T_DURATION, 0, "30s", 1, 600000, "timeout of one request" },
	{ "retries", HINGE_T_INT, 0, "5", 0, 100, "retries of a request on 429, 5xx or no answer" },
	{ "backoff", HINGE_T_DURATION, 0, "500ms", 0, 600000, "first wait before a retry" },
	{ "backoff_max", HINGE_T_DURATION, 0, "30s", 0, 3600000,
	  "longest wait before a retry, Retry-After included" },
	{ "reporting_currency", HINGE_T_STRING, 0, "usd", 0, 0,
	  "the currency of costs, sums and ROI" },
	{ "exchange_rates", HINGE_T_JSON, 0, NULL, 0, 0,
	  "{ eur = \"1.08\"; } : reporting-currency units one unit of each currency buys" },
	{ "time_zone", HINGE_T_STRING, 0, "UTC", 0, 0, "IANA zone periods are cut in" },
	{ "fixed_costs", HINGE_T_JSON, 0, NULL, 0, 0,
	  "( { name = \"hosting\"; amount = \"300.00\"; per = \"month\"; } )" },
	{ "conninfo", HINGE_T_STRING, 0, NULL, 0, 0,
	  "PostgreSQL of the cost query and of table hinge.roi_period" },
	{ "cost_query", HINGE_T_STRING, 0, NULL, 0, 0,
	  "SQL returning one number: the cost in [$1, $2) (timestamptz), major units" },
	{ "metric_window", HINGE_T_DURATION, 0, "1h", 1000, 31536000000.0,
	  "the window of net_revenue_per_hour and refund_rate" },
	{ "textfile", HINGE_T_STRING, 0, NULL, 0, 0,
	  "Prometheus textfile-collector file written after every sync (unset: none)" },
	{ "publish_period", HINGE_T_STRING, 0, "day", 0, 0,
	  "hour, day, week or month: the periods the textfile and hinge.roi_period carry" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static const struct hinge_host *host;

static int parse_rates(struct roi *r, struct roi_conf *cf)
{
	json_t *rates = (json_t *)host->setting_json(r->p, "exchange_rates");
	const char *to = host->setting_str(r->p, "reporting_currency"), *code;
	json_t *v;

	if (roi_currency_decimals(to) < 0) {
		host->log(r->p, HINGE_LOG_ERROR, "reporting_currency (%s): unknown currency \"%s\"",
			  host->setting_where(r->p, "reporting_currency"), to);
		return HINGE_EINVAL;
	}
	snprintf(cf->rates.to, sizeof(cf->rates.to), "%s", to);
	if (rates == NULL)
		return 0;
	if (!json_is_object(rates)) {
		host->log(r->p, HINGE_LOG_ERROR, "exchange_rates (%s) must be a group of rates",
			  host->setting_where(r->p, "exchange_rates"));
		return HINGE_EINVAL;
	}
	if ((cf->rates.rate = calloc(json_object_size(rates) + 1, sizeof(*cf->rates.rate))) == NULL)
		return HINGE_ENOMEM;
	json_object_foreach(rates, code, v) {
		struct roi_rate *rate = &cf->rates.rate[cf->rates.n];
		char num[64];

		if (json_is_string(v))
			snprintf(num, sizeof(num), "%s", json_string_value(v));
		else
			snprintf(num, sizeof(num), "%.9f", json_number_value(v));
		if (roi_currency_decimals(code) < 0 || roi_rate_parse(num, &rate->nano) != 0) {
			host->log(r->p, HINGE_LOG_ERROR, "exchange_rates (%s): \"%s\" needs a"
				  " lower-case currency code and a positive rate",
				  host->setting_where(r->p, "exchange_rates"), code);
			return HINGE_EINVAL;
		}
		snprintf(rate->code, sizeof(rate->code), "%s", code);
		cf->rates.n++;
	}
	return 0;
}

static int parse_settings(struct roi *r, struct roi_conf *cf)
{
	const char *zone = host->setting_str(r->p, "time_zone");
	const char *sql = host->setting_str(r->p, "cost_query");
	char err[256];
	int rc;

	if ((rc = parse_rates(r, cf)) != 0)
		return rc;
	if (roi_period_parse(host->setting_str(r->p, "publish_period"), &cf->publish) != 0) {
		host->log(r->p, HINGE_LOG_ERROR, "publish_period (%s) must be hour, day, week or month",
			  host->setting_where(r->p, "publish_period"));
		return HINGE_EINVAL;
	}
	if (roi_tz_load(zone, &cf->tz) != 0) {
		host->log(r->p, HINGE_LOG_ERROR, "time_zone (%s): no time zone \"%s\"",
			  host->setting_where(r->p, "time_zone"), zone);
		return HINGE_EINVAL;
	}
	rc = roi_fixed_parse((json_t *)host->setting_json(r->p, "fixed_costs"),
			     roi_currency_decimals(cf->rates.to), &cf->fixed, err, sizeof(err));
	if (rc != 0) {
		host->log(r->p, HINGE_LOG_ERROR, "%s (%s)", err,
			  host->setting_where(r->p, "fixed_costs"));
		return rc;
	}
	if (sql != NULL && sql[0] != '\0' && host->setting_str(r->p, "conninfo") == NULL) {
		host->log(r->p, HINGE_LOG_ERROR, "cost_query (%s) needs conninfo",
			  host->setting_where(r->p, "cost_query"));
		return HINGE_EINVAL;
	}
	return 0;
}

/* Free cf and every older one. */
static void conf_free(struct roi_conf *cf)
{
	while (cf != NULL) {
		struct roi_conf *older = cf->older;

		free(cf->rates.rate);
		roi_tz_free(cf->tz);
		roi_fixed_free(&cf->fixed);
		free(cf);
		cf = older;
	}
}

/* A freshly parsed roi_conf into *out: 0 or a HINGE_E* code, logged. */
static int conf_load(struct roi *r, struct roi_conf **out)
{
	struct roi_conf *cf = calloc(1, sizeof(*cf));
	int rc;

	if (cf == NULL)
		return HINGE_ENOMEM;
	if ((rc = parse_settings(r, cf)) != 0) {
		conf_free(cf);
		return rc;
	}
	*out = cf;
	return 0;
}

/*
 * Publish even when the sync failed: the figures then say they are stale.
 * Only the sync's own failure backs the job off; publishing logs its own.
 */
static int sync_job(void *data)
{
	int rc = roi_sync(data);

	roi_publish(data);
	return rc;
}

static int init(struct hinge_plugin *p, const struct hinge_host *h)
{
	struct roi *r = calloc(1, sizeof(*r));
	struct hinge_job job = { .name = "sync", .run = sync_job };
	int rc;

	host = h;
	if (r == NULL)
		return HINGE_ENOMEM;
	r->host = h;
	r->p = p;
	if ((rc = conf_load(r, &r->conf)) != 0) {
		free(r);
		return rc;
	}
	h->plugin_data_set(p, r);
	job.data = r;
	job.interval_ms = h->setting_ms(p, "sync_interval");
	if ((rc = h->register_job(p, &job)) != 0 || (rc = roi_metrics_register(r)) != 0)
		return rc;
	return roi_command_register(r);
}

/* Jobs may be reading the current settings: keep them behind the new. */
static int reload(struct hinge_plugin *p)
{
	struct roi *r = host->plugin_data_get(p);
	struct roi_conf *cf;
	int rc = conf_load(r, &cf);

	if (rc != 0)
		return rc;
	cf->older = r->conf;
	__atomic_store_n(&r->conf, cf, __ATOMIC_RELEASE);
	return 0;
}

static void fini(struct hinge_plugin *p)
{
	struct roi *r = host->plugin_data_get(p);

	if (r == NULL)
		return;
	conf_free(r->conf);
	free(r);
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "roi",
	.version = "1.0.0",
	.description = "revenue from Stripe, costs, and ROI per period and per rollout",
	.settings = settings,
	.migrations = roi_store_migrations,
	.init = init,
	.reload = reload,
	.fini = fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
