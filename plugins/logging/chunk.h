/*
 * chunk.h - the events of one source transaction gathered in memory, to
 * be spooled as one row (see spool.c): their ids and bodies as text, one
 * per line, and per sink a bitmap of the events its sample admitted.
 */
#ifndef LOGGING_CHUNK_H
#define LOGGING_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Most sinks a chunk is queued for (bits of lg_chunk_add's mask). */
#define LG_CHUNK_SINKS 8
/* Bytes of a chunk's checksum (SHA-256 of its ids, then its bodies). */
#define LG_CHUNK_SUM 32

struct lg_chunk {
	struct lg_buf ids;    /* n event ids, each ended by '\n' */
	struct lg_buf bodies; /* n bodies, each ended by '\n' */
	size_t n;
	int64_t time_ms;      /* the first event's */
	unsigned char *bits[LG_CHUNK_SINKS]; /* bit k: event k waits there */
	size_t left[LG_CHUNK_SINKS];         /* bits set in each */
	size_t bitcap;        /* bytes allocated in each bits[] */
	int oom;
};

/*
 * Add one event for the sinks whose bits are set in mask (bit j: the
 * caller's sink j).  An event for no sink is not added.  A newline in
 * body (whitespace between JSON tokens; never inside a JSON string) is
 * written as a space, so that bodies split on newlines.  Returns 0 or
 * HINGE_ENOMEM (the chunk is then unusable: free it).
 */
int lg_chunk_add(struct lg_chunk *c, const char *event_id, int64_t time_ms,
		 const char *body, unsigned mask);

/* Empty c, keeping its memory for the next transaction's events. */
void lg_chunk_empty(struct lg_chunk *c);

/* Empty c and free its memory. */
void lg_chunk_free(struct lg_chunk *c);

/* The checksum of a chunk as stored (its ids, then its bodies: packed
 * when they are, which is a fifth of the bytes to hash) into sum. */
void lg_chunk_sum(const char *ids, size_t ids_len, const char *bodies,
		  size_t bodies_len, unsigned char sum[LG_CHUNK_SUM]);

/* Bitmaps: bit k of a map is bit k % 8 of byte k / 8. */
static inline int lg_bit(const unsigned char *map, size_t k)
{
	return (map[k / 8] >> (k % 8)) & 1;
}

/* Set bits in len bytes of map. */
size_t lg_bits_count(const unsigned char *map, size_t len);

#endif
