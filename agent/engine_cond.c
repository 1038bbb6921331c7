/*
 * engine_cond.c - parsing and evaluating gate conditions.  A small
 * hand-written scanner: the grammar is one metric name, an optional label
 * set in braces, an operator and a number.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "agent/engine_cond.h"

static const char *const op_names[] = {
	[COND_LT] = "<", [COND_LE] = "<=", [COND_GT] = ">",
	[COND_GE] = ">=", [COND_EQ] = "==", [COND_NE] = "!=",
};

const char *cond_op_name(enum cond_op op)
{
	return op_names[op];
}

static void skip_space(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static char *take_name(const char **p)
{
	const char *start = *p;

	while (is_name_char((unsigned char)**p))
		(*p)++;
	return *p > start ? strndup(start, (size_t)(*p - start)) : NULL;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return HINGE_EINVAL;
}

/* A double-quoted value; backslash escapes the next character. */
static char *take_quoted(const char **p)
{
	const char *s = *p;
	char *out, *o;

	if (*s != '"')
		return NULL;
	out = o = malloc(strlen(s) + 1);
	if (out == NULL)
		return NULL;
	for (s++; *s != '\0' && *s != '"'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		*o++ = *s;
	}
	if (*s != '"') {
		free(out);
		return NULL;
	}
	*o = '\0';
	*p = s + 1;
	return out;
}

static int push_label(struct cond *c, size_t *n, char *key, char *value)
{
	char **l = realloc(c->labels, (*n + 3) * sizeof(*l));

	if (l == NULL) {
		free(key);
		free(value);
		return HINGE_ENOMEM;
	}
	l[(*n)++] = key;
	l[(*n)++] = value;
	l[*n] = NULL;
	c->labels = l;
	return 0;
}

static int parse_labels(const char **p, struct cond *c, char *err, size_t errlen)
{
	size_t n = 0;

	(*p)++; /* '{' */
	for (;;) {
		char *key, *value;

		skip_space(p);
		if (**p == '}' && n == 0)
			break;
		key = take_name(p);
		if (key == NULL)
			return fail(err, errlen, "expected a label name at \"%s\"", *p);
		skip_space(p);
		if (**p != '=') {
			fail(err, errlen, "expected = after label \"%s\"", key);
			free(key);
			return HINGE_EINVAL;
		}
		(*p)++;
		skip_space(p);
		value = take_quoted(p);
		if (value == NULL) {
			free(key);
			return fail(err, errlen, "expected a double-quoted label value at \"%s\"", *p);
		}
		if (push_label(c, &n, key, value) != 0)
			return fail(err, errlen, "out of memory");
		skip_space(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p == '}')
			break;
		return fail(err, errlen, "expected , or } in the labels at \"%s\"", *p);
	}
	(*p)++;
	return 0;
}

static int parse_op(const char **p, enum cond_op *op)
{
	static const struct { const char *text; enum cond_op op; } ops[] = {
		{ "<=", COND_LE }, { ">=", COND_GE }, { "==", COND_EQ },
		{ "!=", COND_NE }, { "<", COND_LT }, { ">", COND_GT },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t len = strlen(ops[i].text);

		if (strncmp(*p, ops[i].text, len) == 0) {
			*op = ops[i].op;
			*p += len;
			return 0;
		}
	}
	return HINGE_EINVAL;
}

static int parse(const char *text, struct cond *c, char *err, size_t errlen)
{
	const char *p = text;
	char *end;
	int rc;

	skip_space(&p);
	c->metric = take_name(&p);
	if (c->metric == NULL)
		return fail(err, errlen, "expected a metric name at \"%s\"", p);
	if (strchr(c->metric, '.') == NULL)
		return fail(err, errlen, "metric \"%s\" must be named as plugin.metric", c->metric);
	skip_space(&p);
	if (*p == '{' && (rc = parse_labels(&p, c, err, errlen)) != 0)
		return rc;
	skip_space(&p);
	if (parse_op(&p, &c->op) != 0)
		return fail(err, errlen, "expected one of < <= > >= == != at \"%s\"", p);
	skip_space(&p);
	errno = 0;
	c->value = strtod(p, &end);
	if (end == p || errno != 0 || !isfinite(c->value))
		return fail(err, errlen, "expected a number at \"%s\"", p);
	p = end;
	skip_space(&p);
	if (*p != '\0')
		return fail(err, errlen, "unexpected \"%s\" after the number", p);
	return 0;
}

int cond_parse(const char *text, struct cond *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse(text, out, err, errlen);
	if (rc != 0)
		cond_free(out);
	return rc;
}

void cond_free(struct cond *c)
{
	free(c->metric);
	for (char **l = c->labels; l != NULL && *l != NULL; l++)
		free(*l);
	free(c->labels);
	memset(c, 0, sizeof(*c));
}

int cond_holds(const struct cond *c, double v)
{
	switch (c->op) {
	case COND_LT: return v < c->value;
	case COND_LE: return v <= c->value;
	case COND_GT: return v > c->value;
	case COND_GE: return v >= c->value;
	case COND_EQ: return v == c->value;
	case COND_NE: return v != c->value;
	}
	return 0;
}
