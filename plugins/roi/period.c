/*
 * period.c - period boundaries in local time by integer calendar
 * arithmetic, and a reader of TZif files for the local offsets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/period.h"

struct roi_tz {
	size_t n;          /* transitions */
	int64_t *at;       /* transition times, ascending */
	int32_t *off;      /* offset from at[i] on */
	int32_t off0;      /* offset before the first transition */
};

static const char *const names[] = { "hour", "day", "week", "month", "custom" };

int roi_period_parse(const char *text, enum roi_period *out)
{
	for (int i = 0; i < 4; i++)
		if (text != NULL && strcmp(text, names[i]) == 0) {
			*out = (enum roi_period)i;
			return 0;
		}
	return HINGE_EINVAL;
}

const char *roi_period_name(enum roi_period p)
{
	return names[p];
}

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return n == 4 ? (int64_t)(int32_t)v : (int64_t)v;
}

int roi_tz_parse(const unsigned char *d, size_t len, struct roi_tz **out)
{
	size_t isut, isstd, leap, timecnt, typecnt, charcnt, skip;
	const unsigned char *p, *end = d + len;
	struct roi_tz *tz;

	if (len < 44 || memcmp(d, "TZif", 4) != 0 || d[4] < '2')
		return HINGE_EINVAL;
	/* Skip the 32-bit block to the 64-bit header that follows it. */
	skip = 44 + (size_t)be(d + 32, 4) * 5 + (size_t)be(d + 36, 4) * 6 +
	       (size_t)be(d + 40, 4) + (size_t)be(d + 28, 4) * 8 +
	       (size_t)be(d + 24, 4) + (size_t)be(d + 20, 4);
	if (skip + 44 > len || memcmp(d + skip, "TZif", 4) != 0)
		return HINGE_EINVAL;
	p = d + skip;
	isut = (size_t)be(p + 20, 4);
	isstd = (size_t)be(p + 24, 4);
	leap = (size_t)be(p + 28, 4);
	timecnt = (size_t)be(p + 32, 4);
	typecnt = (size_t)be(p + 36, 4);
	charcnt = (size_t)be(p + 40, 4);
	p += 44;
	if (typecnt == 0 || (size_t)(end - p) < timecnt * 9 + typecnt * 6 + charcnt +
						       leap * 12 + isstd + isut)
		return HINGE_EINVAL;
	if ((tz = calloc(1, sizeof(*tz))) == NULL ||
	    (timecnt > 0 && ((tz->at = calloc(timecnt, sizeof(*tz->at))) == NULL ||
			     (tz->off = calloc(timecnt, sizeof(*tz->off))) == NULL))) {
		roi_tz_free(tz);
		return HINGE_ENOMEM;
	}
	tz->n = timecnt;
	for (size_t i = 0; i < timecnt; i++) {
		size_t type = p[timecnt * 8 + i];

		if (type >= typecnt) {
			roi_tz_free(tz);
			return HINGE_EINVAL;
		}
		tz->at[i] = be(p + i * 8, 8);
		tz->off[i] = (int32_t)be(p + timecnt * 9 + type * 6, 4);
	}
	tz->off0 = (int32_t)be(p + timecnt * 9, 4);
	*out = tz;
	return 0;
}

int roi_tz_load(const char *name, struct roi_tz **out)
{
	const char *dir = getenv("TZDIR");
	unsigned char buf[1 << 16];
	char path[512];
	size_t len;
	FILE *f;

	*out = NULL;
	if (name == NULL || name[0] == '\0' || strcmp(name, "UTC") == 0)
		return 0;
	if (name[0] == '/' || strstr(name, "..") != NULL)
		return HINGE_EINVAL;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	if ((f = fopen(path, "rb")) == NULL)
		return HINGE_EINVAL;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return roi_tz_parse(buf, len, out);
}

void roi_tz_free(struct roi_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->at);
	free(tz->off);
	free(tz);
}

int64_t roi_tz_offset(const struct roi_tz *tz, int64_t t)
{
	size_t lo = 0, hi;

	if (tz == NULL)
		return 0;
	if (tz->n == 0 || t < tz->at[0])
		return tz->off0;
	/* The last transition at or before t. */
	hi = tz->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (tz->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->off[lo];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Local wall time back to UTC: the offset in effect at the result. */
static int64_t to_utc(const struct roi_tz *tz, int64_t local)
{
	int64_t u = local - roi_tz_offset(tz, local);

	return local - roi_tz_offset(tz, u);
}

static int64_t local_floor(enum roi_period p, int64_t local)
{
	int64_t days = floor_div(local, 86400), y;
	int m;

	switch (p) {
	case ROI_HOUR:
		return floor_div(local, 3600) * 3600;
	case ROI_DAY:
		return days * 86400;
	case ROI_WEEK:
		/* 1970-01-01 was a Thursday: Monday is 3 days before. */
		return (days - (days + 3 - floor_div(days + 3, 7) * 7)) * 86400;
	case ROI_MONTH:
		civil_from_days(days, &y, &m);
		return days_from_civil(y, m, 1) * 86400;
	case ROI_CUSTOM:
		break;
	}
	return local;
}

int64_t roi_period_start(enum roi_period p, const struct roi_tz *tz, int64_t t)
{
	return to_utc(tz, local_floor(p, t + roi_tz_offset(tz, t)));
}

int64_t roi_period_next(enum roi_period p, const struct roi_tz *tz, int64_t start)
{
	int64_t local = start + roi_tz_offset(tz, start), y;
	int m;

	switch (p) {
	case ROI_CUSTOM:
		return INT64_MAX;
	case ROI_HOUR:
		return start + 3600;
	case ROI_DAY:
		local += 86400;
		break;
	case ROI_WEEK:
		local += 7 * 86400;
		break;
	case ROI_MONTH:
		civil_from_days(floor_div(local, 86400), &y, &m);
		local = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400;
		break;
	}
	return roi_period_start(p, tz, to_utc(tz, local));
}

int roi_duration_parse(const char *text, int64_t *ms)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 },
	};
	char *end;
	long long n;

	if (text == NULL || *text < '0' || *text > '9')
		return HINGE_EINVAL;
	n = strtoll(text, &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0 && n > 0 && n < INT64_MAX / units[i].ms) {
			*ms = n * units[i].ms;
			return 0;
		}
	return HINGE_EINVAL;
}

int roi_time_parse(const char *text, int64_t *t)
{
	int y, mo, d, h, mi, sec, n = 0;
	char *end;

	if (text == NULL || *text < '0' || *text > '9')
		return HINGE_EINVAL;
	if (strchr(text, '-') == NULL) {
		long long v = strtoll(text, &end, 10);

		if (*end != '\0')
			return HINGE_EINVAL;
		*t = v;
		return 0;
	}
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    text[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return HINGE_EINVAL;
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}
