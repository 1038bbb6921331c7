/*
 * plugin.c - the migration plugin's ABI block, settings and registration:
 * online, reversible PostgreSQL schema changes.
 */
#include <stdlib.h>

#include "plugins/migration/ddl.h"

static const struct hinge_setting settings[] = {
	{ "conninfo", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the target database (libpq URI or key=value); the password comes from a password file" },
	{ "lock_timeout", HINGE_T_DURATION, 0, "500ms", 1, 3600000,
	  "how long a statement waits for its lock before it gives way" },
	{ "statement_timeout", HINGE_T_DURATION, 0, "0ms", 0, 86400000,
	  "the longest a statement may run; 0ms for no limit" },
	{ "lock_retries", HINGE_T_INT, 0, "5", 0, 1000,
	  "retries of a statement whose lock was not granted" },
	{ "retry_base", HINGE_T_DURATION, 0, "200ms", 1, 3600000,
	  "the first wait before a retry; doubled each time, jittered" },
	{ "retry_max", HINGE_T_DURATION, 0, "10s", 1, 3600000,
	  "the longest wait between retries" },
	{ "long_transaction", HINGE_T_DURATION, 0, "10s", 0, 86400000,
	  "a transaction on the table older than this is waited for before a step locks it" },
	{ "preflight_wait", HINGE_T_DURATION, 0, "5s", 0, 3600000,
	  "how long to wait for such transactions before the step gives way" },
	{ "application_name", HINGE_T_STRING, 0, "hinge/migration", 0, 0,
	  "application_name of the plugin's sessions, as pg_stat_activity shows them" },
	{ "window_days", HINGE_T_STRING, 0, "*", 0, 0,
	  "the days a maintenance window starts: \"sat,sun\", \"mon-fri\", \"*\" for every day" },
	{ "window_hours", HINGE_T_STRING, 0, NULL, 0, 0,
	  "the window's hours, \"01:00-05:00\" (start included, end not; \"22:00-02:00\" crosses midnight)" },
	{ "window_tz", HINGE_T_STRING, 0, "UTC", 0, 0,
	  "the IANA time zone of window_days and window_hours, read by the database (pg_timezone_names)" },
	{ "window_poll", HINGE_T_DURATION, 0, "30s", 1, 3600000,
	  "how often a step with window = true looks again whether the window has opened" },
	{ NULL },
};

static const struct ddl_ops *const typed[] = {
	&mig_add_column_ops, &mig_create_index_ops, &mig_drop_index_ops,
	&mig_set_not_null_ops, &mig_drop_not_null_ops, &mig_add_check_ops, &mig_add_foreign_key_ops,
	&mig_drop_column_ops,
};

/* The plugin is loaded once; fini frees what init allocated. */
static struct mig_ctx *ctx;

int mig_ctx_keep(struct mig_ctx *c, void *ptr)
{
	if (c->nkept >= MIG_MAX_KEPT)
		return HINGE_ENOMEM;
	c->kept[c->nkept++] = ptr;
	return 0;
}

static int migration_init(struct hinge_plugin *p, const struct hinge_host *host)
{
	struct mig_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return HINGE_ENOMEM;
	c->host = host;
	c->p = p;
	ctx = c;
	host->plugin_data_set(p, c);
	if ((rc = mig_window_settings_ok(c)) != 0)
		return rc;
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++)
		if ((rc = mig_ddl_register(c, typed[i])) != 0)
			return rc;
	if ((rc = mig_sql_register(c)) != 0 || (rc = mig_backfill_register(c)) != 0 ||
	    (rc = mig_lock_waiters_register(c)) != 0)
		return rc;
	return 0;
}

static void migration_fini(struct hinge_plugin *p)
{
	(void)p;
	if (ctx != NULL)
		for (int i = 0; i < ctx->nkept; i++)
			free(ctx->kept[i]);
	free(ctx);
	ctx = NULL;
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "migration",
	.version = "0.1.0",
	.description = "online, reversible PostgreSQL schema changes",
	.settings = settings,
	.init = migration_init,
	.fini = migration_fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
