/*
 * trend.c - figures across audits, for `hinge audit trend`.
 */
#include <string.h>

#include "plugins/bias_audit/trend.h"

/* The series of (dim, fig) in series, made (with n nulls) when new. */
static json_t *series_of(json_t *series, const char *dim, const char *fig, size_t n)
{
	size_t i;
	json_t *s, *values;

	json_array_foreach(series, i, s)
		if (strcmp(json_string_value(json_object_get(s, "dimension")), dim) == 0 &&
		    strcmp(json_string_value(json_object_get(s, "figure")), fig) == 0)
			return json_object_get(s, "values");
	values = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(values, json_null());
	json_array_append_new(series, json_pack("{s:s, s:s, s:o}", "dimension", dim, "figure",
						fig, "values", values));
	return values;
}

json_t *bias_trend(const json_t *audits)
{
	json_t *ids = json_array(), *series = json_array(), *a, *d, *s;
	size_t i, k;

	json_array_foreach(audits, i, a) {
		json_array_append(ids, json_object_get(a, "id"));
		json_array_foreach(series, k, s)
			json_array_append_new(json_object_get(s, "values"), json_null());
		json_array_foreach(json_object_get(json_object_get(a, "results"), "dimensions"), k, d) {
			const char *dim = json_string_value(json_object_get(d, "name")), *fig;
			json_t *f;

			json_object_foreach(json_object_get(d, "figures"), fig, f) {
				json_t *values = series_of(series, dim, fig, i + 1);

				if (json_is_object(f))
					json_array_set(values, i, json_object_get(f, "value"));
			}
		}
	}
	return json_pack("{s:o, s:o}", "audits", ids, "series", series);
}

void bias_trend_print(FILE *out, const json_t *trend)
{
	size_t i, k;
	json_t *v, *s;

	fprintf(out, "%-36s", "FIGURE");
	json_array_foreach(json_object_get(trend, "audits"), i, v)
		fprintf(out, " %8" JSON_INTEGER_FORMAT, json_integer_value(v));
	fputc('\n', out);
	json_array_foreach(json_object_get(trend, "series"), i, s) {
		char name[256];

		snprintf(name, sizeof(name), "%s %s", json_string_value(json_object_get(s, "dimension")),
			 json_string_value(json_object_get(s, "figure")));
		fprintf(out, "%-36s", name);
		json_array_foreach(json_object_get(s, "values"), k, v) {
			if (json_is_number(v))
				fprintf(out, " %8.4f", json_number_value(v));
			else
				fprintf(out, " %8s", "-");
		}
		fputc('\n', out);
	}
}
