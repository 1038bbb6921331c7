/*
 * cmd_state.c - `hinge state backup FILE`: an online copy of the state
 * database through SQLite's backup API.
 */
#include <stdio.h>
#include <string.h>

#include "agent/cli.h"
#include "state/state.h"

int cmd_state(struct cli *c, int argc, char **argv)
{
	int status;

	if (cli_wants_help(argc, argv) || argc != 3 || strcmp(argv[1], "backup") != 0) {
		fprintf(cli_wants_help(argc, argv) ? stdout : stderr,
			"usage: hinge state backup FILE\n  an online copy of the state database (mode 0600)\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	if ((status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_STATE)) != 0)
		return status;
	status = cli_exit_status(state_backup(c->state, argv[2]));
	if (c->json)
		cli_print_json(json_pack("{s:s, s:s, s:s, s:b, s:i}", "schema", "hinge.state-backup/1",
					 "from", state_path(c->state), "to", argv[2], "ok", status == 0,
					 "schema_version", state_file_version(c->state)));
	else if (status == 0)
		printf("backed up %s to %s\n", state_path(c->state), argv[2]);
	return status;
}
