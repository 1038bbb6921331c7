/*
 * plugin.c - the feedback plugin's ABI block, settings and registration.
 */
#include <stdlib.h>

#include <libpq-fe.h>

#include "fb.h"

/* The context, for fini, which the host calls with the plugin alone. */
static struct fb *ctx;

static const struct hinge_setting settings[] = {
	{ "conninfo", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the application's PostgreSQL (flags and ratings live there)" },
	{ "token_secret", HINGE_T_SECRET, 0, NULL, 0, 0,
	  "file (mode 0600) with the key that signs feedback tokens" },
	{ "token_ttl", HINGE_T_DURATION, 0, "7d", 1000, 31536000000.0,
	  "how long a token `hinge feedback token` issues stays valid" },
	{ NULL },
};

int fb_pg_open(struct fb *fb, void **conn)
{
	int rc = fb->h->pg_connect(fb->p, fb->h->setting_str(fb->p, "conninfo"),
				   conn);

	if (rc < 0)
		return rc;
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
	int rc;

	if (fb == NULL)
		return HINGE_ENOMEM;
	fb->p = p;
	fb->h = host;
	ctx = fb;
	host->plugin_data_set(p, fb);
	if ((rc = fb_exposure_register(fb)) < 0 ||
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
	.init = init,
	.fini = fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
