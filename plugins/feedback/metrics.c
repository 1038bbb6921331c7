/*
 * metrics.c - feedback.csat, feedback.nps, feedback.csat_lower_bound and
 * feedback.alarm for gates.  Each read first brings the state database
 * up to date, then reads the last `metric_window`, cut at the rollout's
 * start inside one: ratings from before the change do not speak for it,
 * while those of its soak pauses do (the engine's stage restarts at the
 * gate itself, which would leave a gate right after its soak with no
 * data).  Labels filter by segment: feedback.csat{plan="pro"}; a label
 * that is no configured segment makes the metric unreadable.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "figures.h"

enum which { CSAT, NPS, CSAT_LOWER, ALARM };

struct metric {
	struct fb *fb;
	enum which which;
};

static const struct {
	const char *name, *description;
} defs[] = {
	[CSAT] = { "csat", "share of CSAT ratings that are 4 or 5 (0-1); no data below min_sample" },
	[NPS] = { "nps", "net promoter score (-100 to 100); no data below min_sample" },
	[CSAT_LOWER] = { "csat_lower_bound", "lower end of CSAT's Wilson interval" },
	[ALARM] = { "alarm", "CUSUM trend alarms raised in the window" },
};

static int64_t window_start(struct fb *fb, const struct hinge_mquery *q)
{
	int64_t start = fb->h->mq_rollout_start_ms(q);
	int64_t window = fb_now_ms() - fb->h->setting_ms(fb->p, "metric_window");

	return start > window ? start : window;
}

/*
 * Every label of the condition must be a configured segment (and
 * feedback.alarm takes none): a misspelt one would otherwise be ignored
 * and the gate would judge every rating.  Returns 0 or HINGE_EINVAL
 * (logged, naming the setting).
 */
static int labels_known(struct metric *m, const struct hinge_mquery *q)
{
	struct fb *fb = m->fb;
	const char *key;
	size_t i;

	if (!HINGE_HOST_HAS(fb->h, mq_label_at))
		return 0;
	for (i = 0; fb->h->mq_label_at(q, i, &key) != NULL; i++)
		if (m->which == ALARM) {
			fb->h->log(fb->p, HINGE_LOG_ERROR,
				   "feedback.alarm takes no label (%s): it charts every rating", key);
			return HINGE_EINVAL;
		} else if (!fb_segment_known(fb, key)) {
			fb->h->log(fb->p, HINGE_LOG_ERROR,
				   "feedback.%s: label %s is not a segment (setting segments at %s)",
				   defs[m->which].name, key, fb->h->setting_where(fb->p, "segments"));
			return HINGE_EINVAL;
		}
	return 0;
}

static int read_metric(void *data, const struct hinge_mquery *q, double *out)
{
	struct metric *m = data;
	struct fb *fb = m->fb;
	json_t *segs = (json_t *)fb->h->setting_json(fb->p, "segments");
	size_t nseg = json_is_array(segs) ? json_array_size(segs) : 0, nf = 0, i;
	struct fb_filter *filters;
	json_t *doc, *fig;
	int rc;

	if ((rc = labels_known(m, q)) < 0 || (rc = fb_refresh(fb)) < 0)
		return rc;
	if (m->which == ALARM) {
		if ((rc = fb_alarms_since(fb, window_start(fb, q), &doc)) < 0)
			return rc;
		*out = (double)json_array_size(doc);
		json_decref(doc);
		return 0;
	}
	if ((filters = calloc(nseg + 1, sizeof(*filters))) == NULL)
		return HINGE_ENOMEM;
	for (i = 0; i < nseg; i++) {
		const char *key = json_string_value(json_array_get(segs, i));
		const char *v = fb->h->mq_label(q, key);

		if (v != NULL)
			filters[nf++] = (struct fb_filter){ key, v };
	}
	rc = fb_figures(fb, window_start(fb, q), NULL, filters, nf, &doc);
	free(filters);
	if (rc < 0)
		return rc;
	fig = json_object_get(json_array_get(doc, 0), m->which == NPS ? "nps" : "csat");
	if (!json_is_true(json_object_get(fig, "sufficient"))) {
		json_decref(doc);
		return HINGE_ENODATA;
	}
	*out = json_real_value(json_object_get(fig, m->which == CSAT_LOWER ? "lo" : "value"));
	json_decref(doc);
	return 0;
}

int fb_metrics_register(struct fb *fb)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		struct metric *m = malloc(sizeof(*m));
		struct hinge_metric hm = {
			.name = defs[i].name,
			.description = defs[i].description,
			.read = read_metric,
			.data = m,
			.free = free,
		};

		if (m == NULL)
			return HINGE_ENOMEM;
		*m = (struct metric){ fb, (enum which)i };
		if ((rc = fb->h->register_metric(fb->p, &hm)) < 0) {
			free(m);
			return rc;
		}
	}
	return 0;
}
