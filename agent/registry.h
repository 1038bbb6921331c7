/*
 * registry.h - what loaded plugins registered: actions, metrics, jobs,
 * services, commands and event sinks, looked up by qualified name
 * ("migration.add_column", "logging.error_rate").
 */
#ifndef HINGE_REGISTRY_H
#define HINGE_REGISTRY_H

#include <hinge/plugin.h>

struct reg_action {
	struct hinge_plugin *plugin;
	char *qname; /* "plugin.action" */
	struct hinge_action a;
};

struct reg_metric {
	struct hinge_plugin *plugin;
	char *qname;
	struct hinge_metric m;
};

struct reg_job {
	struct hinge_plugin *plugin;
	char *qname;
	struct hinge_job j;
};

struct reg_service {
	struct hinge_plugin *plugin;
	char *qname;
	struct hinge_service s;
};

struct reg_command {
	struct hinge_plugin *plugin;
	struct hinge_cmd c;
};

struct reg_sink {
	struct hinge_plugin *plugin;
	struct hinge_sink s;
};

/* Lookups; NULL when nothing has that name. */
const struct reg_action *registry_action(const char *qname);
const struct reg_metric *registry_metric(const char *qname);
const struct reg_command *registry_command(const char *name);
/* Plugin p's job of that (unqualified) name. */
const struct reg_job *registry_job(const struct hinge_plugin *p, const char *name);

/* Iteration: index from 0 until NULL. */
const struct reg_action *registry_action_at(size_t i);
const struct reg_metric *registry_metric_at(size_t i);
const struct reg_job *registry_job_at(size_t i);
const struct reg_service *registry_service_at(size_t i);
const struct reg_command *registry_command_at(size_t i);
const struct reg_sink *registry_sink_at(size_t i);

/* Registration, called through the host table. */
int registry_add_action(struct hinge_plugin *p, const struct hinge_action *a);
int registry_add_metric(struct hinge_plugin *p, const struct hinge_metric *m);
int registry_add_job(struct hinge_plugin *p, const struct hinge_job *j);
int registry_add_service(struct hinge_plugin *p, const struct hinge_service *s);
int registry_add_command(struct hinge_plugin *p, const struct hinge_cmd *c);
int registry_add_sink(struct hinge_plugin *p, const struct hinge_sink *s);

/* Frees every registration's data with its free function. */
void registry_clear(void);

/*
 * A metric query: what a gate passes to a metric's read().  Labels are
 * key, value pairs ending with NULL.
 */
struct hinge_mquery {
	const char *const *labels;
	int64_t rollout_start_ms;
	int64_t stage_start_ms;
};

/* Read a metric; the plugin's return code (0, HINGE_ENODATA, <0). */
int registry_metric_read(const struct reg_metric *rm,
			 const struct hinge_mquery *q, double *out);

#endif
