/*
 * build.h - building many events at once on several threads.
 *
 * Preparing events (scrub, normalise, fingerprint) is much of a tailed
 * line's CPU and each event's is independent of the others', so the
 * tailer hands a round's lines to a builder and spools the results in
 * order.  The builder's threads live as long as it does: a thread
 * started per round paid for its start and its first random bytes
 * (OpenSSL seeds a generator per thread) each time, and gained little.
 */
#ifndef LOGGING_BUILD_H
#define LOGGING_BUILD_H

#include <stddef.h>

#include "event.h"

struct lg_builder;

/*
 * A builder of threads threads: the caller's and threads - 1 started
 * here (fewer when a thread cannot be started; at most 16).  Returns 0
 * or HINGE_ENOMEM.
 */
int lg_builder_start(int threads, struct lg_builder **out);

/*
 * Prepare raw[0..n) into out[0..n) as lg_event_prepare would (bodies are
 * printed later, by lg_event_print), with flags (LG_SCRUB_*), the
 * builder's threads taking the events a few at a time (the caller's alone
 * when n is that small).  One caller at a time.  Returns 0, every out[]
 * then to be released with lg_built_free, or HINGE_ENOMEM with nothing
 * left to free.
 */
int lg_builder_run(struct lg_builder *b, const struct lg_raw *raw, size_t n,
		   unsigned flags, struct lg_built *out);

/* Stop the builder's threads and free it; NULL is ignored. */
void lg_builder_stop(struct lg_builder *b);

#endif
