/*
 * engine_plan.c - resolving a change against the registry.  All problems
 * are reported, not just the first, so that an operator fixes a change
 * file in one pass.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "agent/engine_plan.h"
#include "agent/log.h"
#include "agent/step.h"

static const char *nearest_action(const char *qname)
{
	const char *names[256];
	const struct reg_action *ra;
	size_t n = 0;

	while (n < 256 && (ra = registry_action_at(n)) != NULL) {
		names[n] = ra->qname;
		n++;
	}
	return config_nearest(qname, names, n);
}

static const char *nearest_metric(const char *qname)
{
	const char *names[256];
	const struct reg_metric *rm;
	size_t n = 0;

	while (n < 256 && (rm = registry_metric_at(n)) != NULL) {
		names[n] = rm->qname;
		n++;
	}
	return config_nearest(qname, names, n);
}

/* Run check(): it may refuse, and it tells the inverse and lock target. */
static int run_check(struct plan *p, struct plan_step *ps, const char *rollout_id)
{
	const struct change_step *cs = ps->cs;
	struct hinge_step hs;
	int rc = 0;

	step_init(&hs, cs->name, rollout_id, ps->params);
	if (ps->ra->a.check != NULL)
		rc = ps->ra->a.check(ps->ra->a.data, &hs);
	if (rc != 0) {
		change_error(p->ch, cs->group, cs->name, "%s refused the step: %s", cs->action,
			     hs.error ? hs.error : "check failed");
		rc = rc == HINGE_EUNAVAIL ? HINGE_EUNAVAIL : HINGE_EINVAL;
	}
	ps->inverse = hs.inverse ? strdup(hs.inverse) : NULL;
	ps->lock_target = hs.lock_target ? strdup(hs.lock_target) : NULL;
	ps->findings = json_incref(hs.findings);
	step_clear(&hs);
	return rc;
}

static int resolve_action(struct plan *p, struct plan_step *ps)
{
	const struct change_step *cs = ps->cs;
	const config_setting_t *where = config_setting_get_member(cs->group, "action");
	const char *near;

	ps->ra = registry_action(cs->action);
	if (ps->ra == NULL) {
		near = nearest_action(cs->action);
		change_error(p->ch, where, "action", "unknown action \"%s\"%s%s%s", cs->action,
			     near ? "; did you mean \"" : " (no loaded plugin has it; see hinge plugins)",
			     near ? near : "", near ? "\"?" : "");
		return HINGE_EINVAL;
	}
	if (settings_parse(ps->ra->a.params ? ps->ra->a.params
					    : (const struct hinge_setting[]){ { NULL, 0, 0, NULL, 0, 0, NULL } },
			   cs->with, p->ch->file, NULL, &ps->params) != 0)
		return HINGE_EINVAL;
	if ((ps->ra->a.revert == NULL || (ps->ra->a.flags & HINGE_ACTION_NO_INVERSE)) &&
	    !cs->irreversible) {
		change_error(p->ch, where, cs->name,
			     "%s has no inverse: mark the step irreversible = true; (rolling back across it then needs --force)",
			     cs->action);
		return HINGE_EINVAL;
	}
	return 0;
}

static int resolve_gate(struct plan *p, struct plan_step *ps)
{
	const struct change_step *cs = ps->cs;
	const config_setting_t *list = config_setting_get_member(cs->group, "gate");
	int rc = 0;

	ps->metrics = calloc(cs->nconds ? cs->nconds : 1, sizeof(*ps->metrics));
	if (ps->metrics == NULL)
		return HINGE_ENOMEM;
	for (size_t i = 0; i < cs->nconds; i++) {
		const char *near;

		ps->metrics[i] = registry_metric(cs->conds[i].metric);
		if (ps->metrics[i] != NULL)
			continue;
		near = nearest_metric(cs->conds[i].metric);
		change_error(p->ch, config_setting_get_elem(list, (unsigned)i), "gate",
			     "unknown metric \"%s\"%s%s%s", cs->conds[i].metric,
			     near ? "; did you mean \"" : " (see hinge metrics)",
			     near ? near : "", near ? "\"?" : "");
		rc = HINGE_EINVAL;
	}
	return rc;
}

