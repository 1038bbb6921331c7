/*
 * engine_crash.c - crash points.  The matrix test reads this table and
 * kills the process at each point in turn, forward and during rollback;
 * a name used in the engine but missing here is a programming error that
 * aborts, so the table cannot drift from the code.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/engine_crash.h"
#include "agent/log.h"

const char *const crash_points[] = {
	"start.recorded",   /* the rollout row is committed, no step begun */
	"capture.begin",    /* "capturing" committed, capture() not called */
	"capture.done",     /* capture() returned, artifact not committed */
	"rehearse.begin",   /* "rehearsing" committed */
	"rehearse.done",    /* rehearse() returned, result not committed */
	"apply.begin",      /* "applying" committed, apply() not called */
	"apply.done",       /* apply() returned, "applied" not committed */
	"verify.begin",     /* "verifying" committed */
	"verify.done",      /* verify() returned, "done" not committed */
	"step.done",        /* a step's end and the cursor committed */
	"pause.begin",      /* a pause step's start committed */
	"gate.eval",        /* one gate evaluation committed */
	"rollback.begin",   /* "rolling_back" committed, nothing reverted */
	"revert.begin",     /* "reverting" committed, revert() not called */
	"revert.done",      /* revert() returned, "reverted" not committed */
	"rollout.end",      /* the final state committed */
	NULL,
};

static int known(const char *name)
{
	for (const char *const *p = crash_points; *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

void crash_point(const char *name)
{
	static int hits;
	const char *want = getenv("HINGE_CRASH_AT");
	size_t len;
	int nth = 1;

	if (!known(name)) {
		hlog(HINGE_LOG_ERROR, "hinge", "crash point \"%s\" is not in the table", name);
		abort();
	}
	if (want == NULL)
		return;
	len = strcspn(want, ":");
	if (strlen(name) != len || strncmp(want, name, len) != 0)
		return;
	if (want[len] == ':')
		nth = atoi(want + len + 1);
	if (++hits >= nth) {
		fprintf(stderr, "hinge: crash point %s reached: killing the process\n", name);
		raise(SIGKILL);
	}
}
