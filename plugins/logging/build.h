/*
 * build.h - building many events at once on several threads.
 *
 * Building (scrub, normalise, fingerprint, the JSON body) is most of a
 * tailed line's CPU and each event's is independent of the others', so
 * the tailer hands a round's lines to lg_build_all and spools the results
 * in order.
 */
#ifndef LOGGING_BUILD_H
#define LOGGING_BUILD_H

#include <stddef.h>

#include "event.h"

/*
 * Build raw[0..n) into out[0..n) as lg_event_build would, with flags
 * (LG_SCRUB_*), on up to threads threads (the caller's among them; fewer
 * when n is small or a thread cannot be started).  Returns 0, every out[]
 * then to be released with lg_built_free, or HINGE_ENOMEM with nothing
 * left to free.
 */
int lg_build_all(const struct lg_raw *raw, size_t n, unsigned flags,
		 int threads, struct lg_built *out);

#endif
