/*
 * prom.h - the Prometheus textfile-collector file of the roi plugin,
 * rendered from a report document.  Pure.
 */
#ifndef ROI_PROM_H
#define ROI_PROM_H

#include <stdint.h>

#include <jansson.h>

/* Figures the file carries beside the report's current period. */
struct roi_prom_extra {
	int64_t last_sync_s;   /* unix seconds of the last good sync, 0 never */
	int stale;             /* 1 when the last sync failed */
	int64_t transactions;  /* transactions stored */
};

/*
 * Render the last period of doc (a "hinge.roi.report/1" document) and
 * extra as Prometheus text exposition format: every metric with HELP and
 * TYPE, names hinge_roi_*, money in major units.  Returns a malloc'ed
 * string the caller frees; NULL when out of memory or doc has no period.
 */
char *roi_prom_render(const json_t *doc, const struct roi_prom_extra *extra);

#endif
