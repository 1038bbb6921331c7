/* window.c - parsing the maintenance window and testing membership. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plugins/migration/window.h"

static const char *const day_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* The day named by the len bytes at s: 0 (Monday) to 6, or -1. */
static int day_of(const char *s, size_t len)
{
	for (int i = 0; i < 7; i++)
		if (len == 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

int mig_window_days(const char *text, unsigned *days, char *err, size_t len)
{
	const char *s = text;

	*days = 0;
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *dash;
		int a, b;

		while (n > 0 && isspace((unsigned char)*s))
			s++, n--;
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		dash = memchr(s, '-', n);
		if (n == 1 && *s == '*') {
			a = 0;
			b = 6;
		} else if (dash != NULL) {
			a = day_of(s, (size_t)(dash - s));
			b = day_of(dash + 1, n - (size_t)(dash - s) - 1);
		} else {
			a = b = day_of(s, n);
		}
		if (a < 0 || b < 0) {
			snprintf(err, len, "\"%.*s\" is not a day (mon ... sun), a range (mon-fri) or *",
				 (int)n, s);
			return -1;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*days |= 1u << d;
			if (d == b)
				break;
		}
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	if (*days == 0) {
		snprintf(err, len, "names no day");
		return -1;
	}
	return 0;
}

/* "HH:MM[:SS]" at s into seconds; the characters read, or 0 when bad. */
static size_t clock_time(const char *s, int *secs)
{
	int h, m, sec = 0, n = 0, k = 0;

	if (sscanf(s, "%2d:%2d%n:%2d%n", &h, &m, &n, &sec, &k) < 2)
		return 0;
	if (k > 0)
		n = k;
	if (!isdigit((unsigned char)s[0]) || h < 0 || m < 0 || m > 59 || sec < 0 || sec > 59 ||
	    h * 3600 + m * 60 + sec > 86400)
		return 0;
	*secs = h * 3600 + m * 60 + sec;
	return (size_t)n;
}

int mig_window_hours(const char *text, int *start, int *end, char *err, size_t len)
{
	size_t a = clock_time(text, start), b = 0;

	if (a > 0 && text[a] == '-')
		b = clock_time(text + a + 1, end);
	if (a == 0 || b == 0 || text[a + 1 + b] != '\0' || *start == 86400) {
		snprintf(err, len, "\"%s\" is not HH:MM-HH:MM (seconds optional, end up to 24:00)",
			 text);
		return -1;
	}
	if (*start == *end) {
		snprintf(err, len, "\"%s\" is empty: it starts where it ends", text);
		return -1;
	}
	return 0;
}

int mig_window_open(const struct mig_window *w, int isodow, int secs)
{
	int today = (isodow + 6) % 7, yesterday = (isodow + 5) % 7;

	if (w->start < w->end)
		return (w->days >> today & 1u) && secs >= w->start && secs < w->end;
	return ((w->days >> today & 1u) && secs >= w->start) ||
	       ((w->days >> yesterday & 1u) && secs < w->end);
}
