/*
 * settings.c - typed settings: one table describes a group's keys; this
 * file checks a libconfig group against it and keeps the values.  The
 * agent group, every plugin's group and every step's `with` go through
 * here, so all report errors the same way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent/config.h"
#include "agent/log.h"
#include "agent/units.h"

struct value {
	const struct hinge_setting *def;
	int given;
	char where[320];
	char *str;     /* STRING, SECRET, and the text of DURATION/SIZE */
	int64_t num;   /* INT, BOOL, DURATION (ms), SIZE (bytes) */
	double dbl;    /* DOUBLE */
	json_t *json;  /* STRINGS, JSON */
};

struct settings {
	size_t n;
	struct value v[];
};

static json_t *setting_to_json(const config_setting_t *s)
{
	json_t *j;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		return json_integer(config_setting_get_int(s));
	case CONFIG_TYPE_INT64:
		return json_integer(config_setting_get_int64(s));
	case CONFIG_TYPE_FLOAT:
		return json_real(config_setting_get_float(s));
	case CONFIG_TYPE_STRING:
		return json_string(config_setting_get_string(s));
	case CONFIG_TYPE_BOOL:
		return json_boolean(config_setting_get_bool(s));
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		j = json_array();
		for (int i = 0; i < config_setting_length(s); i++)
			json_array_append_new(j, setting_to_json(
				config_setting_get_elem(s, (unsigned)i)));
		return j;
	case CONFIG_TYPE_GROUP:
		j = json_object();
		for (int i = 0; i < config_setting_length(s); i++) {
			config_setting_t *c = config_setting_get_elem(s, (unsigned)i);
			json_object_set_new(j, config_setting_name(c), setting_to_json(c));
		}
		return j;
	default:
		return json_null();
	}
}

static void where_of(const config_setting_t *s, const char *file,
		     char *buf, size_t len)
{
	const char *f = config_setting_source_file(s);

	snprintf(buf, len, "%s:%u", f ? f : file, config_setting_source_line(s));
}

