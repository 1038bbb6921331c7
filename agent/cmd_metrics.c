/*
 * cmd_metrics.c - `hinge metrics`: the current value of every metric a
 * gate can use, and the agent's own job figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli.h"
#include "agent/registry.h"
#include "state/state.h"

static json_t *plugin_metrics(void)
{
	const struct reg_metric *m;
	json_t *list = json_array();

	for (size_t i = 0; (m = registry_metric_at(i)) != NULL; i++) {
		const char *const no_labels[] = { NULL };
		struct hinge_mquery q = { .labels = no_labels };
		double v = 0;
		int rc = registry_metric_read(m, &q, &v);

		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:s}", "name", m->qname,
			"description", m->m.description ? m->m.description : "",
			"value", rc == 0 ? json_real(v) : json_null(),
			"status", rc == 0 ? "ok" : rc == HINGE_ENODATA ? "no data" : "unreadable"));
	}
	return list;
}

/* The daemon keeps each job's figures in kv rows "agent.job.NAME". */
static json_t *job_metrics(struct state *st)
{
	sqlite3_stmt *s;
	json_t *list = json_array();

	if (sqlite3_prepare_v2(state_sqlite(st), "SELECT substr(key, 11), value FROM kv"
			       " WHERE key LIKE 'agent.job.%' ORDER BY key", -1, &s, NULL) != SQLITE_OK)
		return list;
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *v = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);

		if (v == NULL)
			continue;
		json_object_set_new(v, "job", json_string((const char *)sqlite3_column_text(s, 0)));
		json_array_append_new(list, v);
	}
	sqlite3_finalize(s);
	return list;
}

int cmd_metrics(struct cli *c, int argc, char **argv)
{
	json_t *metrics, *jobs, *v;
	size_t i;
	int status;

	if (cli_wants_help(argc, argv) || argc != 1) {
		int help = cli_wants_help(argc, argv);

		fprintf(help ? stdout : stderr, "usage: hinge metrics\n  the current value of every metric a gate can use\n");
		return help ? 0 : 2;
	}
	if ((status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_STATE | CLI_NEED_PLUGINS)) != 0)
		return status;
	metrics = plugin_metrics();
	jobs = job_metrics(c->state);
	if (c->json)
		return cli_print_json(json_pack("{s:s, s:o, s:o}", "schema", "hinge.metrics/1",
						"metrics", metrics, "jobs", jobs));
	json_array_foreach(metrics, i, v) {
		json_t *val = json_object_get(v, "value");

		if (json_is_null(val))
			printf("%-40s %-12s %s\n", json_string_value(json_object_get(v, "name")),
			       json_string_value(json_object_get(v, "status")),
			       json_string_value(json_object_get(v, "description")));
		else
			printf("%-40s %-12g %s\n", json_string_value(json_object_get(v, "name")),
			       json_real_value(val), json_string_value(json_object_get(v, "description")));
	}
	json_array_foreach(jobs, i, v)
		printf("agent.job_runs{job=\"%s\"} %lld  failures %lld  last_success_ms %lld\n",
		       json_string_value(json_object_get(v, "job")),
		       (long long)json_integer_value(json_object_get(v, "runs")),
		       (long long)json_integer_value(json_object_get(v, "failures")),
		       (long long)json_integer_value(json_object_get(v, "last_success_ms")));
	if (json_array_size(metrics) == 0 && json_array_size(jobs) == 0)
		printf("no metrics: no enabled plugin provides one\n");
	json_decref(metrics);
	json_decref(jobs);
	return 0;
}
