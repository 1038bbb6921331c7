/*
 * buf.h - a growing byte buffer, always NUL-terminated, for the text the
 * plugin builds (normalised messages, scrubbed text, request bodies).
 */
#ifndef LOGGING_BUF_H
#define LOGGING_BUF_H

#include <stddef.h>
#include <string.h>

struct lg_buf {
	char *data; /* NUL-terminated; NULL until the first append or reserve */
	size_t len;
	size_t cap;
	int oom;    /* set once an allocation failed; taking then gives NULL */
};

/* Room for len more bytes, so that a text of about known length is
 * built without growing the buffer step by step; 0 or -1 (then oom). */
int lg_buf_reserve(struct lg_buf *b, size_t len);

/* Append len bytes of s, growing the buffer first. */
void lg_buf_grow_add(struct lg_buf *b, const char *s, size_t len);

/*
 * Append len bytes of s (or a NUL-terminated string, or one byte).
 * Inline: normalising and scrubbing append a few bytes at a time, and a
 * call each cost more than the copy.
 */
static inline void lg_buf_add(struct lg_buf *b, const char *s, size_t len)
{
	/* len < cap - len: room for the bytes and the NUL (len < cap
	 * whenever cap is not 0) */
	if (len < b->cap - b->len) {
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
	} else {
		lg_buf_grow_add(b, s, len);
	}
}

static inline void lg_buf_adds(struct lg_buf *b, const char *s)
{
	lg_buf_add(b, s, strlen(s));
}

static inline void lg_buf_addc(struct lg_buf *b, char c)
{
	lg_buf_add(b, &c, 1);
}

/* Empty the buffer and keep its memory; a failed allocation is forgotten. */
static inline void lg_buf_reset(struct lg_buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data)
		b->data[0] = '\0';
}

/*
 * Take the text out: returns the malloc'ed string (the caller frees it;
 * "" when nothing was appended), or NULL when an allocation failed.  The
 * buffer is empty afterwards.
 */
char *lg_buf_take(struct lg_buf *b);

/* Drop the contents and free the memory. */
void lg_buf_free(struct lg_buf *b);

#endif