static int bad(const struct value *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(const struct value *v, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hlog(HINGE_LOG_ERROR, "hinge", "%s: %s: %s", v->where, v->def->key, msg);
	return HINGE_EINVAL;
}

static int in_range(const struct hinge_setting *d, double x)
{
	if (d->min == 0 && d->max == 0)
		return 1;
	return x >= d->min && x <= d->max;
}

static int range_error(struct value *v)
{
	char r[96];

	snprintf(r, sizeof(r), "%g and %g", v->def->min, v->def->max);
	return bad(v, "out of range: must be between %s", r);
}

/* Convert text (from the config or a default) for the declared type. */
static int take_text(struct value *v, const char *text)
{
	int rc;

	free(v->str);
	v->str = strdup(text);
	switch (v->def->type) {
	case HINGE_T_DURATION:
		if (units_duration_ms(text, &v->num) != 0)
			return bad(v, "\"%s\" is not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)", text);
		rc = in_range(v->def, (double)v->num) ? 0 : range_error(v);
		return rc;
	case HINGE_T_SIZE:
		if (units_size_bytes(text, &v->num) != 0)
			return bad(v, "\"%s\" is not a size (e.g. 512, 64k, 10M, 1G)", text);
		return in_range(v->def, (double)v->num) ? 0 : range_error(v);
	case HINGE_T_INT: {
		char *end;
		v->num = strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0')
			return bad(v, "\"%s\" is not an integer", text);
		return in_range(v->def, (double)v->num) ? 0 : range_error(v);
	}
	case HINGE_T_DOUBLE: {
		char *end;
		v->dbl = strtod(text, &end);
		if (*text == '\0' || *end != '\0')
			return bad(v, "\"%s\" is not a number", text);
		return in_range(v->def, v->dbl) ? 0 : range_error(v);
	}
	case HINGE_T_BOOL:
		if (strcmp(text, "true") == 0)
			v->num = 1;
		else if (strcmp(text, "false") == 0)
			v->num = 0;
		else
			return bad(v, "\"%s\" is not true or false", text);
		return 0;
	case HINGE_T_STRINGS:
		json_decref(v->json);
		v->json = json_pack("[s]", text);
		return 0;
	case HINGE_T_JSON:
		json_decref(v->json);
		v->json = json_loads(text, JSON_DECODE_ANY, NULL);
		if (v->json == NULL)
			v->json = json_string(text);
		return 0;
	default:
		return 0;
	}
}

static const char *type_name(enum hinge_type t)
{
	switch (t) {
	case HINGE_T_STRING: return "a string";
	case HINGE_T_INT: return "an integer";
	case HINGE_T_DOUBLE: return "a number";
	case HINGE_T_BOOL: return "true or false";
	case HINGE_T_DURATION: return "a duration string such as \"30s\"";
	case HINGE_T_SIZE: return "a size such as \"10M\"";
	case HINGE_T_STRINGS: return "a list of strings";
	case HINGE_T_SECRET: return "the path of a secret file";
	default: return "a value";
	}
}

/* Take a value from the config file, checking its type. */
static int take_setting(struct value *v, const config_setting_t *s)
{
	int t = config_setting_type(s);
	char num[64];

	v->given = 1;
	switch (v->def->type) {
	case HINGE_T_STRING:
	case HINGE_T_SECRET:
	case HINGE_T_DURATION:
		if (t != CONFIG_TYPE_STRING)
			return bad(v, "must be %s", type_name(v->def->type));
		return take_text(v, config_setting_get_string(s));
	case HINGE_T_SIZE:
	case HINGE_T_INT:
		if (t == CONFIG_TYPE_STRING && v->def->type == HINGE_T_SIZE)
			return take_text(v, config_setting_get_string(s));
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
			return bad(v, "must be %s", type_name(v->def->type));
		snprintf(num, sizeof(num), "%lld", config_setting_get_int64(s));
		return take_text(v, num);
	case HINGE_T_DOUBLE:
		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
			snprintf(num, sizeof(num), "%lld", config_setting_get_int64(s));
		else if (t == CONFIG_TYPE_FLOAT)
			snprintf(num, sizeof(num), "%.17g", config_setting_get_float(s));
		else
			return bad(v, "must be %s", type_name(v->def->type));
		return take_text(v, num);
	case HINGE_T_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			return bad(v, "must be %s", type_name(v->def->type));
		return take_text(v, config_setting_get_bool(s) ? "true" : "false");
	case HINGE_T_STRINGS:
		if (t == CONFIG_TYPE_STRING)
			return take_text(v, config_setting_get_string(s));
		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			return bad(v, "must be %s", type_name(v->def->type));
		for (int i = 0; i < config_setting_length(s); i++)
			if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) !=
			    CONFIG_TYPE_STRING)
				return bad(v, "must be %s", type_name(v->def->type));
		json_decref(v->json);
		v->json = setting_to_json(s);
		return 0;
	case HINGE_T_JSON:
		json_decref(v->json);
		v->json = setting_to_json(s);
		return 0;
	}
	return bad(v, "has an unknown type in its table");
}

const char *config_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = 4, lw = strlen(word);

	for (size_t c = 0; c < n; c++) {
		size_t lc = strlen(cands[c]), prev[64], cur[64];

		if (lc >= 63 || lw >= 63)
			continue;
		for (size_t j = 0; j <= lc; j++)
			prev[j] = j;
		for (size_t i = 1; i <= lw; i++) {
			cur[0] = i;
			for (size_t j = 1; j <= lc; j++) {
				size_t sub = prev[j - 1] + (word[i - 1] != cands[c][j - 1]);
				size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
				cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			}
			memcpy(prev, cur, sizeof(size_t) * (lc + 1));
		}
		if (prev[lc] < bestd) {
			bestd = prev[lc];
			best = cands[c];
		}
	}
	return best;
}

static int is_ignored(const char *key, const char *const *ignore)
{
	for (; ignore != NULL && *ignore != NULL; ignore++)
		if (strcmp(key, *ignore) == 0)
			return 1;
	return 0;
}

