/*
 * plugin.c - the feedback plugin's ABI block, settings and registration.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "endpoint.h"
#include "fb.h"
#include "figures.h"
#include "store.h"

/* The context, for fini, which the host calls with the plugin alone. */
static struct fb *ctx;

static const struct hinge_setting settings[] = {
	{ "conninfo", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the application's PostgreSQL (flags and ratings live there)" },
	{ "token_secret", HINGE_T_SECRET, 0, NULL, 0, 0,
	  "file (mode 0600) with the key that signs feedback tokens" },
	{ "token_ttl", HINGE_T_DURATION, 0, "7d", 1000, 31536000000.0,
	  "how long a token `hinge feedback token` issues stays valid" },
	{ "ratings_table", HINGE_T_STRING, 0, "hinge.feedback_ratings", 0, 0,
	  "table the ratings are read from: id, created_at, transaction_id, user_id, scale, score" },
	{ "segments", HINGE_T_STRINGS, 0, NULL, 0, 0,
	  "columns of the ratings table reports and metrics can split by (plan, flow_step ...);"
	  " the response rate splits by the same names in the segments of the forms shown"
	  " (the endpoint takes them from the form link, &plan=pro, and the token binds them:"
	  " TOKEN.md)" },
	{ "overlap", HINGE_T_DURATION, 0, "5m", 0, 86400000,
	  "how far back each pass re-reads, for rows committed late" },
	{ "batch", HINGE_T_INT, 0, "5000", 1, 1000000,
	  "rows read per query and committed per state transaction" },
	{ "ingest_interval", HINGE_T_DURATION, 0, "1m", 1, 86400000,
	  "how often the agent ingests ratings and runs the trend charts" },
	{ "min_sample", HINGE_T_INT, 0, "30", 1, 1000000000,
	  "fewer ratings than this read as insufficient data" },
	{ "confidence", HINGE_T_DOUBLE, 0, "0.95", 0.5, 0.9999,
	  "confidence level of the intervals" },
	{ "metric_window", HINGE_T_DURATION, 0, "24h", 1, 31536000000.0,
	  "window of the metrics (inside a rollout: since it started, at most this)" },
	{ "cusum_k", HINGE_T_DOUBLE, 0, "0.5", 0.01, 10,
	  "CUSUM allowance, in standard deviations" },
	{ "cusum_h", HINGE_T_DOUBLE, 0, "5", 0.1, 100,
	  "CUSUM decision interval, in standard deviations" },
	{ "alarm_bucket", HINGE_T_DURATION, 0, "1h", 1, 31536000000.0,
	  "the trend charts' sample: one figure per bucket of this length" },
	{ "alarm_baseline", HINGE_T_INT, 0, "24", 2, 100000,
	  "buckets that set the charts' in-control mean and deviation" },
	{ "alarm_history", HINGE_T_DURATION, 0, "30d", 1, 31536000000.0,
	  "how far back the charts look" },
	{ "alarm_min_count", HINGE_T_INT, 0, "10", 1, 1000000000,
	  "buckets with fewer ratings are left out of the charts" },
	{ "endpoint", HINGE_T_BOOL, 0, "false", 0, 0,
	  "serve the feedback form and take ratings over HTTP (agent only)" },
	{ "listen_address", HINGE_T_STRING, 0, "127.0.0.1", 0, 0,
	  "the endpoint's address: loopback, or any with tls_cert and tls_key" },
	{ "tls_cert", HINGE_T_STRING, 0, NULL, 0, 0,
	  "PEM certificate chain: with tls_key the endpoint speaks HTTPS, on any address" },
	{ "tls_key", HINGE_T_SECRET, 0, NULL, 0, 0,
	  "file (mode 0600) with the PEM private key of tls_cert" },
	{ "listen_port", HINGE_T_INT, 0, "8787", 1, 65535, "the endpoint's port" },
	{ "path", HINGE_T_STRING, 0, "/feedback", 0, 0,
	  "URL path of the form (GET) and of submissions (POST)" },
	{ "form_file", HINGE_T_STRING, 0, HINGE_SYSCONFDIR "/hinge/feedback/form.html", 0, 0,
	  "the form template: {{transaction}}, {{user}}, {{token}}, {{action}}" },
	{ "max_body", HINGE_T_SIZE, 0, "4k", 256, 1048576,
	  "largest submission accepted (413 beyond)" },
	{ "rate_limit", HINGE_T_INT, 0, "30", 1, 1000000,
	  "requests per client address per rate_window (429 beyond)" },
	{ "rate_window", HINGE_T_DURATION, 0, "1m", 1, 86400000,
	  "the rate limit's window" },
	{ "request_timeout", HINGE_T_DURATION, 0, "10s", 1000, 3600000,
	  "idle time after which the endpoint drops a connection" },
	{ NULL },
};

static int ingest_job(void *data)
{
	return fb_refresh(data);
}

/*
 * PostgreSQL's notices (the host's "schema hinge already exists,
 * skipping" on every migration check) go to the log at debug level, not
 * to the operator's terminal.
 */
static void notice(void *arg, const char *message)
{
	struct fb *fb = arg;

	fb->h->log(fb->p, HINGE_LOG_DEBUG, "postgresql: %.*s", (int)strcspn(message, "\n"),
		   message);
}

int fb_pg_open(struct fb *fb, void **conn)
{
	int rc = fb->h->pg_connect(fb->p, fb->h->setting_str(fb->p, "conninfo"),
				   conn);

	if (rc < 0)
		return rc;
	PQsetNoticeProcessor(*conn, notice, fb);
	rc = fb->h->pg_migrate(fb->p, *conn, fb_pg_migrations);
	if (rc < 0) {
		fb->h->log(fb->p, HINGE_LOG_ERROR,
			   "cannot migrate schema hinge for the feedback tables");
		PQfinish(*conn);
		*conn = NULL;
	}
	return rc;
}

static int init(struct hinge_plugin *p, const struct hinge_host *host)
{
	struct fb *fb = calloc(1, sizeof(*fb));
	struct hinge_job job = { .name = "ingest", .run = ingest_job };
	int rc;

	if (fb == NULL)
		return HINGE_ENOMEM;
	fb->p = p;
	fb->h = host;
	ctx = fb;
	host->plugin_data_set(p, fb);
	job.interval_ms = host->setting_ms(p, "ingest_interval");
	job.data = fb;
	if ((rc = fb_exposure_register(fb)) < 0 ||
	    (rc = fb_metrics_register(fb)) < 0 ||
	    (rc = host->register_job(p, &job)) < 0 ||
	    (rc = fb_endpoint_register(fb)) < 0 ||
	    (rc = fb_command_register(fb)) < 0)
		return rc;
	return 0;
}

static void fini(struct hinge_plugin *p)
{
	(void)p;
	free(ctx);
	ctx = NULL;
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "feedback",
	.version = "0.1.0",
	.description = "staged feedback form, CSAT and NPS with intervals, trend alarms",
	.settings = settings,
	.migrations = fb_state_migrations,
	.init = init,
	.fini = fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
