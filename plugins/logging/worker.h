/*
 * worker.h - one thread that runs one job at a time for its owner, so
 * that the owner can go on while the job runs: the tailer prepares a
 * round of lines while the printer prints the last one's bodies and the
 * committer writes the one before (most of a commit is waiting for the
 * disk).  The owner may change hands (the printer posts to the
 * committer, the tailer waits for it last), as long as each post
 * follows the wait for the job before it.
 */
#ifndef LOGGING_WORKER_H
#define LOGGING_WORKER_H

struct lg_worker;

/* Start the thread.  Returns 0 or HINGE_ENOMEM (no thread). */
int lg_worker_start(struct lg_worker **out);

/* Run fn(arg) on the worker's thread.  The job posted before must have
 * been waited for; arg must live until this one is. */
void lg_worker_post(struct lg_worker *w, int (*fn)(void *arg), void *arg);

/* Wait for the posted job to end; what the last job returned (0 before any). */
int lg_worker_wait(struct lg_worker *w);

/* Wait for the posted job, stop the thread and free w; NULL is ignored. */
void lg_worker_stop(struct lg_worker *w);

#endif
