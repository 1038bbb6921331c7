/*
 * cmd_fleet.c - `hinge fleet ...`: the operator's side of fleet rollouts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "agent/cli.h"
#include "agent/config.h"
#include "agent/events.h"
#include "agent/fleet.h"
#include "agent/fleet_pg.h"
#include "agent/log.h"
#include "agent/units.h"

static const char usage_text[] =
	"usage: hinge fleet hosts\n"
	"       hinge fleet start CHANGE.conf --waves 1,10%,50%,100% [--select k=v,...] [--max-failed N] [--reason T]\n"
	"                         [--gate 'max(METRIC) < N' ...] [--bake D] [--interval D]\n"
	"       hinge fleet status ID | history | events ID\n"
	"       hinge fleet promote | abort | rollback ID [--reason T]\n"
	"       hinge fleet retry ID HOST | drain HOST\n";

static int usage(int help)
{
	fputs(usage_text, help ? stdout : stderr);
	return help ? 0 : 2;
}

static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/*
 * The whole change file, its change.id and change.run_once; NULL (logged)
 * when unusable.
 */
static char *read_change(const char *path, char **change_id, int *run_once)
{
	config_t cfg;
	config_setting_t *once;
	const char *id = NULL;
	char *text = NULL;
	FILE *f;
	long len;

	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return NULL;
	}
	if (!config_lookup_string(&cfg, "change.id", &id) || *id == '\0') {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: change.id: required setting missing", path);
		config_destroy(&cfg);
		return NULL;
	}
	once = config_lookup(&cfg, "change.run_once");
	if (once != NULL && config_setting_type(once) != CONFIG_TYPE_BOOL) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: change.run_once: must be true or false", path,
		     config_setting_source_line(once));
		config_destroy(&cfg);
		return NULL;
	}
	*run_once = once != NULL && config_setting_get_bool(once);
	*change_id = strdup(id);
	config_destroy(&cfg);
	f = fopen(path, "rb");
	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)len + 1)) != NULL) {
		text[fread(text, 1, (size_t)len, f)] = '\0';
	}
	if (f != NULL)
		fclose(f);
	return text;
}

/* "role=web,region=eu" as a JSON object; NULL on a malformed selector. */
static json_t *parse_select(const char *text)
{
	json_t *o = json_object();
	char *copy, *save = NULL, *tok;

	if (text == NULL)
		return o;
	copy = strdup(text);
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq == NULL || eq == tok) {
			hlog(HINGE_LOG_ERROR, "hinge", "--select: \"%s\" is not label=value", tok);
			json_decref(o);
			free(copy);
			return NULL;
		}
		*eq = '\0';
		json_object_set_new(o, tok, json_string(eq + 1));
	}
	free(copy);
	return o;
}

/* A duration option into *ms (def when absent); 2 (logged) when malformed. */
static int duration_opt(int argc, char **argv, const char *name, int64_t def, int64_t *ms)
{
	const char *v = opt(argc, argv, name);

	*ms = def;
	if (v != NULL && (units_duration_ms(v, ms) != 0 || *ms < 0)) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: \"%s\" is not a duration such as 250ms or 5m", name, v);
		return 2;
	}
	return 0;
}

/* Every --gate, in order. */
static json_t *gates_opt(int argc, char **argv)
{
	json_t *a = json_array();

	for (int i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], "--gate") == 0)
			json_array_append_new(a, json_string(argv[i + 1]));
	return a;
}

static int start(struct cli *c, PGconn *pg, int argc, char **argv)
{
	struct fleet_start s = { 0 };
	const char *mf = opt(argc, argv, "--max-failed");
	char *change_id = NULL, *text, *id = NULL, *end = NULL;
	int rc;

	if (argc < 3 || argv[2][0] == '-' || (s.waves = opt(argc, argv, "--waves")) == NULL)
		return usage(0);
	s.max_failed = mf ? (int)strtol(mf, &end, 10) : 0;
	if (mf != NULL && (*end != '\0' || s.max_failed < 0)) {
		hlog(HINGE_LOG_ERROR, "hinge", "--max-failed: \"%s\" is not a count of hosts", mf);
		return 2;
	}
	if (duration_opt(argc, argv, "--bake", 0, &s.gate_bake_ms) != 0 ||
	    duration_opt(argc, argv, "--interval", 1000, &s.gate_interval_ms) != 0)
		return 2;
	if ((text = read_change(argv[2], &change_id, &s.run_once)) == NULL)
		return 2;
	s.change_id = change_id;
	s.change_text = text;
	s.reason = opt(argc, argv, "--reason");
	s.actor = events_actor();
	s.late_ms = settings_ms(c->config->fleet, "late_after");
	s.select = parse_select(opt(argc, argv, "--select"));
	s.gates = gates_opt(argc, argv);
	rc = s.select ? fleet_start(pg, &s, &id) : HINGE_EINVAL;
	json_decref(s.select);
	json_decref(s.gates);
	free(text);
	free(change_id);
	if (rc != 0)
		return cli_exit_status(rc);
	if (c->json)
		cli_print_json(json_pack("{s:s, s:s}", "schema", "hinge.fleet-start/1", "id", id));
	else
		printf("%s\n", id);
	free(id);
	return 0;
}

