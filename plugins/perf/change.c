/*
 * change.c - the proposed change file (see change.h).
 */
#include "plugins/perf/change.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void perf_index_name(const struct perf_proposal *p, char *buf)
{
	size_t n = (size_t)snprintf(buf, 64, "%s", p->table);

	for (size_t i = 0; i < p->ncols && n < 63; i++)
		n += (size_t)snprintf(buf + n, 64 - n, "_%s", p->cols[i]);
	/* Keep the suffix: cut the name before it when it is too long. */
	if (n > 59)
		n = 59;
	snprintf(buf + n, 64 - n, "_idx");
}

/* A libconfig string: quotes and backslashes escaped, no raw newlines. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void put_duration(FILE *f, int64_t ms)
{
	if (ms % 60000 == 0)
		fprintf(f, "\"%" PRId64 "m\"", ms / 60000);
	else if (ms % 1000 == 0)
		fprintf(f, "\"%" PRId64 "s\"", ms / 1000);
	else
		fprintf(f, "\"%" PRId64 "ms\"", ms);
}

static void put_description(FILE *f, const struct perf_proposal *p)
{
	char *d = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&d, &len);

	if (m == NULL)
		return;
	fprintf(m, "statement %" PRId64 " (%.0f calls, mean %.3f ms, %.1f ms in "
		"all) scans %s.%s sequentially with filter %s; checked %s, the "
		"index brings its cost from %.2f to %.2f",
		p->queryid, p->calls, p->mean_ms, p->total_ms, p->schema,
		p->table, p->filter, p->check && strcmp(p->check, "hypothetical index") == 0 ?
		"as a hypothetical index (hypopg)" : "on a sampled copy",
		p->cost_without, p->cost_with);
	fclose(m);
	put_string(f, d);
	free(d);
}

/*
 * migration.create_index takes its columns as SQL ("\"k\", \"v\""):
 * each name quoted as an identifier, embedded quotes doubled, as
 * PQescapeIdentifier would (the names come from PostgreSQL's own plan).
 */
static void put_columns(FILE *f, const struct perf_proposal *p)
{
	char *sql = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&sql, &len);

	if (m == NULL)
		return;
	for (size_t i = 0; i < p->ncols; i++) {
		fputs(i ? ", \"" : "\"", m);
		for (const char *s = p->cols[i]; *s; s++) {
			if (*s == '"')
				fputc('"', m);
			fputc(*s, m);
		}
		fputc('"', m);
	}
	fclose(m);
	put_string(f, sql);
	free(sql);
}

static void put_steps(FILE *f, const struct perf_proposal *p, const char *name)
{
	fputs("  steps = (\n    { name = \"index\"; action = \"migration.create_index\";\n"
	      "      with = { schema = ", f);
	put_string(f, p->schema);
	fputs("; table = ", f);
	put_string(f, p->table);
	fputs("; name = ", f);
	put_string(f, name);
	fputs("; columns = ", f);
	put_columns(f, p);
	fprintf(f, "; }; },\n    { name = \"prove\";\n"
		"      gate = [ \"perf.query_gain{queryid=\\\"%" PRId64 "\\\"} == 1\",\n"
		"               \"perf.query_mean_ms{queryid=\\\"%" PRId64 "\\\"} < %.3f\" ];\n"
		"      bake = ", p->queryid, p->queryid,
		p->mean_ms * (1.0 - p->margin));
	put_duration(f, p->bake_ms);
	fputs("; interval = ", f);
	put_duration(f, p->interval_ms);
	fprintf(f, "; failure_limit = %ld; inconclusive_limit = %ld; }\n  );\n",
		p->failure_limit, p->inconclusive_limit);
}

char *perf_change_text(const struct perf_proposal *p)
{
	char name[64], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	perf_index_name(p, name);
	fprintf(f, "# Proposed by `hinge perf propose`.  The index stays only if\n"
		"# statement %" PRId64 " gets faster by the margin, proved by a\n"
		"# one-sided Welch test at 95%%; otherwise the rollout removes it.\n"
		"change: {\n  id = ", p->queryid);
	put_string(f, name);
	fputs(";\n  description = ", f);
	put_description(f, p);
	fputs(";\n  on_failure = \"rollback\";\n", f);
	put_steps(f, p, name);
	fputs("};\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
