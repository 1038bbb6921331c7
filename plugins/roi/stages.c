/*
 * stages.c - a rollout's stages, their before and after windows, and
 * each stage's part of the "hinge.roi.rollout/1" document.
 */
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/stages.h"

int roi_stages_add(struct roi_stages *ss, int number, const char *name, const char *kind,
		   const char *phase, int64_t started_ms, int64_t ended_ms)
{
	struct roi_stage *s = realloc(ss->s, (ss->n + 1) * sizeof(*s));

	if (s == NULL)
		return HINGE_ENOMEM;
	ss->s = s;
	s = &ss->s[ss->n];
	memset(s, 0, sizeof(*s));
	s->number = number;
	s->started_ms = started_ms;
	s->ended_ms = ended_ms;
	s->name = strdup(name);
	s->kind = strdup(kind);
	s->phase = strdup(phase);
	ss->n++;
	return s->name && s->kind && s->phase ? 0 : HINGE_ENOMEM;
}

/*
 * When the last stage that began gave way: when the last step ended (a
 * revert ends after the gate that failed), or now while a step that
 * began has not ended.
 */
static int64_t rollout_end(const struct roi_stages *ss, int64_t now_ms)
{
	int64_t end = 0;

	for (size_t i = 0; i < ss->n; i++) {
		if (ss->s[i].started_ms > 0 && ss->s[i].ended_ms == 0)
			return now_ms;
		if (ss->s[i].ended_ms > end)
			end = ss->s[i].ended_ms;
	}
	return end > 0 ? end : now_ms;
}

int roi_stages_cut(struct roi_stages *ss, int64_t now_ms, int64_t *from, int64_t *to)
{
	int64_t end = rollout_end(ss, now_ms);

	*from = *to = 0;
	for (size_t i = 0; i < ss->n; i++) {
		struct roi_stage *s = &ss->s[i];
		int64_t until = end, at, w;
		int rc;

		if (s->started_ms <= 0)
			continue;
		for (size_t j = i + 1; j < ss->n; j++)
			if (ss->s[j].started_ms > 0) {
				until = ss->s[j].started_ms;
				break;
			}
		/* Whole seconds, floored as the gate metric floors them. */
		at = s->started_ms / 1000;
		w = until / 1000 - at;
		if (w <= 0)
			continue;
		s->bounds[0] = at - w;
		s->bounds[1] = at;
		s->bounds[2] = at + w;
		if ((rc = roi_report_windows(&s->rep, s->bounds, 3)) != 0)
			return rc;
		if (*from == *to || s->bounds[0] < *from)
			*from = s->bounds[0];
		if (s->bounds[2] > *to)
			*to = s->bounds[2];
	}
	return 0;
}

int roi_stages_add_txn(struct roi_stages *ss, const struct roi_txn *x)
{
	int rc = 0;

	for (size_t i = 0; i < ss->n && rc == 0; i++)
		if (ss->s[i].rep.n > 0)
			rc = roi_report_add(&ss->s[i].rep, x);
	return rc;
}

static json_t *delta(int64_t before, int64_t after)
{
	double pct;

	return roi_delta_pct(before, after, &pct) == 0 ? json_real(pct) : json_null();
}

static json_t *ms_or_null(int64_t ms)
{
	return ms > 0 ? json_integer(ms) : json_null();
}

json_t *roi_stage_json(const struct roi_stage *s, const struct roi_rates *rates)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:s}", "number", s->number, "name", s->name,
			      "kind", s->kind, "phase", s->phase);
	struct roi_figures b, a;
	json_t *doc, *d;

	json_object_set_new(o, "started_ms", ms_or_null(s->started_ms));
	json_object_set_new(o, "ended_ms", ms_or_null(s->ended_ms));
	json_object_set_new(o, "window_seconds", json_integer(s->bounds[2] - s->bounds[1]));
	if (s->rep.n == 0) {
		json_object_set_new(o, "before", json_null());
		json_object_set_new(o, "after", json_null());
		json_object_set_new(o, "delta_pct", json_null());
		return o;
	}
	doc = roi_report_json(&s->rep, rates, 0, NULL, 0);
	json_object_set(o, "before", json_array_get(json_object_get(doc, "periods"), 0));
	json_object_set(o, "after", json_array_get(json_object_get(doc, "periods"), 1));
	json_decref(doc);
	roi_figures_of(&s->rep.b[0].ledger, rates, &b);
	roi_figures_of(&s->rep.b[1].ledger, rates, &a);
	d = json_object();
	json_object_set_new(d, "net", delta(b.net, a.net));
	json_object_set_new(d, "gross", delta(b.line[ROI_GROSS], a.line[ROI_GROSS]));
	json_object_set_new(d, "refunds", delta(b.line[ROI_REFUNDS], a.line[ROI_REFUNDS]));
	json_object_set_new(o, "delta_pct", d);
	return o;
}

void roi_stages_free(struct roi_stages *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->s[i].name);
		free(ss->s[i].kind);
		free(ss->s[i].phase);
		roi_report_free(&ss->s[i].rep);
	}
	free(ss->s);
	memset(ss, 0, sizeof(*ss));
}
