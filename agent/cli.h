/*
 * cli.h - the `hinge` command line: shared context and the command table.
 * Only this layer writes for people; everything below returns data and
 * error codes, and --json prints the same data as one document.
 */
#ifndef HINGE_CLI_H
#define HINGE_CLI_H

#include <jansson.h>

struct config;
struct state;

struct cli {
	const char *config_path;
	int json;
	struct config *config;
	struct state *state;
	int plugins_loaded;
	char *created_state; /* the state database this command created, if any */
	char *created_dir;   /* and its folder, if this command made it */
};

#define CLI_NEED_CONFIG 0x1  /* read and check the config */
#define CLI_NEED_PLUGINS 0x2 /* load the enabled plugins */
#define CLI_NEED_STATE 0x4   /* open (and migrate) the state database */

/* Make what a command needs; returns an exit status (0 on success). */
int cli_prepare(struct cli *c, int need);
/*
 * Release everything.  With discard set (the command exits 2: bad usage
 * or input), a state database and folder this command created are
 * removed, so that bad input leaves nothing behind.
 */
void cli_release(struct cli *c, int discard);

/* Apply the agent group: log level and target, HTTP settings, busy timeout. */
void cli_apply_agent_settings(struct cli *c);

/* Make the state database's folder (0700), remembering that we did. */
void cli_make_state_dir(struct cli *c, const char *path);

/* Print doc as the one JSON document on stdout and drop the reference. */
int cli_print_json(json_t *doc);

/* True once the command printed its document through cli_print_json. */
int cli_json_printed(void);

/* The exit status for a HINGE_E* code (0 for HINGE_OK). */
int cli_exit_status(int err);

/* True when argv has --help or -h: the command prints its usage. */
int cli_wants_help(int argc, char **argv);

/* The commands; each returns an exit status. */
int cmd_version(struct cli *c, int argc, char **argv);
int cmd_config(struct cli *c, int argc, char **argv);
int cmd_plugins(struct cli *c, int argc, char **argv);
int cmd_metrics(struct cli *c, int argc, char **argv);
int cmd_agent(struct cli *c, int argc, char **argv);
int cmd_state(struct cli *c, int argc, char **argv);
int cmd_rollout(struct cli *c, int argc, char **argv);
int cmd_freeze(struct cli *c, int argc, char **argv);
int cmd_artifacts(struct cli *c, int argc, char **argv);
int cmd_fleet(struct cli *c, int argc, char **argv);

#endif
