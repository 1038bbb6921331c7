/*
 * period.h - report periods (hour, day, week from Monday, month) in UTC or
 * in an IANA time zone read from the system's TZif files, without touching
 * the process-wide TZ.
 */
#ifndef ROI_PERIOD_H
#define ROI_PERIOD_H

#include <stdint.h>

/* ROI_CUSTOM: windows a caller cut itself (roi compare); never parsed. */
enum roi_period { ROI_HOUR, ROI_DAY, ROI_WEEK, ROI_MONTH, ROI_CUSTOM };

/* "hour", "day", "week" or "month" into *out: 0, or HINGE_EINVAL. */
int roi_period_parse(const char *text, enum roi_period *out);

/* The name roi_period_parse takes ("custom" for ROI_CUSTOM). */
const char *roi_period_name(enum roi_period p);

/* A time zone's UTC offsets; NULL stands for UTC everywhere below. */
struct roi_tz;

/*
 * Load zone name ("Europe/Berlin") from $TZDIR or /usr/share/zoneinfo.
 * "UTC" or "" gives *out = NULL.  0, HINGE_EINVAL for a name that is not
 * a zone (or tries to leave the folder), HINGE_ENOMEM.  Free with
 * roi_tz_free.  Beyond the file's last transition (2037 in fat files) the
 * last offset holds.
 */
int roi_tz_load(const char *name, struct roi_tz **out);

/*
 * Parse TZif data (version 2 or later) of len bytes into *out: 0, or
 * HINGE_EINVAL when it is not TZif, HINGE_ENOMEM.  Free with roi_tz_free.
 */
int roi_tz_parse(const unsigned char *data, size_t len, struct roi_tz **out);

void roi_tz_free(struct roi_tz *tz);

/* Seconds east of UTC in effect at unix time t. */
int64_t roi_tz_offset(const struct roi_tz *tz, int64_t t);

/* The start (unix seconds) of the period holding t, in tz's local time. */
int64_t roi_period_start(enum roi_period p, const struct roi_tz *tz, int64_t t);

/* The start of the period after the one starting at start.  ROI_CUSTOM
 * has no calendar: its start is t itself and its next is INT64_MAX. */
int64_t roi_period_next(enum roi_period p, const struct roi_tz *tz, int64_t start);

/*
 * A duration "250ms", "30s", "15m", "2h", "30d" or "4w" into *ms: 0, or
 * HINGE_EINVAL for anything else (no unit, a negative or zero count).
 */
int roi_duration_parse(const char *text, int64_t *ms);

/*
 * A point in time, unix seconds ("1773578096") or UTC ISO 8601
 * ("2026-03-15T12:00:00Z"), into *t: 0, or HINGE_EINVAL.
 */
int roi_time_parse(const char *text, int64_t *t);

#endif
