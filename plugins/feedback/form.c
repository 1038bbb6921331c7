/*
 * form.c - url-encoded fields and the HTML template.
 */
#include <stdlib.h>
#include <string.h>

#include "form.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode src[0..n) into out; -1 on a bad escape, a NUL or no room. */
static int decode(const char *src, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (c == 0 || o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int fb_urlencoded_get(const char *body, size_t len, const char *key,
		      char *out, size_t outsz)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		const char *pair = body + i;
		const char *amp = memchr(pair, '&', len - i);
		size_t plen = amp ? (size_t)(amp - pair) : len - i;

		if (plen > klen && memcmp(pair, key, klen) == 0 && pair[klen] == '=')
			return decode(pair + klen + 1, plen - klen - 1, out, outsz) < 0 ? -1 : 1;
		i += plen + 1;
	}
	return 0;
}

/* Append n bytes to the growing buffer; -1 when out of memory. */
static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	char *bigger;

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		if ((bigger = realloc(*buf, *cap)) == NULL)
			return -1;
		*buf = bigger;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static int put_escaped(char **buf, size_t *len, size_t *cap, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&': rc = put(buf, len, cap, "&amp;", 5); break;
		case '<': rc = put(buf, len, cap, "&lt;", 4); break;
		case '>': rc = put(buf, len, cap, "&gt;", 4); break;
		case '"': rc = put(buf, len, cap, "&quot;", 6); break;
		case '\'': rc = put(buf, len, cap, "&#39;", 5); break;
		default: rc = put(buf, len, cap, s, 1);
		}
	}
	return rc;
}

char *fb_template_fill(const char *tpl, const char *const *names,
		       const char *const *values, size_t n)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, i;
	int rc = put(&buf, &len, &cap, "", 0);

	while (rc == 0 && *tpl != '\0') {
		const char *open = strstr(tpl, "{{"), *close;

		if (open == NULL || (close = strstr(open + 2, "}}")) == NULL) {
			rc = put(&buf, &len, &cap, tpl, strlen(tpl));
			break;
		}
		rc = put(&buf, &len, &cap, tpl, (size_t)(open - tpl));
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == (size_t)(close - open - 2) &&
			    memcmp(open + 2, names[i], (size_t)(close - open - 2)) == 0)
				break;
		if (rc == 0)
			rc = i < n ? put_escaped(&buf, &len, &cap, values[i])
				   : put(&buf, &len, &cap, open, (size_t)(close + 2 - open));
		tpl = close + 2;
	}
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
