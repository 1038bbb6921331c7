/*
 * units.c - durations and sizes, the one place they are parsed.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>
#include "agent/units.h"

struct unit {
	const char *suffix;
	int64_t factor;
};

static const struct unit duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 },
	{ "h", 3600000 }, { "d", 86400000 }, { NULL, 0 },
};

static const struct unit size_units[] = {
	{ "", 1 }, { "k", 1024 }, { "K", 1024 }, { "M", 1024 * 1024 },
	{ "G", 1024 * 1024 * 1024 }, { NULL, 0 },
};

/*
 * A non-negative integer followed by one of the units.  Durations need a
 * unit: a bare "30" is ambiguous and refused.
 */
static int parse_with_units(const char *text, const struct unit *units,
			    int64_t *out)
{
	char *end;
	long long n;

	if (text == NULL || !isdigit((unsigned char)text[0]))
		return HINGE_EINVAL;
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || n < 0)
		return HINGE_EINVAL;
	for (const struct unit *u = units; u->suffix != NULL; u++) {
		if (strcmp(end, u->suffix) == 0) {
			if (n > INT64_MAX / u->factor)
				return HINGE_EINVAL;
			*out = (int64_t)n * u->factor;
			return 0;
		}
	}
	return HINGE_EINVAL;
}

int units_duration_ms(const char *text, int64_t *ms)
{
	return parse_with_units(text, duration_units, ms);
}

int units_size_bytes(const char *text, int64_t *bytes)
{
	return parse_with_units(text, size_units, bytes);
}

void units_format_ms(int64_t ms, char *buf, unsigned len)
{
	if (ms % 86400000 == 0 && ms > 0)
		snprintf(buf, len, "%lldd", (long long)(ms / 86400000));
	else if (ms % 3600000 == 0 && ms > 0)
		snprintf(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0 && ms > 0)
		snprintf(buf, len, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0 && ms > 0)
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, len, "%lldms", (long long)ms);
}
