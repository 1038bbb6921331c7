/*
 * cmd_freeze.c - `hinge freeze on|off [--reason T]`: while frozen no
 * rollout starts (exit 3) and running ones hold before their next step;
 * abort and rollback still get through.
 */
#include <stdio.h>
#include <string.h>

#include "agent/cli.h"
#include "agent/engine.h"

int cmd_freeze(struct cli *c, int argc, char **argv)
{
	const char *reason = NULL;
	json_t *doc = NULL;
	int status, rc, on;

	if (argc == 4 && strcmp(argv[2], "--reason") == 0)
		reason = argv[3];
	if (cli_wants_help(argc, argv) || (argc != 2 && !(argc == 4 && reason)) ||
	    (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0)) {
		fprintf(cli_wants_help(argc, argv) ? stdout : stderr,
			"usage: hinge freeze on|off [--reason T]\n  no rollout starts or advances while frozen\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	on = strcmp(argv[1], "on") == 0;
	if ((status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_STATE)) != 0)
		return status;
	rc = engine_freeze(c->state, on, reason, &doc);
	if (c->json)
		cli_print_json(doc);
	else {
		printf("rollouts %s\n", on ? "frozen" : "thawed");
		json_decref(doc);
	}
	return cli_exit_status(rc);
}
