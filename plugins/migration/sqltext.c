/* sqltext.c - plain text helpers for the SQL the plugin runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugins/migration/sqltext.h"

char *mig_replace_all(const char *text, const char *from, const char *to)
{
	size_t flen = strlen(from), tlen = strlen(to), n = 0;
	const char *s;
	char *out, *w;

	if (flen == 0)
		return strdup(text);
	for (s = strstr(text, from); s != NULL; s = strstr(s + flen, from))
		n++;
	out = malloc(strlen(text) + n * tlen + 1);
	if (out == NULL)
		return NULL;
	w = out;
	for (s = text;;) {
		const char *hit = strstr(s, from);

		if (hit == NULL)
			break;
		memcpy(w, s, (size_t)(hit - s));
		w += hit - s;
		memcpy(w, to, tlen);
		w += tlen;
		s = hit + flen;
	}
	strcpy(w, s);
	return out;
}

char *mig_trim_statement(const char *sql)
{
	size_t n = strlen(sql);
	char *out;

	while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\t' ||
			 sql[n - 1] == '\n' || sql[n - 1] == '\r'))
		n--;
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, sql, n);
	out[n] = '\0';
	return out;
}

int mig_dollar_tag(const char *text, char *buf, size_t len)
{
	for (unsigned i = 1;; i++) {
		int w = snprintf(buf, len, "$h%u$", i);

		if (w < 0 || (size_t)w >= len)
			return -1;
		if (strstr(text, buf) == NULL)
			return 0;
	}
}

int mig_truthy(const char *value)
{
	static const char *const yes[] = { "t", "true", "1", "on", "yes" };

	if (value == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(value, yes[i]) == 0)
			return 1;
	return 0;
}

int mig_lock_target(char *buf, size_t len, const char *db, const char *schema,
		    const char *table)
{
	int w;

	if (table == NULL)
		w = snprintf(buf, len, "pg:%s", db);
	else
		w = snprintf(buf, len, "pg:%s/%s.%s", db, schema, table);
	return (w < 0 || (size_t)w >= len) ? -1 : 0;
}

int mig_type_text_ok(const char *type)
{
	return type[0] != '\0' && strstr(type, "--") == NULL && strstr(type, "/*") == NULL &&
	       strpbrk(type, ";\n\r") == NULL;
}