static void print_status(json_t *d)
{
	size_t i;
	json_t *h;

	printf("%s  %s  %s  wave %s of %s (%s)\n", json_string_value(json_object_get(d, "id")),
	       json_string_value(json_object_get(d, "change_id")),
	       json_string_value(json_object_get(d, "state")),
	       json_string_value(json_object_get(d, "current_wave")),
	       json_string_value(json_object_get(d, "nwaves")),
	       json_string_value(json_object_get(d, "waves")));
	json_array_foreach(json_object_get(d, "hosts"), i, h)
		printf("  wave %-3s %-24s %-12s %s\n", json_string_value(json_object_get(h, "wave")),
		       json_string_value(json_object_get(h, "host")),
		       json_string_value(json_object_get(h, "state")),
		       json_string_value(json_object_get(h, "detail")) ? json_string_value(json_object_get(h, "detail")) : "");
}

/* Print a document: as it is with --json, else a line per row. */
static int show(struct cli *c, json_t *d, const char *key)
{
	size_t i;
	json_t *row, *v;
	const char *k;

	if (c->json)
		return cli_print_json(d);
	if (key == NULL) {
		print_status(d);
	} else {
		json_array_foreach(json_object_get(d, key), i, row) {
			json_object_foreach(row, k, v)
				printf("%s=%s  ", k, json_is_string(v) ? json_string_value(v)
								   : json_is_true(v) ? "yes" : json_is_false(v) ? "no" : "-");
			printf("\n");
		}
	}
	json_decref(d);
	return 0;
}

static int host_op(PGconn *pg, const char *sql, const char *a, const char *b, const char *what)
{
	const char *p[2] = { a, b };
	PGresult *r = fleet_q(pg, sql, b ? 2 : 1, p);
	int n = r ? PQntuples(r) : -1;

	PQclear(r);
	if (n < 0)
		return 5;
	if (n == 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s", what);
		return 2;
	}
	return 0;
}

static int dispatch(struct cli *c, PGconn *pg, int argc, char **argv)
{
	const char *sub = argv[1];
	json_t *d = NULL;
	int rc;

	if (strcmp(sub, "hosts") == 0 && argc == 2) {
		rc = fleet_hosts(pg, settings_ms(c->config->fleet, "late_after"), &d);
		return rc ? cli_exit_status(rc) : show(c, d, "hosts");
	}
	if (strcmp(sub, "start") == 0)
		return start(c, pg, argc, argv);
	if (strcmp(sub, "history") == 0 && argc == 2) {
		rc = fleet_history(pg, &d);
		return rc ? cli_exit_status(rc) : show(c, d, "rollouts");
	}
	if (argc < 3)
		return usage(0);
	if (strcmp(sub, "status") == 0) {
		fleet_advance(pg, argv[2]);
		rc = fleet_status(pg, argv[2], &d);
		return rc ? cli_exit_status(rc) : show(c, d, NULL);
	}
	if (strcmp(sub, "events") == 0) {
		rc = fleet_events(pg, argv[2], &d);
		return rc ? cli_exit_status(rc) : show(c, d, "events");
	}
	if (strcmp(sub, "promote") == 0)
		return cli_exit_status(fleet_advance(pg, argv[2]));
	if (strcmp(sub, "abort") == 0 || strcmp(sub, "rollback") == 0)
		return cli_exit_status(fleet_request(pg, argv[2], sub, opt(argc, argv, "--reason"), events_actor()));
	if (strcmp(sub, "drain") == 0)
		return host_op(pg, "UPDATE hinge.fleet_hosts SET drained = true WHERE host_id = $1 RETURNING host_id",
			       argv[2], NULL, "no such host");
	if (strcmp(sub, "retry") == 0 && argc >= 4) {
		rc = host_op(pg, "UPDATE hinge.fleet_assignments a SET state = 'pending', updated_at = now()"
			     " FROM hinge.fleet_rollouts r WHERE r.id = a.rollout_id AND a.rollout_id = $1"
			     " AND a.host_id = $2 AND a.state IN ('failed', 'unreachable')"
			     " AND r.state IN ('running', 'failed') RETURNING a.host_id",
			     argv[2], argv[3], "that host has no failed assignment in a fleet rollout that can go on");
		if (rc == 0)
			rc = host_op(pg, "UPDATE hinge.fleet_rollouts SET state = 'running' WHERE id = $1 RETURNING id",
				     argv[2], NULL, "no such fleet rollout");
		return rc;
	}
	return usage(0);
}

int cmd_fleet(struct cli *c, int argc, char **argv)
{
	PGconn *pg = NULL;
	int status;

	if (cli_wants_help(argc, argv))
		return usage(1);
	if (argc < 2)
		return usage(0);
	if ((status = cli_prepare(c, CLI_NEED_CONFIG)) != 0)
		return status;
	if (c->config->fleet == NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: no fleet group: this host takes no part in fleet rollouts",
		     c->config->file);
		return 2;
	}
	if ((status = fleet_connect(c->config->fleet, &pg)) != 0)
		return cli_exit_status(status);
	status = dispatch(c, pg, argc, argv);
	PQfinish(pg);
	return status;
}