int plan_resolve(struct change *ch, const char *rollout_id, unsigned flags,
		 struct plan **out)
{
	struct plan *p = calloc(1, sizeof(*p));
	int rc = 0;

	if (p == NULL) {
		change_free(ch);
		return HINGE_ENOMEM;
	}
	p->ch = ch;
	step_sha256_hex(ch->text, strlen(ch->text), p->sha256);
	p->steps = calloc(ch->nsteps, sizeof(*p->steps));
	if (p->steps == NULL) {
		plan_free(p);
		return HINGE_ENOMEM;
	}
	for (size_t i = 0; i < ch->nsteps; i++) {
		struct plan_step *ps = &p->steps[i];
		int r;

		ps->cs = &ch->steps[i];
		if (ps->cs->kind == STEP_GATE)
			r = resolve_gate(p, ps);
		else if (ps->cs->kind == STEP_ACTION) {
			r = resolve_action(p, ps);
			if (r == 0 && (flags & PLAN_CHECK))
				r = run_check(p, ps, rollout_id);
		} else
			r = 0;
		if (r != 0 && rc != HINGE_EUNAVAIL)
			rc = r;
	}
	if (rc != 0) {
		plan_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; p->steps != NULL && i < p->ch->nsteps; i++) {
		settings_free(p->steps[i].params);
		free(p->steps[i].metrics);
		free(p->steps[i].inverse);
		free(p->steps[i].lock_target);
		json_decref(p->steps[i].findings);
	}
	free(p->steps);
	change_free(p->ch);
	free(p);
}

int plan_has_error_findings(const struct plan *p)
{
	for (size_t i = 0; i < p->ch->nsteps; i++) {
		size_t j;
		json_t *f;

		json_array_foreach(p->steps[i].findings, j, f)
			if (strcmp(json_string_value(json_object_get(f, "severity")), "error") == 0)
				return 1;
	}
	return 0;
}

static json_t *step_json(const struct plan_step *ps)
{
	const struct change_step *cs = ps->cs;
	json_t *s = json_pack("{s:s, s:s, s:i}", "name", cs->name,
			      "kind", change_step_kind_name(cs->kind), "line", (int)cs->line);

	if (cs->kind == STEP_ACTION) {
		json_object_set_new(s, "action", json_string(cs->action));
		json_object_set_new(s, "with", (json_t *)settings_to_json(ps->params));
		json_object_set_new(s, "irreversible", json_boolean(cs->irreversible));
		json_object_set_new(s, "inverse", ps->inverse ? json_string(ps->inverse) : json_null());
		json_object_set_new(s, "lock_target",
				    ps->lock_target ? json_string(ps->lock_target) : json_null());
		json_object_set_new(s, "findings", ps->findings ? json_incref(ps->findings) : json_array());
		json_object_set_new(s, "timeout_ms", json_integer(cs->timeout_ms));
	} else if (cs->kind == STEP_PAUSE) {
		json_object_set_new(s, "manual", json_boolean(cs->manual));
		json_object_set_new(s, "pause_ms", json_integer(cs->pause_ms));
	} else {
		json_t *conds = json_array();

		for (size_t i = 0; i < cs->nconds; i++)
			json_array_append_new(conds, json_string(config_setting_get_string(
				config_setting_get_elem(config_setting_get_member(cs->group, "gate"), (unsigned)i))));
		json_object_set_new(s, "conditions", conds);
		json_object_set_new(s, "bake_ms", json_integer(cs->bake_ms));
		json_object_set_new(s, "interval_ms", json_integer(cs->interval_ms));
		json_object_set_new(s, "failure_limit", json_integer(cs->failure_limit));
		json_object_set_new(s, "inconclusive_limit", json_integer(cs->inconclusive_limit));
		json_object_set_new(s, "timeout_ms", json_integer(cs->timeout_ms));
	}
	return s;
}

json_t *plan_json(const struct plan *p)
{
	json_t *steps = json_array();

	for (size_t i = 0; i < p->ch->nsteps; i++)
		json_array_append_new(steps, step_json(&p->steps[i]));
	return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:o}", "schema", "hinge.plan/1",
			 "change", p->ch->id, "description", p->ch->description,
			 "file", p->ch->file, "sha256", p->sha256,
			 "on_failure", p->ch->on_failure_pause ? "pause" : "rollback",
			 "steps", steps);
}
