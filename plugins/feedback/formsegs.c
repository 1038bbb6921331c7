/*
 * formsegs.c - a feedback form's segment values, from its link or from
 * the form shown, and their stored and signed texts.
 */
#include <stdlib.h>

#include "formsegs.h"
#include "token.h"

/* The canonical text of a JSON object of string values, or NULL. */
static char *canonical_of(json_t *segs)
{
	size_t n = json_object_size(segs), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	const char **values = calloc(n ? n : 1, sizeof(*values));
	const char *k;
	char *text = NULL;
	json_t *v;

	if (keys != NULL && values != NULL) {
		json_object_foreach(segs, k, v) {
			keys[i] = k;
			values[i++] = json_string_value(v);
		}
		text = fb_segments_canonical(keys, values, n);
	}
	free(keys);
	free(values);
	return text;
}

int fb_form_segments_of(json_t *segs, struct fb_form_segments *out)
{
	out->json = segs ? json_dumps(segs, JSON_COMPACT) : NULL;
	out->canon = segs ? canonical_of(segs) : NULL;
	json_decref(segs);
	if (out->json == NULL || out->canon == NULL) {
		fb_form_segments_free(out);
		return -1;
	}
	return 0;
}

void fb_form_segments_free(struct fb_form_segments *s)
{
	free(s->json);
	free(s->canon);
	s->json = s->canon = NULL;
}

json_t *fb_link_segments(struct fb *fb, struct MHD_Connection *c, const char **bad)
{
	json_t *segs = (json_t *)fb->h->setting_json(fb->p, "segments");
	json_t *obj = json_object();
	const char *key, *v;
	size_t i;

	*bad = NULL;
	for (i = 0; obj && json_is_array(segs) && i < json_array_size(segs); i++) {
		key = json_string_value(json_array_get(segs, i));
		if ((v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key)) == NULL)
			continue;
		if (!fb_id_valid(v)) {
			*bad = key;
			json_decref(obj);
			return NULL;
		}
		if (json_object_set_new(obj, key, json_string(v)) < 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

json_t *fb_recorded_segments(struct fb *fb, PGconn *conn, const char *txn)
{
	/* only the configured keys, as a link binds only those */
	char *keys = json_dumps((json_t *)fb->h->setting_json(fb->p, "segments"), JSON_COMPACT);
	const char *p[2] = { txn, keys ? keys : "[]" };
	PGresult *r = PQexecParams(conn,
				   "SELECT s.key, s.value FROM hinge.feedback_shown f,"
				   " jsonb_each_text(f.segments) s WHERE f.transaction_id = $1"
				   " AND s.value IS NOT NULL AND $2::jsonb ? s.key",
				   2, NULL, p, NULL, NULL, 0);
	json_t *obj = NULL;
	int i;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot read the segments of a form shown: %s",
			   PQerrorMessage(conn));
	else
		obj = json_object();
	for (i = 0; obj != NULL && i < PQntuples(r); i++)
		if (json_object_set_new(obj, PQgetvalue(r, i, 0),
					json_string(PQgetvalue(r, i, 1))) < 0) {
			json_decref(obj);
			obj = NULL;
		}
	PQclear(r);
	free(keys);
	return obj;
}
