/*
 * plan.c - EXPLAIN plans and filters for index advice (see plan.h).
 */
#include "plugins/perf/plan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int perf_param_count(const char *q)
{
	int max = 0;

	while (*q) {
		if (*q == '\'' || *q == '"') {
			const char *end = strchr(q + 1, *q);

			q = end ? end + 1 : q + strlen(q);
		} else if (q[0] == '/' && q[1] == '*') {
			const char *end = strstr(q + 2, "*/");

			q = end ? end + 2 : q + strlen(q);
		} else if (q[0] == '-' && q[1] == '-') {
			q += strcspn(q, "\n");
		} else if (*q == '$' && isdigit((unsigned char)q[1])) {
			int n = (int)strtol(q + 1, (char **)&q, 10);

			if (n > max)
				max = n;
		} else {
			q++;
		}
	}
	return max;
}

int perf_stmt_explainable(const char *q)
{
	static const char *const verbs[] = { "select", "with", "update", "delete" };

	for (;;) {
		while (isspace((unsigned char)*q))
			q++;
		if (q[0] == '/' && q[1] == '*' && strstr(q + 2, "*/"))
			q = strstr(q + 2, "*/") + 2;
		else if (q[0] == '-' && q[1] == '-')
			q += strcspn(q, "\n");
		else
			break;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t l = strlen(verbs[i]);

		if (strncasecmp(q, verbs[i], l) == 0 &&
		    !isalnum((unsigned char)q[l]) && q[l] != '_')
			return 1;
	}
	return 0;
}

static double num(const json_t *node, const char *key)
{
	return json_number_value(json_object_get(node, key));
}

static const char *str(const json_t *node, const char *key)
{
	return json_string_value(json_object_get(node, key));
}

static void walk(const json_t *node, struct perf_scan *out, size_t max,
		 size_t *n)
{
	const json_t *child;
	size_t i;

	if (*n < max && str(node, "Filter") && str(node, "Relation Name") &&
	    strcmp(str(node, "Node Type") ? str(node, "Node Type") : "",
		   "Seq Scan") == 0) {
		out[*n] = (struct perf_scan){
			.schema = str(node, "Schema"),
			.relation = str(node, "Relation Name"),
			.filter = str(node, "Filter"),
			.cost = num(node, "Total Cost"),
			.plan_rows = num(node, "Plan Rows"),
		};
		(*n)++;
	}
	json_array_foreach(json_object_get(node, "Plans"), i, child)
		walk(child, out, max, n);
}

/* The top plan node of an EXPLAIN (FORMAT JSON) document. */
static const json_t *root(const json_t *doc)
{
	return json_object_get(json_array_get(doc, 0), "Plan");
}

double perf_plan_cost(const json_t *doc)
{
	const json_t *plan = root(doc);

	return plan ? num(plan, "Total Cost") : 0;
}

size_t perf_plan_seqscans(const json_t *doc, struct perf_scan *out, size_t max,
			  double *root_cost)
{
	const json_t *plan = root(doc);
	size_t n = 0;

	*root_cost = perf_plan_cost(doc);
	if (plan)
		walk(plan, out, max, &n);
	return n;
}

static int uses(const json_t *node, const char *relation)
{
	const char *type = str(node, "Node Type"), *rel = str(node, "Relation Name");
	const json_t *child;
	size_t i;

	if (type && rel && strcmp(rel, relation) == 0 &&
	    (strcmp(type, "Index Scan") == 0 ||
	     strcmp(type, "Index Only Scan") == 0 ||
	     strcmp(type, "Bitmap Heap Scan") == 0))
		return 1;
	json_array_foreach(json_object_get(node, "Plans"), i, child)
		if (uses(child, relation))
			return 1;
	return 0;
}

int perf_plan_uses_index(const json_t *doc, const char *relation)
{
	const json_t *plan = root(doc);

	return plan != NULL && uses(plan, relation);
}

/* Read an identifier at *p (plain or "quoted", maybe alias-prefixed)
 * into buf; returns 1 and advances *p, or 0. */
static int read_ident(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	for (;;) {
		n = 0;
		if (*s == '"') {
			for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++;
				if (n + 1 < len)
					buf[n++] = *s;
			}
			if (*s != '"')
				return 0;
			s++;
		} else if (isalpha((unsigned char)*s) || *s == '_') {
			while (isalnum((unsigned char)*s) || *s == '_' || *s == '$') {
				if (n + 1 < len)
					buf[n++] = *s;
				s++;
			}
		} else {
			return 0;
		}
		buf[n] = '\0';
		if (*s != '.')
			break;
		s++; /* a table prefix: the column follows */
	}
	*p = s;
	return n > 0;
}

/* 'e' for =, 'r' for a range operator, 0 for anything else. */
static int read_op(const char **p)
{
	static const struct {
		const char *op;
		int kind;
	} ops[] = { { "<=", 'r' }, { ">=", 'r' }, { "<>", 0 }, { "=", 'e' },
		    { "<", 'r' }, { ">", 'r' } };
	const char *s = *p;

	while (*s == ' ')
		s++;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].op);

		if (strncmp(s, ops[i].op, l) == 0 && s[l] == ' ') {
			*p = s + l;
			return ops[i].kind;
		}
	}
	return 0;
}

static int have(char cols[][64], size_t n, const char *c)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], c) == 0)
			return 1;
	return 0;
}

size_t perf_filter_columns(const char *filter, char cols[][64])
{
	char range[64] = "", name[64];
	size_t n = 0;

	for (const char *p = filter; (p = strchr(p, '(')) != NULL;) {
		int kind;

		p++;
		if (!read_ident(&p, name, sizeof(name)) || *p != ' ')
			continue;
		kind = read_op(&p);
		if (kind == 'e' && n < PERF_MAX_COLS - 1 && !have(cols, n, name))
			strcpy(cols[n++], name);
		else if (kind == 'r' && !range[0])
			strcpy(range, name);
	}
	if (range[0] && !have(cols, n, range))
		strcpy(cols[n++], range);
	return n;
}

static int uses_named(const json_t *node, const char *index)
{
	const char *name = str(node, "Index Name");
	const json_t *child;
	size_t i;

	if (name && strcmp(name, index) == 0)
		return 1;
	json_array_foreach(json_object_get(node, "Plans"), i, child)
		if (uses_named(child, index))
			return 1;
	return 0;
}

int perf_plan_uses_named_index(const json_t *doc, const char *index)
{
	const json_t *plan = root(doc);

	return plan != NULL && uses_named(plan, index);
}