static int check_unknown(const struct hinge_setting *table,
			 const config_setting_t *group, const char *file,
			 const char *const *ignore)
{
	const char *names[128];
	size_t n = 0;
	int rc = 0;

	for (const struct hinge_setting *d = table; d->key != NULL && n < 120; d++)
		names[n++] = d->key;
	for (const char *const *i = ignore; i != NULL && *i != NULL && n < 128; i++)
		names[n++] = *i;
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *c = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(c);
		const char *near;
		char where[320];

		if (name == NULL || is_ignored(name, ignore))
			continue;
		int known = 0;
		for (const struct hinge_setting *d = table; d->key != NULL; d++)
			known |= strcmp(d->key, name) == 0;
		if (known)
			continue;
		where_of(c, file, where, sizeof(where));
		near = config_nearest(name, names, n);
		hlog(HINGE_LOG_ERROR, "hinge", "%s: %s: unknown setting%s%s%s", where,
		     name, near ? "; did you mean \"" : "", near ? near : "",
		     near ? "\"?" : "");
		rc = HINGE_EINVAL;
	}
	return rc;
}

int settings_parse(const struct hinge_setting *table,
		   const config_setting_t *group, const char *file,
		   const char *const *ignore, struct settings **out)
{
	struct settings *s;
	size_t n = 0;
	int rc = 0;

	while (table[n].key != NULL)
		n++;
	s = calloc(1, sizeof(*s) + n * sizeof(s->v[0]));
	if (s == NULL)
		return HINGE_ENOMEM;
	s->n = n;
	if (group != NULL)
		rc = check_unknown(table, group, file, ignore);
	for (size_t i = 0; i < n; i++) {
		struct value *v = &s->v[i];
		config_setting_t *c = group ? config_setting_get_member(group, table[i].key) : NULL;

		v->def = &table[i];
		if (c != NULL) {
			where_of(c, file, v->where, sizeof(v->where));
			if (take_setting(v, c) != 0)
				rc = HINGE_EINVAL;
		} else {
			if (group != NULL)
				where_of(group, file, v->where, sizeof(v->where));
			else
				snprintf(v->where, sizeof(v->where), "%s", file ? file : "");
			if (table[i].flags & HINGE_P_REQUIRED) {
				rc = bad(v, "required setting missing");
				continue;
			}
			if (table[i].def != NULL && take_text(v, table[i].def) != 0)
				rc = HINGE_EINVAL;
		}
	}
	if (rc != 0) {
		settings_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void settings_free(struct settings *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].str);
		json_decref(s->v[i].json);
	}
	free(s);
}

static const struct value *find(const struct settings *s, const char *key)
{
	for (size_t i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->v[i].def->key, key) == 0)
			return &s->v[i];
	hlog(HINGE_LOG_ERROR, "hinge", "undeclared setting \"%s\" read", key);
	return NULL;
}

const char *settings_str(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? v->str : NULL;
}

int64_t settings_int(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? v->num : 0;
}

double settings_double(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? v->dbl : 0;
}

int settings_bool(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? (int)v->num : 0;
}

int64_t settings_ms(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? v->num : 0;
}

struct hinge_json *settings_json(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? (struct hinge_json *)v->json : NULL;
}

const char *settings_where(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? v->where : "";
}

int settings_given(const struct settings *s, const char *key)
{
	const struct value *v = find(s, key);
	return v ? v->given : 0;
}

struct hinge_json *settings_to_json(const struct settings *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < s->n; i++) {
		const struct value *v = &s->v[i];
		json_t *j;

		switch (v->def->type) {
		case HINGE_T_INT: j = json_integer(v->num); break;
		case HINGE_T_DOUBLE: j = json_real(v->dbl); break;
		case HINGE_T_BOOL: j = json_boolean(v->num); break;
		case HINGE_T_STRINGS:
		case HINGE_T_JSON: j = v->json ? json_incref(v->json) : json_null(); break;
		default: j = v->str ? json_string(v->str) : json_null(); break;
		}
		json_object_set_new(o, v->def->key, j);
	}
	return (struct hinge_json *)o;
}
