/*
 * fleet_waves.c - wave lists and the stable order of hosts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent/fleet_waves.h"

int fleet_waves_parse(const char *text, struct fleet_wave_spec *waves,
		      char *err, size_t errlen)
{
	char *copy = strdup(text ? text : ""), *save = NULL, *tok;
	int n = 0, last_pct = 0, last_abs = 0, seen_pct = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		struct fleet_wave_spec w = { 0 };
		char *end;
		long v = strtol(tok, &end, 10);

		if (n == FLEET_MAX_WAVES) {
			snprintf(err, errlen, "more than %d waves", FLEET_MAX_WAVES);
			goto bad;
		}
		if (end == tok || (*end != '\0' && strcmp(end, "%") != 0) || v <= 0) {
			snprintf(err, errlen, "wave %d: \"%s\" is neither a host count nor a share such as 10%%; 0 and 0%% are not waves",
				 n + 1, tok);
			goto bad;
		}
		if (*end == '%') {
			if (v > 100) {
				snprintf(err, errlen, "wave %d: %ld%% is more than all hosts", n + 1, v);
				goto bad;
			}
			if (v <= last_pct) {
				snprintf(err, errlen, "wave %d: %ld%% does not come after %d%%: waves are cumulative and in order",
					 n + 1, v, last_pct);
				goto bad;
			}
			w.percent = (int)v;
			last_pct = (int)v;
			seen_pct = 1;
		} else {
			if (seen_pct || v <= last_abs) {
				snprintf(err, errlen, "wave %d: a host count (%ld) must come before the shares and grow", n + 1, v);
				goto bad;
			}
			w.absolute = 1;
			w.count = (int)v;
			last_abs = (int)v;
		}
		waves[n++] = w;
	}
	if (n == 0 || waves[n - 1].absolute || waves[n - 1].percent != 100) {
		snprintf(err, errlen, "the last wave must be 100%%, so that every host is reached");
		goto bad;
	}
	free(copy);
	return n;
bad:
	free(copy);
	return -1;
}

void fleet_waves_totals(const struct fleet_wave_spec *waves, int nwaves,
			int n, int *totals)
{
	int prev = 0;

	for (int i = 0; i < nwaves; i++) {
		int t = waves[i].absolute ? waves[i].count
					  : (int)(((long)n * waves[i].percent + 99) / 100);

		if (t <= prev)
			t = prev + 1; /* every wave brings at least one more host */
		if (t > n || (i == nwaves - 1))
			t = n;
		totals[i] = t;
		prev = t;
	}
}

struct keyed {
	char hash[65];
	char *id;
};

static int by_hash(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->hash, y->hash);

	return c != 0 ? c : strcmp(x->id, y->id);
}

void fleet_hosts_order(char **ids, size_t n)
{
	struct keyed *k = calloc(n ? n : 1, sizeof(*k));

	if (k == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char md[32];
		unsigned int len = 0;

		EVP_Digest(ids[i], strlen(ids[i]), md, &len, EVP_sha256(), NULL);
		for (unsigned j = 0; j < 32; j++)
			snprintf(k[i].hash + 2 * j, 3, "%02x", md[j]);
		k[i].id = ids[i];
	}
	qsort(k, n, sizeof(*k), by_hash);
	for (size_t i = 0; i < n; i++)
		ids[i] = k[i].id;
	free(k);
}
