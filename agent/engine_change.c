/*
 * engine_change.c - reading a change file into struct change.  The step
 * keys are a closed set, so that an action's parameter written outside
 * `with` is caught here rather than silently ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "agent/config.h"
#include "agent/engine_change.h"
#include "agent/log.h"
#include "agent/units.h"

/* run_once matters to fleet rollouts only (fleet_once.c); a local rollout runs once anyway. */
static const char *const change_keys[] = { "id", "description", "on_failure", "run_once", "steps" };
static const char *const step_keys[] = {
	"name", "action", "with", "irreversible", "timeout", "pause", "gate",
	"bake", "interval", "failure_limit", "inconclusive_limit",
};
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

const char *change_step_kind_name(enum step_kind k)
{
	return k == STEP_ACTION ? "action" : k == STEP_PAUSE ? "pause" : "gate";
}

void change_error(const struct change *c, const config_setting_t *s,
		  const char *key, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: %s: %s", c->file,
	     s ? config_setting_source_line(s) : 0, key, msg);
}

static int known_key(const char *name, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], name) == 0)
			return 1;
	return 0;
}

static int check_keys(const struct change *c, const config_setting_t *g,
		      const char *const *keys, size_t n, const char *what)
{
	int rc = 0;

	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		const char *near;

		if (name == NULL || known_key(name, keys, n))
			continue;
		near = config_nearest(name, keys, n);
		change_error(c, m, name, "not a %s key%s%s%s%s", what,
			     strcmp(what, "step") == 0 ? "; an action's parameters belong in `with = { ... }`" : "",
			     near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
		rc = HINGE_EINVAL;
	}
	return rc;
}

static int get_string(const struct change *c, const config_setting_t *g,
		      const char *key, int required, char **out)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	*out = NULL;
	if (m == NULL) {
		if (!required)
			return 0;
		change_error(c, g, key, "required key missing");
		return HINGE_EINVAL;
	}
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		change_error(c, m, key, "must be a string");
		return HINGE_EINVAL;
	}
	*out = strdup(config_setting_get_string(m));
	return *out ? 0 : HINGE_ENOMEM;
}

static int get_duration(const struct change *c, const config_setting_t *g,
			const char *key, const char *def, int64_t *out)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	const char *text = def;

	if (m != NULL) {
		if (config_setting_type(m) != CONFIG_TYPE_STRING) {
			change_error(c, m, key, "must be a duration in quotes, like \"30s\" or \"250ms\"");
			return HINGE_EINVAL;
		}
		text = config_setting_get_string(m);
	}
	if (units_duration_ms(text, out) != 0) {
		change_error(c, m ? m : g, key, "\"%s\" is not a duration (ms, s, m, h or d)", text);
		return HINGE_EINVAL;
	}
	return 0;
}

static int get_count(const struct change *c, const config_setting_t *g,
		     const char *key, int64_t *out)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	*out = 0;
	if (m == NULL)
		return 0;
	if ((config_setting_type(m) != CONFIG_TYPE_INT &&
	     config_setting_type(m) != CONFIG_TYPE_INT64) ||
	    config_setting_get_int64(m) < 0) {
		change_error(c, m, key, "must be a whole number, 0 or more");
		return HINGE_EINVAL;
	}
	*out = config_setting_get_int64(m);
	return 0;
}

static int get_bool(const struct change *c, const config_setting_t *g,
		    const char *key, int *out)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	*out = 0;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		change_error(c, m, key, "must be true or false");
		return HINGE_EINVAL;
	}
	*out = config_setting_get_bool(m);
	return 0;
}

/* Keys that belong to another kind of step make the step ambiguous. */
static int refuse_keys(const struct change *c, const config_setting_t *g,
		       const char *kind, const char *const *keys, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_member(g, keys[i]);

		if (m != NULL) {
			change_error(c, m, keys[i], "not a key of a %s step", kind);
			rc = HINGE_EINVAL;
		}
	}
	return rc;
}

static int parse_action(struct change *c, struct change_step *s)
{
	static const char *const others[] = { "bake", "interval", "failure_limit", "inconclusive_limit" };
	int rc = refuse_keys(c, s->group, "action", others, NKEYS(others));

	s->kind = STEP_ACTION;
	rc |= get_string(c, s->group, "action", 1, &s->action);
	if (s->action != NULL && strchr(s->action, '.') == NULL) {
		change_error(c, config_setting_get_member(s->group, "action"), "action",
			     "\"%s\" must be named as plugin.action", s->action);
		rc = HINGE_EINVAL;
	}
	s->with = config_setting_get_member(s->group, "with");
	if (s->with != NULL && !config_setting_is_group(s->with)) {
		change_error(c, s->with, "with", "must be a group: with = { key = value; };");
		rc = HINGE_EINVAL;
	}
	rc |= get_bool(c, s->group, "irreversible", &s->irreversible);
	rc |= get_duration(c, s->group, "timeout", "0ms", &s->timeout_ms);
	return rc ? HINGE_EINVAL : 0;
}

