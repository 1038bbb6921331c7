/*
 * fleet_waves.h - wave lists ("1,10%,50%,100%") and the stable assignment
 * of hosts to waves.  Pure functions; no database.
 */
#ifndef HINGE_FLEET_WAVES_H
#define HINGE_FLEET_WAVES_H

#include <stddef.h>

#define FLEET_MAX_WAVES 16

struct fleet_wave_spec {
	int absolute; /* 1: `count` hosts in total; 0: `percent` of them */
	int count;
	int percent;
};

/*
 * Parse a wave list.  Waves are cumulative: "1" is exactly one host in
 * total, "10%" brings the total to a tenth of the hosts (at least one
 * more than before), and so on; the last wave must be 100%.  Returns the
 * number of waves, or -1 with a message for people in err (0%, a share
 * over 100%, waves out of order, a list that does not reach 100%).
 */
int fleet_waves_parse(const char *text, struct fleet_wave_spec *waves,
		      char *err, size_t errlen);

/*
 * The cumulative number of hosts at the end of each wave for n hosts:
 * totals[i] for i < nwaves, never decreasing, totals[nwaves-1] == n.
 */
void fleet_waves_totals(const struct fleet_wave_spec *waves, int nwaves,
			int n, int *totals);

/*
 * Order host ids by the SHA-256 of the id (hex), so that a host lands in
 * the same place whatever order the database returns them in.  Sorts
 * ids in place.
 */
void fleet_hosts_order(char **ids, size_t n);

#endif
