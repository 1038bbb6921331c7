/*
 * retry.c - backoff and the servers' own word on when to come back.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retry.h"

int64_t lg_backoff_ms(int failures, int64_t initial_ms, int64_t max_ms,
		      uint32_t rnd)
{
	int64_t d = initial_ms > 0 ? initial_ms : 1;
	int k;

	for (k = 1; k < failures && d < max_ms; k++)
		d *= 2;
	if (max_ms > 0 && d > max_ms)
		d = max_ms;
	return d / 2 + (int64_t)((double)(d - d / 2) * ((double)rnd / UINT32_MAX));
}

int64_t lg_retry_after_ms(const char *value, int64_t now_ms)
{
	struct tm tm;
	const char *end;
	char *e;
	long long secs;

	if (!value)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		secs = strtoll(value, &e, 10);
		while (isspace((unsigned char)*e))
			e++;
		return *e ? -1 : (int64_t)secs * 1000;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	secs = (long long)timegm(&tm) * 1000 - now_ms;
	return secs > 0 ? (int64_t)secs : 0;
}

/* Does the ;-separated list cats (of length n) name category? */
static int names(const char *cats, size_t n, const char *category)
{
	size_t clen = strlen(category), i = 0;

	if (n == 0)
		return 1;
	while (i < n) {
		size_t j = i;

		while (j < n && cats[j] != ';')
			j++;
		if (j - i == clen && strncmp(cats + i, category, clen) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

int64_t lg_sentry_limit_ms(const char *value, const char *category)
{
	int64_t best = 0;
	const char *p = value;

	if (!value)
		return -1;
	while (*p) {
		const char *end = strchr(p, ',');
		const char *cats;
		size_t len, clen;
		double secs;
		char *e;

		if (!end)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		len = (size_t)(end - p);
		if (len == 0) {
			p = *end ? end + 1 : end;
			continue;
		}
		secs = strtod(p, &e);
		if (e == p || *e != ':' || secs < 0)
			return -1;
		cats = e + 1;
		clen = strcspn(cats, ":,");
		if (cats + clen > end)
			clen = (size_t)(end - cats);
		if (names(cats, clen, category) && secs * 1000 > (double)best)
			best = (int64_t)(secs * 1000);
		p = *end ? end + 1 : end;
	}
	return best;
}
