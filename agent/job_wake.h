/*
 * job_wake.h - a job's sleep between runs, which host->job_wake cuts
 * short: work that comes in bursts (a full batch spooled) need not wait
 * out the job's interval.
 */
#ifndef HINGE_JOB_WAKE_H
#define HINGE_JOB_WAKE_H

#include <stdint.h>

#include <hinge/plugin.h>

#include "agent/registry.h"

/* host->job_wake: run plugin p's job `name` now, or again as soon as its
 * run in progress ends.  HINGE_EINVAL (logged) when p has no such job,
 * HINGE_ENOMEM when the wake cannot be noted. */
int job_wake(struct hinge_plugin *p, const char *name);

/*
 * Sleep ms between two runs of j, or less when the agent is asked to
 * stop.  When wakeable, a wake (asked before the sleep or during it) ends
 * it and 1 is returned; otherwise wakes are dropped: a failing job keeps
 * its back-off.  0 when the time was slept or the agent stops.
 */
int job_sleep(const struct reg_job *j, int64_t ms, int wakeable);

/* Forget every wake: the jobs they were for are unregistered
 * (registry_clear), and a job registered later could take the place. */
void job_wake_forget(void);

#endif