static int parse_pause(struct change *c, struct change_step *s)
{
	static const char *const others[] = {
		"with", "irreversible", "timeout", "bake", "interval", "failure_limit", "inconclusive_limit",
	};
	const config_setting_t *m = config_setting_get_member(s->group, "pause");
	int rc = refuse_keys(c, s->group, "pause", others, NKEYS(others));
	const char *text;

	s->kind = STEP_PAUSE;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		change_error(c, m, "pause", "must be \"manual\" or a duration like \"5m\"");
		return HINGE_EINVAL;
	}
	text = config_setting_get_string(m);
	if (strcmp(text, "manual") == 0)
		s->manual = 1;
	else if (units_duration_ms(text, &s->pause_ms) != 0) {
		change_error(c, m, "pause", "\"%s\" is neither \"manual\" nor a duration (ms, s, m, h or d)", text);
		rc = HINGE_EINVAL;
	}
	return rc ? HINGE_EINVAL : 0;
}

static int parse_conditions(struct change *c, struct change_step *s,
			    const config_setting_t *m)
{
	int n = config_setting_length(m), rc = 0;

	if (!config_setting_is_aggregate(m) || n == 0) {
		change_error(c, m, "gate", "must be a non-empty list of conditions: [ \"plugin.metric < 0.02\" ]");
		return HINGE_EINVAL;
	}
	s->conds = calloc((size_t)n, sizeof(*s->conds));
	if (s->conds == NULL)
		return HINGE_ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
		char err[256];

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			change_error(c, e, "gate", "condition %d must be a string", i + 1);
			rc = HINGE_EINVAL;
			continue;
		}
		if (cond_parse(config_setting_get_string(e), &s->conds[s->nconds], err, sizeof(err)) != 0) {
			change_error(c, e, "gate", "condition \"%s\": %s", config_setting_get_string(e), err);
			rc = HINGE_EINVAL;
			continue;
		}
		s->nconds++;
	}
	return rc;
}

static int parse_gate(struct change *c, struct change_step *s)
{
	static const char *const others[] = { "with", "irreversible" };
	int rc = refuse_keys(c, s->group, "gate", others, NKEYS(others));

	s->kind = STEP_GATE;
	rc |= parse_conditions(c, s, config_setting_get_member(s->group, "gate"));
	rc |= get_duration(c, s->group, "bake", "0ms", &s->bake_ms);
	rc |= get_duration(c, s->group, "interval", "30s", &s->interval_ms);
	rc |= get_count(c, s->group, "failure_limit", &s->failure_limit);
	rc |= get_count(c, s->group, "inconclusive_limit", &s->inconclusive_limit);
	rc |= get_duration(c, s->group, "timeout", "0ms", &s->timeout_ms);
	if (s->interval_ms == 0 && s->bake_ms > 0) {
		change_error(c, config_setting_get_member(s->group, "interval"), "interval",
			     "must be more than 0ms when bake is set");
		rc = HINGE_EINVAL;
	}
	return rc ? HINGE_EINVAL : 0;
}

static int parse_step(struct change *c, struct change_step *s)
{
	const char *kinds[] = { "action", "pause", "gate" };
	int rc = check_keys(c, s->group, step_keys, NKEYS(step_keys), "step"), nkinds = 0;

	s->line = config_setting_source_line(s->group);
	rc |= get_string(c, s->group, "name", 1, &s->name);
	for (size_t i = 0; i < NKEYS(kinds); i++)
		nkinds += config_setting_get_member(s->group, kinds[i]) != NULL;
	if (nkinds != 1) {
		change_error(c, s->group, s->name ? s->name : "step",
			     "a step has exactly one of action, pause or gate");
		return HINGE_EINVAL;
	}
	if (config_setting_get_member(s->group, "action") != NULL)
		rc |= parse_action(c, s);
	else if (config_setting_get_member(s->group, "pause") != NULL)
		rc |= parse_pause(c, s);
	else
		rc |= parse_gate(c, s);
	return rc ? HINGE_EINVAL : 0;
}

