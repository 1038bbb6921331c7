/*
 * window.h - the maintenance window as text settings say it: days
 * ("sat,sun", "mon-fri") and hours ("01:00-05:00", "22:00-02:00:30"),
 * and whether a local day and time fall in it.  No clock and no time
 * zone here: PostgreSQL says what the local day and time are.
 */
#ifndef MIGRATION_WINDOW_H
#define MIGRATION_WINDOW_H

#include <stddef.h>

struct mig_window {
	unsigned days; /* bit 0 Monday ... bit 6 Sunday: the days a window starts */
	int start, end; /* seconds of the day; end up to 86400; start > end crosses midnight */
};

/*
 * Days as names (mon tue wed thu fri sat sun, any case), ranges of them
 * ("fri-mon" wraps) and "*", comma-separated.  0, or -1 with why in err.
 */
int mig_window_days(const char *text, unsigned *days, char *err, size_t len);

/*
 * "HH:MM[:SS]-HH:MM[:SS]", the start included and the end not; "24:00"
 * ends at midnight; a start after the end crosses midnight, the window
 * then belonging to the day it starts on.  0, or -1 with why in err.
 */
int mig_window_hours(const char *text, int *start, int *end, char *err, size_t len);

/* 1 when ISO day isodow (1 Monday ... 7 Sunday) at second secs of the day
 * is inside w, else 0. */
int mig_window_open(const struct mig_window *w, int isodow, int secs);

#endif
