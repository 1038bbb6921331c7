/*
 * cli.c - what every command shares: preparing config, state and plugins,
 * exit statuses, and printing the one JSON document.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cli.h"
#include "agent/config.h"
#include "agent/host.h"
#include "agent/loader.h"
#include "agent/log.h"
#include "state/state.h"

int cli_exit_status(int err)
{
	switch (err) {
	case HINGE_OK: return 0;
	case HINGE_EFAIL: return 1;
	case HINGE_EINVAL: return 2;
	case HINGE_EBUSY: return 3;
	case HINGE_EOPERATOR: return 4;
	case HINGE_EUNAVAIL:
	case HINGE_ENOMEM: return 5;
	default: return 1;
	}
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* Whether this command printed its JSON document (stdout gets only one). */
static int json_printed;

int cli_json_printed(void)
{
	return json_printed;
}

int cli_print_json(json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_printed = 1;
	json_decref(doc);
	if (text == NULL)
		return 5;
	puts(text);
	free(text);
	return 0;
}

/* The state database's folder is made (0700) when it is missing. */
void cli_make_state_dir(struct cli *c, const char *path)
{
	char *copy = strdup(path);

	if (copy == NULL)
		return;
	if (mkdir(dirname(copy), 0700) == 0)
		c->created_dir = copy;
	else {
		if (errno != EEXIST)
			hlog(HINGE_LOG_DEBUG, "hinge", "cannot create the folder of \"%s\": %m", path);
		free(copy);
	}
}

void cli_apply_agent_settings(struct cli *c)
{
	log_configure((enum hinge_log_level)log_level_parse(settings_str(c->config->agent, "log_level")),
		      strcmp(settings_str(c->config->agent, "log_target"), "syslog") == 0
			      ? LOG_TARGET_SYSLOG : LOG_TARGET_STDERR);
	host_set_http(settings_str(c->config->agent, "http_ca_bundle"),
		      settings_str(c->config->agent, "http_proxy"));
	state_set_busy_timeout((int)settings_ms(c->config->agent, "busy_timeout"));
}

static int prepare_config(struct cli *c)
{
	int rc;

	if (c->config != NULL)
		return 0;
	rc = config_load(c->config_path ? c->config_path : config_default_path(), &c->config);
	if (rc != 0)
		return cli_exit_status(rc);
	cli_apply_agent_settings(c);
	return 0;
}

int cli_prepare(struct cli *c, int need)
{
	int rc;

	if ((rc = prepare_config(c)) != 0)
		return rc;
	if ((need & CLI_NEED_STATE) && c->state == NULL) {
		const char *path = settings_str(c->config->agent, "state_db");

		cli_make_state_dir(c, path);
		if (access(path, F_OK) != 0)
			c->created_state = strdup(path);
		rc = state_open(path, STATE_CREATE | STATE_CHECK, &c->state);
		if (rc != 0)
			return cli_exit_status(rc);
		host_set_state_path(path);
	}
	if ((need & CLI_NEED_PLUGINS) && !c->plugins_loaded) {
		c->plugins_loaded = 1;
		rc = loader_load_all(c->config, c->state);
		if (rc != 0)
			return cli_exit_status(rc);
	}
	return 0;
}

static void discard_created(struct cli *c)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", ".agent-lock" };
	char path[4200];

	for (size_t i = 0; c->created_state != NULL && i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", c->created_state, suffixes[i]);
		unlink(path);
	}
	if (c->created_dir != NULL)
		rmdir(c->created_dir);
}

void cli_release(struct cli *c, int discard)
{
	if (c->plugins_loaded)
		loader_shutdown();
	host_release_thread_state();
	state_close(c->state);
	config_free(c->config);
	host_set_state_path(NULL);
	host_release_http();
	if (discard)
		discard_created(c);
	free(c->created_state);
	free(c->created_dir);
	c->created_state = c->created_dir = NULL;
	c->state = NULL;
	c->config = NULL;
}
