/*
 * cmd_artifacts.c - `hinge artifacts verify [ID]`: re-rehearse the stored
 * rollback artifacts now; exit 1 when one is stale.
 */
#include <stdio.h>
#include <string.h>

#include "agent/cli.h"
#include "agent/config.h"
#include "agent/engine.h"

int cmd_artifacts(struct cli *c, int argc, char **argv)
{
	json_t *doc = NULL, *a;
	int status, rc;
	size_t i;

	if (cli_wants_help(argc, argv) || argc < 2 || argc > 3 || strcmp(argv[1], "verify") != 0) {
		fprintf(cli_wants_help(argc, argv) ? stdout : stderr,
			"usage: hinge artifacts verify [ID]\n  re-rehearse stored rollback artifacts; exit 1 on a stale one\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	if ((status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_STATE | CLI_NEED_PLUGINS)) != 0)
		return status;
	if (engine_configure(c->config->agent) != 0)
		return 2;
	rc = engine_artifacts_verify(c->state, argc == 3 ? argv[2] : NULL, &doc);
	if (doc != NULL && c->json) {
		cli_print_json(doc);
	} else if (doc != NULL) {
		json_array_foreach(json_object_get(doc, "artifacts"), i, a)
			printf("%s %-20s %s%s%s\n", json_string_value(json_object_get(a, "rollout")),
			       json_string_value(json_object_get(a, "step")),
			       json_is_true(json_object_get(a, "ok")) ? "ok" : "STALE",
			       json_is_true(json_object_get(a, "ok")) ? "" : ": ",
			       json_is_true(json_object_get(a, "ok")) ? "" : json_string_value(json_object_get(a, "error")));
		json_decref(doc);
	}
	return cli_exit_status(rc);
}
