/*
 * migration_drive.c - drive one migration action against a database, the
 * way the rollout engine would (check, probe, capture, rehearse, apply,
 * verify), through the tests' host stand-in; for bench/migration.sh.
 *
 *   migration_drive CONNINFO ACTION KEY=VALUE...
 *
 * Plugin settings are given as setting.KEY=VALUE (durations in ms).
 * Prints "ACTION rc=N ms=T" and exits 0 when every callback succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/test_migration_host.h"

#define MAX_PARAMS 16

int main(int argc, char **argv)
{
	struct kv params[MAX_PARAMS + 1];
	struct hinge_step st;
	struct timespec t0, t1;
	int n = 0, rc;

	if (argc < 3 || argc - 3 > MAX_PARAMS) {
		fprintf(stderr, "usage: migration_drive CONNINFO ACTION [setting.]KEY=VALUE...\n");
		return 2;
	}
	if (mh_attach(argv[1]) != 0)
		return 5;
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL) {
			fprintf(stderr, "migration_drive: \"%s\" is not KEY=VALUE\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		if (strncmp(argv[i], "setting.", 8) == 0)
			mh_setting_set(argv[i] + 8, eq + 1);
		else
			params[n++] = (struct kv){ argv[i], eq + 1 };
	}
	params[n] = (struct kv){ NULL, NULL };
	st = mh_step(argv[2], params);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = mh_forward(&st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s rc=%d ms=%.0f%s%s\n", argv[2], rc,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	       st.error[0] ? " error=" : "", st.error);
	mh_step_free(&st);
	mh_teardown();
	return rc == 0 ? 0 : 1;
}
