/*
 * buf.h - a growing byte buffer, always NUL-terminated, for the text the
 * plugin builds (normalised messages, scrubbed text, request bodies).
 */
#ifndef LOGGING_BUF_H
#define LOGGING_BUF_H

#include <stddef.h>

struct lg_buf {
	char *data; /* NUL-terminated; NULL until the first append or reserve */
	size_t len;
	size_t cap;
	int oom;    /* set once an allocation failed; appends then do nothing */
};

/* Room for len more bytes, so that a text of about known length is
 * built without growing the buffer step by step; 0 or -1 (then oom). */
int lg_buf_reserve(struct lg_buf *b, size_t len);

/* Append len bytes of s (or a NUL-terminated string, or one byte). */
void lg_buf_add(struct lg_buf *b, const char *s, size_t len);
void lg_buf_adds(struct lg_buf *b, const char *s);

/* One byte; inline, for the loops that copy text byte by byte. */
static inline void lg_buf_addc(struct lg_buf *b, char c)
{
	if (b->len + 2 <= b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
	} else {
		lg_buf_add(b, &c, 1);
	}
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
