/*
 * test_roi_period.c - period boundaries of the roi plugin in UTC and in
 * IANA zones: weeks from Monday, months of every length, a 23-hour day at
 * the start of summer time, a half-hour zone, times before 1970.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/roi/period.h"

/* 2026-03-15 12:34:56 UTC, a Sunday */
#define T 1773578096

static void test_utc(void **s)
{
	(void)s;
	/* 2026-03-15 12:00 and 00:00 UTC */
	assert_int_equal(roi_period_start(ROI_HOUR, NULL, T), 1773576000);
	assert_int_equal(roi_period_start(ROI_DAY, NULL, T), 1773532800);
	/* the week from Monday 2026-03-09 00:00 */
	assert_int_equal(roi_period_start(ROI_WEEK, NULL, T), 1773014400);
	assert_int_equal(roi_period_next(ROI_WEEK, NULL, 1773014400), 1773014400 + 7 * 86400);
	/* March starts 2026-03-01 and April 2026-04-01 (31 days later) */
	assert_int_equal(roi_period_start(ROI_MONTH, NULL, T), 1772323200);
	assert_int_equal(roi_period_next(ROI_MONTH, NULL, 1772323200), 1775001600);
	/* 2026-12-20 is in December (2026-12-01); next is 2027-01-01 */
	assert_int_equal(roi_period_start(ROI_MONTH, NULL, 1797724800), 1796083200);
	assert_int_equal(roi_period_next(ROI_MONTH, NULL, 1796083200), 1798761600);
	/* a start is its own period's start */
	assert_int_equal(roi_period_start(ROI_DAY, NULL, 1773532800), 1773532800);
	assert_int_equal(roi_period_next(ROI_HOUR, NULL, 1773576000), 1773579600);
}

static void test_before_1970(void **s)
{
	(void)s;
	/* 1969-12-31 13:00 UTC: day starts -86400, the week Monday
	 * 1969-12-29 (-259200), the month 1969-12-01 (-31 days) */
	assert_int_equal(roi_period_start(ROI_DAY, NULL, -39600), -86400);
	assert_int_equal(roi_period_start(ROI_WEEK, NULL, -39600), -259200);
	assert_int_equal(roi_period_start(ROI_MONTH, NULL, -39600), -31 * 86400);
}

static void test_berlin(void **s)
{
	struct roi_tz *tz = NULL;

	(void)s;
	assert_int_equal(roi_tz_load("Europe/Berlin", &tz), 0);
	assert_non_null(tz);
	assert_int_equal(roi_tz_offset(tz, 1768003200), 3600);  /* January: CET */
	assert_int_equal(roi_tz_offset(tz, 1783641600), 7200);  /* July: CEST */
	/* 2026-03-29 12:00 UTC is 14:00 CEST; that day began at 00:00 CET,
	 * 2026-03-28 23:00 UTC, and lasted 23 hours to 2026-03-29 22:00 UTC */
	assert_int_equal(roi_period_start(ROI_DAY, tz, 1774785600), 1774738800);
	assert_int_equal(roi_period_next(ROI_DAY, tz, 1774738800), 1774821600);
	/* 2026-03-31 23:30 UTC is already April in Berlin: April began at
	 * 00:00 CEST = 2026-03-31 22:00 UTC */
	assert_int_equal(roi_period_start(ROI_MONTH, tz, 1774999800), 1774994400);
	roi_tz_free(tz);
}

static void test_half_hour_zone(void **s)
{
	struct roi_tz *tz = NULL;

	(void)s;
	assert_int_equal(roi_tz_load("Asia/Kolkata", &tz), 0);
	/* 2026-03-15 12:10 UTC is 17:40 IST: its hour began 17:00 IST,
	 * 11:30 UTC */
	assert_int_equal(roi_period_start(ROI_HOUR, tz, 1773576600), 1773574200);
	roi_tz_free(tz);
}

static void test_bad_input(void **s)
{
	struct roi_tz *tz = (struct roi_tz *)&tz;
	enum roi_period p = ROI_HOUR;
	const unsigned char junk[64] = "TZif2 but nothing else";

	(void)s;
	assert_int_equal(roi_tz_load("UTC", &tz), 0);
	assert_null(tz);
	assert_int_equal(roi_tz_load("No/Such_Zone", &tz), HINGE_EINVAL);
	assert_int_equal(roi_tz_load("../../etc/passwd", &tz), HINGE_EINVAL);
	assert_int_equal(roi_tz_load("/etc/localtime", &tz), HINGE_EINVAL);
	assert_int_equal(roi_tz_parse(junk, sizeof(junk), &tz), HINGE_EINVAL);
	assert_int_equal(roi_period_parse("week", &p), 0);
	assert_int_equal(p, ROI_WEEK);
	assert_string_equal(roi_period_name(p), "week");
	assert_int_equal(roi_period_parse("fortnight", &p), HINGE_EINVAL);
	assert_int_equal(roi_period_parse(NULL, &p), HINGE_EINVAL);
}

static void test_duration(void **s)
{
	int64_t ms = 0;

	(void)s;
	assert_int_equal(roi_duration_parse("30d", &ms), 0);
	assert_int_equal(ms, 2592000000);              /* 30 * 86400 * 1000 */
	assert_int_equal(roi_duration_parse("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(roi_duration_parse("2w", &ms), 0);
	assert_int_equal(ms, 1209600000);
	assert_int_equal(roi_duration_parse("15m", &ms), 0);
	assert_int_equal(ms, 900000);
	assert_int_equal(roi_duration_parse("30", &ms), HINGE_EINVAL);
	assert_int_equal(roi_duration_parse("0h", &ms), HINGE_EINVAL);
	assert_int_equal(roi_duration_parse("-1d", &ms), HINGE_EINVAL);
	assert_int_equal(roi_duration_parse("3y", &ms), HINGE_EINVAL);
	assert_int_equal(roi_duration_parse(NULL, &ms), HINGE_EINVAL);
}

static void test_time(void **s)
{
	int64_t t = 0;

	(void)s;
	assert_int_equal(roi_time_parse("2026-03-15T12:34:56Z", &t), 0);
	assert_int_equal(t, T);
	assert_int_equal(roi_time_parse("1773578096", &t), 0);
	assert_int_equal(t, T);
	assert_int_equal(roi_time_parse("1969-12-31T13:00:00Z", &t), 0);
	assert_int_equal(t, -39600);
	assert_int_equal(roi_time_parse("2026-03-15T12:34:56+01:00", &t), HINGE_EINVAL);
	assert_int_equal(roi_time_parse("2026-13-15T12:34:56Z", &t), HINGE_EINVAL);
	assert_int_equal(roi_time_parse("2026-03-15", &t), HINGE_EINVAL);
	assert_int_equal(roi_time_parse("12x", &t), HINGE_EINVAL);
	assert_int_equal(roi_time_parse("yesterday", &t), HINGE_EINVAL);
	/* custom windows have no calendar */
	assert_int_equal(roi_period_start(ROI_CUSTOM, NULL, T), T);
	assert_int_equal(roi_period_next(ROI_CUSTOM, NULL, T), INT64_MAX);
	assert_string_equal(roi_period_name(ROI_CUSTOM), "custom");
	assert_int_equal(roi_period_parse("custom", &(enum roi_period){ ROI_DAY }), HINGE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_before_1970),
		cmocka_unit_test(test_berlin),
		cmocka_unit_test(test_half_hour_zone),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests_name("roi_period", tests, NULL, NULL);
}