static int parse_steps(struct change *c, const config_setting_t *steps)
{
	int n, rc = 0;

	if (steps == NULL || !config_setting_is_aggregate(steps)) {
		change_error(c, steps ? steps : config_lookup(&c->cfg, "change"), "steps",
			     "required: a list of steps, steps = ( { name = ...; }, ... );");
		return HINGE_EINVAL;
	}
	n = config_setting_length(steps);
	if (n == 0) {
		change_error(c, steps, "steps", "the list of steps is empty");
		return HINGE_EINVAL;
	}
	c->steps = calloc((size_t)n, sizeof(*c->steps));
	if (c->steps == NULL)
		return HINGE_ENOMEM;
	for (int i = 0; i < n; i++) {
		struct change_step *s = &c->steps[c->nsteps++];

		s->group = config_setting_get_elem(steps, (unsigned)i);
		if (!config_setting_is_group(s->group)) {
			change_error(c, s->group, "steps", "step %d must be a group { name = ...; }", i + 1);
			rc = HINGE_EINVAL;
			continue;
		}
		rc |= parse_step(c, s);
		for (size_t j = 0; s->name != NULL && j + 1 < c->nsteps; j++) {
			if (c->steps[j].name != NULL && strcmp(c->steps[j].name, s->name) == 0) {
				change_error(c, config_setting_get_member(s->group, "name"), "name",
					     "duplicate step name \"%s\" (first at line %u)",
					     s->name, c->steps[j].line);
				rc = HINGE_EINVAL;
			}
		}
	}
	return rc ? HINGE_EINVAL : 0;
}

static int parse_top(struct change *c)
{
	const config_setting_t *g = config_lookup(&c->cfg, "change");
	char *on_failure = NULL;
	int rc;

	if (g == NULL || !config_setting_is_group(g)) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s:1: change: required group missing: change = { id = ...; steps = (...); };",
		     c->file);
		return HINGE_EINVAL;
	}
	rc = check_keys(c, g, change_keys, NKEYS(change_keys), "change");
	rc |= get_string(c, g, "id", 1, &c->id);
	rc |= get_string(c, g, "description", 0, &c->description);
	rc |= get_string(c, g, "on_failure", 0, &on_failure);
	if (on_failure != NULL && strcmp(on_failure, "pause") == 0)
		c->on_failure_pause = 1;
	else if (on_failure != NULL && strcmp(on_failure, "rollback") != 0) {
		change_error(c, config_setting_get_member(g, "on_failure"), "on_failure",
			     "\"%s\" must be \"rollback\" or \"pause\"", on_failure);
		rc = HINGE_EINVAL;
	}
	free(on_failure);
	if (config_setting_get_member(g, "run_once") != NULL &&
	    config_setting_type(config_setting_get_member(g, "run_once")) != CONFIG_TYPE_BOOL) {
		change_error(c, config_setting_get_member(g, "run_once"), "run_once", "must be true or false");
		rc = HINGE_EINVAL;
	}
	rc |= parse_steps(c, config_setting_get_member(g, "steps"));
	return rc ? HINGE_EINVAL : 0;
}

int change_parse(const char *file, const char *text, struct change **out)
{
	struct change *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return HINGE_ENOMEM;
	config_init(&c->cfg);
	c->file = strdup(file);
	c->text = strdup(text);
	if (c->file == NULL || c->text == NULL) {
		change_free(c);
		return HINGE_ENOMEM;
	}
	if (config_read_string(&c->cfg, c->text) != CONFIG_TRUE) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s:%d: syntax error: %s", file,
		     config_error_line(&c->cfg), config_error_text(&c->cfg));
		change_free(c);
		return HINGE_EINVAL;
	}
	rc = parse_top(c);
	if (rc != 0) {
		change_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int change_load(const char *file, struct change **out)
{
	FILE *f = fopen(file, "r");
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (f == NULL) {
		int e = errno;

		hlog(HINGE_LOG_ERROR, "hinge", "cannot read change file \"%s\": %s", file, strerror(e));
		return e == ENOENT ? HINGE_EINVAL : HINGE_EUNAVAIL;
	}
	FILE *m = open_memstream(&text, &len);
	char buf[8192];
	size_t n;

	while (m != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	if (m == NULL || fclose(m) != 0) {
		free(text);
		return HINGE_ENOMEM;
	}
	if (strlen(text) != len) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: change file holds a NUL byte", file);
		free(text);
		return HINGE_EINVAL;
	}
	rc = change_parse(file, text, out);
	free(text);
	return rc;
}

void change_free(struct change *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nsteps; i++) {
		struct change_step *s = &c->steps[i];

		free(s->name);
		free(s->action);
		for (size_t j = 0; j < s->nconds; j++)
			cond_free(&s->conds[j]);
		free(s->conds);
	}
	free(c->steps);
	free(c->id);
	free(c->description);
	free(c->file);
	free(c->text);
	config_destroy(&c->cfg);
	free(c);
}
