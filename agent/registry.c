/*
 * registry.c - what plugins registered, looked up by qualified name.
 * Registrations happen during init, from the main thread, before any
 * job or service thread starts; afterwards the arrays are only read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/host.h"
#include "agent/job_wake.h"
#include "agent/log.h"
#include "agent/registry.h"

#define ARRAY(type, name) \
	static type *name; \
	static size_t name##_n, name##_cap

ARRAY(struct reg_action, actions);
ARRAY(struct reg_metric, metrics);
ARRAY(struct reg_job, jobs);
ARRAY(struct reg_service, services);
ARRAY(struct reg_command, commands);
ARRAY(struct reg_sink, sinks);

/* Grow an array by one zeroed element; NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *p = realloc(*arr, ncap * size);

		if (p == NULL)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	memset((char *)*arr + *n * size, 0, size);
	return (char *)*arr + (*n)++ * size;
}

#define GROW(name) grow((void **)&name, &name##_n, &name##_cap, sizeof(*name))

static char *qualify(const struct hinge_plugin *p, const char *name)
{
	size_t len = strlen(p->name) + strlen(name) + 2;
	char *q = malloc(len);

	if (q != NULL)
		snprintf(q, len, "%s.%s", p->name, name);
	return q;
}

static int valid_name(const struct hinge_plugin *p, const char *what, const char *name)
{
	if (name == NULL || *name == '\0' || strchr(name, '.') != NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "cannot register %s \"%s\": names are non-empty and have no dot",
		     what, name ? name : "");
		return 0;
	}
	return 1;
}

int registry_add_action(struct hinge_plugin *p, const struct hinge_action *a)
{
	struct reg_action *r;
	char *q;

	if (!valid_name(p, "action", a->name))
		return HINGE_EINVAL;
	q = qualify(p, a->name);
	if (q != NULL && registry_action(q) != NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "action \"%s\" registered twice", q);
		free(q);
		return HINGE_EINVAL;
	}
	if (q == NULL || (r = GROW(actions)) == NULL) {
		free(q);
		return HINGE_ENOMEM;
	}
	r->plugin = p;
	r->qname = q;
	r->a = *a;
	return 0;
}

int registry_add_metric(struct hinge_plugin *p, const struct hinge_metric *m)
{
	struct reg_metric *r;
	char *q;

	if (!valid_name(p, "metric", m->name) || m->read == NULL)
		return HINGE_EINVAL;
	q = qualify(p, m->name);
	if (q == NULL || (r = GROW(metrics)) == NULL) {
		free(q);
		return HINGE_ENOMEM;
	}
	r->plugin = p;
	r->qname = q;
	r->m = *m;
	return 0;
}

int registry_add_job(struct hinge_plugin *p, const struct hinge_job *j)
{
	struct reg_job *r;
	char *q;

	if (!valid_name(p, "job", j->name) || j->run == NULL || j->interval_ms <= 0)
		return HINGE_EINVAL;
	q = qualify(p, j->name);
	if (q == NULL || (r = GROW(jobs)) == NULL) {
		free(q);
		return HINGE_ENOMEM;
	}
	r->plugin = p;
	r->qname = q;
	r->j = *j;
	return 0;
}

int registry_add_service(struct hinge_plugin *p, const struct hinge_service *s)
{
	struct reg_service *r;
	char *q;

	if (!valid_name(p, "service", s->name) || s->run == NULL)
		return HINGE_EINVAL;
	q = qualify(p, s->name);
	if (q == NULL || (r = GROW(services)) == NULL) {
		free(q);
		return HINGE_ENOMEM;
	}
	r->plugin = p;
	r->qname = q;
	r->s = *s;
	return 0;
}

int registry_add_command(struct hinge_plugin *p, const struct hinge_cmd *c)
{
	struct reg_command *r;

	if (!valid_name(p, "command", c->name) || c->run == NULL)
		return HINGE_EINVAL;
	if (registry_command(c->name) != NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "command \"%s\" is already taken", c->name);
		return HINGE_EINVAL;
	}
	if ((r = GROW(commands)) == NULL)
		return HINGE_ENOMEM;
	r->plugin = p;
	r->c = *c;
	return 0;
}

int registry_add_sink(struct hinge_plugin *p, const struct hinge_sink *s)
{
	struct reg_sink *r;

	if (s->deliver == NULL)
		return HINGE_EINVAL;
	if ((r = GROW(sinks)) == NULL)
		return HINGE_ENOMEM;
	r->plugin = p;
	r->s = *s;
	return 0;
}

const struct reg_action *registry_action(const char *qname)
{
	for (size_t i = 0; i < actions_n; i++)
		if (strcmp(actions[i].qname, qname) == 0)
			return &actions[i];
	return NULL;
}

const struct reg_metric *registry_metric(const char *qname)
{
	for (size_t i = 0; i < metrics_n; i++)
		if (strcmp(metrics[i].qname, qname) == 0)
			return &metrics[i];
	return NULL;
}

const struct reg_command *registry_command(const char *name)
{
	for (size_t i = 0; i < commands_n; i++)
		if (strcmp(commands[i].c.name, name) == 0)
			return &commands[i];
	return NULL;
}

const struct reg_job *registry_job(const struct hinge_plugin *p, const char *name)
{
	for (size_t i = 0; i < jobs_n; i++)
		if (jobs[i].plugin == p && strcmp(jobs[i].j.name, name) == 0)
			return &jobs[i];
	return NULL;
}

#define AT(type, name) \
	const type *registry_##name##_at(size_t i) \
	{ \
		return i < name##s_n ? &name##s[i] : NULL; \
	}

AT(struct reg_action, action)
AT(struct reg_metric, metric)
AT(struct reg_job, job)
AT(struct reg_service, service)
AT(struct reg_command, command)
AT(struct reg_sink, sink)

int registry_metric_read(const struct reg_metric *rm,
			 const struct hinge_mquery *q, double *out)
{
	return rm->m.read(rm->m.data, q, out);
}

#define CLEAR(name, member, with_qname) \
	do { \
		for (size_t i = 0; i < name##_n; i++) { \
			if (name[i].member.free != NULL) \
				name[i].member.free(name[i].member.data); \
			with_qname; \
		} \
		free(name); \
		name = NULL; \
		name##_n = name##_cap = 0; \
	} while (0)

void registry_clear(void)
{
	for (size_t i = 0; i < actions_n; i++)
		free(actions[i].qname);
	free(actions);
	actions = NULL;
	actions_n = actions_cap = 0;
	CLEAR(metrics, m, free(metrics[i].qname));
	CLEAR(jobs, j, free(jobs[i].qname));
	job_wake_forget();
	CLEAR(services, s, free(services[i].qname));
	CLEAR(commands, c, (void)0);
	CLEAR(sinks, s, (void)0);
}
