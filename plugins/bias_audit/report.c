/*
 * report.c - the Markdown report, rendered from the stored document so
 * that `run` and `show` print the same thing.
 */
#include <string.h>
#include <time.h>

#include "plugins/bias_audit/report.h"

static void cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
	}
}

static void utc(FILE *out, json_int_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(buf, out);
}

static void rate(FILE *out, const json_t *r)
{
	if (json_is_null(r) || r == NULL) {
		fputs(" | -", out);
		return;
	}
	fprintf(out, " | %.4f [%.4f, %.4f]", json_real_value(json_object_get(r, "value")),
		json_real_value(json_object_get(r, "lo")), json_real_value(json_object_get(r, "hi")));
}

static void groups(FILE *out, const json_t *dim)
{
	size_t i;
	json_t *g;

	fputs("| group | n | selection rate | TPR | FPR | FNR | precision |\n"
	      "|---|---:|---|---|---|---|---|\n", out);
	json_array_foreach(json_object_get(dim, "groups"), i, g) {
		fputs("| ", out);
		cell(out, json_string_value(json_object_get(g, "value")));
		fprintf(out, " | %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(g, "n")));
		if (json_is_true(json_object_get(g, "insufficient"))) {
			fputs(" | insufficient data | | | | |\n", out);
			continue;
		}
		rate(out, json_object_get(g, "selection_rate"));
		rate(out, json_object_get(g, "tpr"));
		rate(out, json_object_get(g, "fpr"));
		rate(out, json_object_get(g, "fnr"));
		rate(out, json_object_get(g, "precision"));
		fputs(" |\n", out);
	}
}

static void figures(FILE *out, const json_t *dim)
{
	const char *name;
	json_t *f;

	fputs("\n| figure | value | interval | groups |\n|---|---:|---|---|\n", out);
	json_object_foreach(json_object_get(dim, "figures"), name, f) {
		json_t *g = json_object_get(f, "groups");

		fprintf(out, "| %s", name);
		if (json_is_null(f)) {
			fputs(" | cannot be computed | | |\n", out);
			continue;
		}
		fprintf(out, " | %.4f | ", json_real_value(json_object_get(f, "value")));
		if (json_object_get(f, "lo") != NULL)
			fprintf(out, "[%.4f, %.4f]", json_real_value(json_object_get(f, "lo")),
				json_real_value(json_object_get(f, "hi")));
		fputs(" | ", out);
		cell(out, json_string_value(json_array_get(g, 0)));
		fputs(" vs ", out);
		cell(out, json_string_value(json_array_get(g, 1)));
		fputs(" |\n", out);
	}
}

static void drift(FILE *out, const json_t *d)
{
	const char *dim;
	size_t i;
	json_t *v;

	fprintf(out, "\n## Drift against audit %" JSON_INTEGER_FORMAT "\n\n",
		json_integer_value(json_object_get(d, "baseline")));
	v = json_object_get(d, "score_psi");
	if (json_is_number(v))
		fprintf(out, "- Score distribution PSI: %.4f\n", json_number_value(v));
	json_object_foreach(json_object_get(d, "selection_psi"), dim, v)
		fprintf(out, "- Selection PSI of %s: %.4f\n", dim, json_number_value(v));
	json_array_foreach(json_object_get(d, "alarms"), i, v)
		fprintf(out, "- **Alarm**: %s\n", json_string_value(v));
	fputs("\n| dimension | figure | baseline | current | change |\n|---|---|---:|---:|---:|\n", out);
	json_array_foreach(json_object_get(d, "changes"), i, v) {
		fputs("| ", out);
		cell(out, json_string_value(json_object_get(v, "dimension")));
		fprintf(out, " | %s | %.4f | %.4f | %+.4f |\n",
			json_string_value(json_object_get(v, "figure")),
			json_real_value(json_object_get(v, "baseline")),
			json_real_value(json_object_get(v, "current")),
			json_real_value(json_object_get(v, "delta")));
	}
}

int bias_report_markdown(FILE *out, const json_t *audit)
{
	const json_t *res = json_object_get(audit, "results");
	size_t i;
	json_t *v;

	fprintf(out, "# Bias audit %" JSON_INTEGER_FORMAT ": %s\n\n- Started: ",
		json_integer_value(json_object_get(audit, "id")),
		json_string_value(json_object_get(audit, "verdict")));
	utc(out, json_integer_value(json_object_get(audit, "started_ms")));
	fputs("\n- Source: ", out);
	cell(out, json_string_value(json_object_get(audit, "source")));
	fprintf(out, "\n- Input SHA-256: %s\n- Rows: %" JSON_INTEGER_FORMAT
		" (%" JSON_INTEGER_FORMAT " with a known outcome)\n",
		json_string_value(json_object_get(audit, "input_sha256")),
		json_integer_value(json_object_get(res, "rows")),
		json_integer_value(json_object_get(res, "labelled")));
	if (json_array_size(json_object_get(res, "reasons")) > 0) {
		fputs("\n## Reasons\n\n", out);
		json_array_foreach(json_object_get(res, "reasons"), i, v)
			fprintf(out, "- %s\n", json_string_value(v));
	}
	json_array_foreach(json_object_get(res, "dimensions"), i, v) {
		const char *ref = json_string_value(json_object_get(v, "reference"));

		fprintf(out, "\n## %s", json_string_value(json_object_get(v, "name")));
		if (ref != NULL) {
			fputs(" (reference: ", out);
			cell(out, ref);
			fputs(")", out);
		}
		fputs("\n\n", out);
		groups(out, v);
		figures(out, v);
	}
	if (json_object_get(res, "drift") != NULL)
		drift(out, json_object_get(res, "drift"));
	return ferror(out) ? -1 : 0;
}
