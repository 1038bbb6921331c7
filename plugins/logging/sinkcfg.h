/*
 * sinkcfg.h - a sink's state as the actions set it: enabled or not, and
 * its sample rate.  A row in logging_sinks overrides the configuration;
 * without one the sink is enabled at its configured rate.
 */
#ifndef LOGGING_SINKCFG_H
#define LOGGING_SINKCFG_H

#include <sqlite3.h>

struct lg_sinkcfg {
	int overridden; /* a row exists */
	int enabled;
	double sample_rate;
};

/*
 * The state of sink into *c: the row, or enabled at configured_rate.
 * Returns 0 or HINGE_EUNAVAIL.
 */
int lg_sinkcfg_get(sqlite3 *db, const char *sink, double configured_rate,
		   struct lg_sinkcfg *c);

/* Write c as sink's row, or delete the row when c->overridden is 0. */
int lg_sinkcfg_put(sqlite3 *db, const char *sink, const struct lg_sinkcfg *c);

#endif
