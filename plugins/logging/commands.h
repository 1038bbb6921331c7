/*
 * commands.h - `hinge errors top [--since 24h] [--limit N]` and
 * `hinge errors show FINGERPRINT`, as text or one JSON document.
 */
#ifndef LOGGING_COMMANDS_H
#define LOGGING_COMMANDS_H

#include <hinge/plugin.h>
#include <sqlite3.h>

#define LG_ERRORS_USAGE \
	"errors top [--since 24h] [--limit N] | errors show FINGERPRINT"

/*
 * Run `errors` (argv[0]) with its arguments on db, printing through host
 * and cmd.  Returns the exit status: 0, 2 for bad usage or an unknown
 * fingerprint, 5 when the state database cannot be read.
 */
int lg_cmd_errors(const struct hinge_host *host, struct hinge_command *cmd,
		  sqlite3 *db, int64_t now_ms, int argc, char **argv);

#endif
