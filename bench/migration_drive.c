/*
 * migration_drive.c - drive one migration action against a database, the
 * way the rollout engine would (check, probe, capture, rehearse, apply,
 * verify), through the tests' host stand-in; for bench/migration.sh.
 *
 *   migration_drive CONNINFO ACTION KEY=VALUE...
 *
 * Plugin settings are given as setting.KEY=VALUE (durations in ms).
 * Prints "ACTION rc=N ms=T apply_ms=A" (all callbacks, apply alone) and
 * exits 0 when every callback succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/doubles/host_standin.h"

#define MAX_PARAMS 16

static double ms(struct timespec a, struct timespec b)
{
	return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	struct kv params[MAX_PARAMS + 1];
	struct hinge_step st;
	struct timespec t0, t1, a0, a1;
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
	a0 = a1 = t0;
	if ((rc = CALL(&st, check)) == 0 && (rc = CALL(&st, probe)) == 0 &&
	    (rc = CALL(&st, capture)) == 0 && (rc = CALL(&st, rehearse)) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &a0);
		rc = CALL(&st, apply);
		clock_gettime(CLOCK_MONOTONIC, &a1);
		if (rc == 0)
			rc = CALL(&st, verify);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s rc=%d ms=%.0f apply_ms=%.0f%s%s\n", argv[2], rc, ms(t0, t1), ms(a0, a1),
	       st.error[0] ? " error=" : "", st.error);
	mh_step_free(&st);
	mh_teardown();
	return rc == 0 ? 0 : 1;
}
