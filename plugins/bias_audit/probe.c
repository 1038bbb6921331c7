/*
 * probe.c - sampling, request templates and score paths.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/bias_audit/probe.h"

struct bias_sample {
	size_t k, n, width;
	uint64_t seen, state;
	char **names;
	char ***rows;
	uint64_t *rownos;
};

static void free_row(char **row, size_t width)
{
	for (size_t i = 0; row != NULL && i < width; i++)
		free(row[i]);
	free(row);
}

struct bias_sample *bias_sample_new(size_t k, uint64_t seed)
{
	struct bias_sample *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->k = k;
	s->state = seed ? seed : 1;
	s->rows = calloc(k + 1, sizeof(*s->rows));
	s->rownos = calloc(k + 1, sizeof(*s->rownos));
	if (s->rows == NULL || s->rownos == NULL) {
		bias_sample_free(s);
		return NULL;
	}
	return s;
}

void bias_sample_free(struct bias_sample *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; s->rows != NULL && i < s->n; i++)
		free_row(s->rows[i], s->width);
	free_row(s->names, s->width);
	free(s->rows);
	free(s->rownos);
	free(s);
}

static char **copy_row(char *const *f, size_t n)
{
	char **row = calloc(n + 1, sizeof(*row));

	for (size_t i = 0; row != NULL && i < n; i++)
		if ((row[i] = strdup(f[i])) == NULL) {
			free_row(row, n);
			return NULL;
		}
	return row;
}

int bias_sample_header(void *arg, char *const *names, size_t n, char *err, size_t errlen)
{
	struct bias_sample *s = arg;

	(void)err;
	(void)errlen;
	s->width = n;
	s->names = copy_row(names, n);
	return s->names ? 0 : HINGE_ENOMEM;
}

/* xorshift64*: a small generator, enough to pick rows reproducibly. */
static uint64_t next(struct bias_sample *s)
{
	s->state ^= s->state >> 12;
	s->state ^= s->state << 25;
	s->state ^= s->state >> 27;
	return s->state * 2685821657736338717ULL;
}

int bias_sample_row(void *arg, char *const *f, size_t n, uint64_t row, char *err, size_t errlen)
{
	struct bias_sample *s = arg;
	uint64_t j;
	char **copy;

	if (n != s->width) {
		snprintf(err, errlen, "row %llu: %zu fields where the header has %zu",
			 (unsigned long long)row, n, s->width);
		return HINGE_EINVAL;
	}
	/* Algorithm R: row number `seen` replaces a kept row with chance k/seen. */
	j = s->seen++ < s->k ? s->n : next(s) % s->seen;
	if (j >= s->k)
		return 0;
	if ((copy = copy_row(f, n)) == NULL)
		return HINGE_ENOMEM;
	if (j == s->n)
		s->n++;
	else
		free_row(s->rows[j], s->width);
	s->rows[j] = copy;
	s->rownos[j] = row;
	return 0;
}

size_t bias_sample_size(const struct bias_sample *s) { return s->n; }
size_t bias_sample_width(const struct bias_sample *s) { return s->width; }
char *const *bias_sample_names(const struct bias_sample *s) { return s->names; }
char *const *bias_sample_fields(const struct bias_sample *s, size_t i) { return s->rows[i]; }
uint64_t bias_sample_rowno(const struct bias_sample *s, size_t i) { return s->rownos[i]; }

/* The JSON a template string stands for (itself when literal), or NULL
 * with a message in err. */
static json_t *expand_string(const char *t, char *const *names, char *const *fields, size_t n,
			     const char *attr, const char *value, char *err, size_t errlen)
{
	size_t len = strlen(t);
	char col[256], *colon, *end;
	const char *v = NULL;
	double num;

	if (len < 5 || strncmp(t, "{{", 2) != 0 || strcmp(t + len - 2, "}}") != 0 ||
	    len - 4 >= sizeof(col))
		return json_string(t);
	memcpy(col, t + 2, len - 4);
	col[len - 4] = '\0';
	colon = strchr(col, ':');
	if (colon != NULL)
		*colon++ = '\0';
	for (size_t i = 0; i < n && v == NULL; i++)
		if (strcmp(names[i], col) == 0)
			v = strcmp(col, attr) == 0 ? value : fields[i];
	if (v == NULL || (colon != NULL && strcmp(colon, "number") != 0)) {
		snprintf(err, errlen, "probe_request: \"%s\" names no column or type", t);
		return NULL;
	}
	if (colon == NULL)
		return json_string(v);
	errno = 0;
	num = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(num)) {
		snprintf(err, errlen, "column \"%s\": \"%.40s\" is not a number", col, v);
		return NULL;
	}
	return json_real(num);
}

json_t *bias_probe_request(const json_t *tmpl, char *const *names, char *const *fields,
			   size_t n, const char *attr, const char *value, char *err,
			   size_t errlen)
{
	json_t *out, *v, *x;
	const char *key;
	size_t i;

	if (json_is_string(tmpl))
		return expand_string(json_string_value(tmpl), names, fields, n, attr, value, err,
				     errlen);
	if (json_is_object(tmpl)) {
		out = json_object();
		json_object_foreach((json_t *)tmpl, key, v) {
			if ((x = bias_probe_request(v, names, fields, n, attr, value, err, errlen)) == NULL) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, key, x);
		}
		return out;
	}
	if (json_is_array(tmpl)) {
		out = json_array();
		json_array_foreach(tmpl, i, v) {
			if ((x = bias_probe_request(v, names, fields, n, attr, value, err, errlen)) == NULL) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, x);
		}
		return out;
	}
	return json_deep_copy(tmpl);
}

int bias_probe_score(const json_t *answer, const char *path, double *out, char *err,
		     size_t errlen)
{
	const json_t *at = answer;
	char part[256];
	const char *p = path;

	while (at != NULL && *p != '\0') {
		size_t len = strcspn(p, ".");
		char *end;

		snprintf(part, sizeof(part), "%.*s", (int)len, p);
		p += len + (p[len] == '.');
		if (json_is_array(at)) {
			unsigned long i = strtoul(part, &end, 10);

			at = *part != '\0' && *end == '\0' ? json_array_get(at, i) : NULL;
		} else {
			at = json_object_get(at, part);
		}
	}
	if (!json_is_number(at)) {
		snprintf(err, errlen, "probe_score_path: the answer has no number at \"%s\"", path);
		return HINGE_EINVAL;
	}
	*out = json_number_value(at);
	return 0;
}
