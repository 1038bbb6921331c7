/*
 * main.c - `hinge`: global options and dispatch to a command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "agent/cli.h"
#include "agent/host.h"
#include "agent/log.h"
#include "agent/registry.h"

struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "version", cmd_version, "version" },
	{ "config", cmd_config, "config check" },
	{ "plugins", cmd_plugins, "plugins" },
	{ "metrics", cmd_metrics, "metrics" },
	{ "state", cmd_state, "state backup FILE" },
	{ "agent", cmd_agent, "agent" },
	{ "rollout", cmd_rollout, "rollout plan|start|status|show|history|events|promote|pause|abort|rollback|resume|finalize|repair ..." },
	{ "freeze", cmd_freeze, "freeze on|off [--reason T]" },
	{ "artifacts", cmd_artifacts, "artifacts verify [ID]" },
	{ "fleet", cmd_fleet, "fleet hosts | start | status | promote | abort | rollback | retry | drain | history | events" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hinge [-c FILE] [--json] COMMAND ...\n\ncommands:\n");
	for (const struct command *c = commands; c->name != NULL; c++)
		fprintf(f, "  %s\n", c->usage);
	fprintf(f, "  PLUGIN-COMMAND ...   commands of the enabled plugins (see hinge plugins)\n"
		   "\nconfig: -c FILE, else $HINGE_CONFIG, else the system's hinge.conf\n"
		   "exit statuses: 0 done, 1 failed, 2 bad usage or input, 3 busy,\n"
		   "               4 needs an operator, 5 unavailable; see hinge(1)\n");
}

/* Whether a plugin's command printed its own JSON document. */
static int plugin_printed;

/* A plugin's command: load the plugins, then find it. */
static int run_plugin_command(struct cli *c, int argc, char **argv)
{
	const struct reg_command *rc;
	struct hinge_command cmd = { .json = c->json, .printed = 0 };

	plugin_printed = 0;
	int status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_STATE | CLI_NEED_PLUGINS);

	if (status != 0)
		return status;
	rc = registry_command(argv[0]);
	if (rc == NULL) {
		fprintf(stderr, "hinge: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		return 2;
	}
	if (cli_wants_help(argc, argv)) {
		printf("usage: hinge %s\n%s\n", rc->c.usage, rc->c.description ? rc->c.description : "");
		return 0;
	}
	status = rc->c.run(rc->c.data, &cmd, argc, argv);
	plugin_printed = cmd.printed;
	if (c->json && !cmd.printed && status == 0) {
		fprintf(stderr, "hinge: %s printed no JSON document\n", argv[0]);
		return 1;
	}
	return status;
}

/* Take the global options out of argv; --json may come anywhere. */
static int parse_globals(struct cli *c, int *argc, char **argv)
{
	int out = 0, i;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (; i < *argc; i++)
				argv[out++] = argv[i];
			break;
		}
		if (strcmp(argv[i], "--json") == 0) {
			c->json = 1;
		} else if (out == 0 && (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0)) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "hinge: %s needs a file\n", argv[i]);
				return 2;
			}
			c->config_path = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int status;

	if ((status = parse_globals(&c, &argc, argv)) != 0)
		return status;
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		usage(stdout);
		return 0;
	}
	/* Library-global setup happens here, once, never in a plugin. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	status = -1;
	for (const struct command *cmd = commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, argv[0]) == 0)
			status = cmd->run(&c, argc, argv);
	if (status < 0)
		status = run_plugin_command(&c, argc, argv);
	/* With --json a failure is a document too: the status and the first error. */
	if (c.json && status != 0 && !cli_json_printed() && !plugin_printed)
		cli_print_json(json_pack("{s:s, s:s, s:i, s:s}", "schema", "hinge.error/1",
					 "command", argv[0], "exit", status, "error", log_first_error()));
	cli_release(&c, status == 2);
	curl_global_cleanup();
	return status;
}
