/*
 * buf.c - a growing byte buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int grow(struct lg_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	p[b->len] = '\0'; /* a reserved buffer holds "" until appended to */
	b->data = p;
	b->cap = cap;
	return 0;
}

int lg_buf_reserve(struct lg_buf *b, size_t len)
{
	return grow(b, len);
}

void lg_buf_grow_add(struct lg_buf *b, const char *s, size_t len)
{
	if (grow(b, len) < 0)
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

char *lg_buf_take(struct lg_buf *b)
{
	char *s;

	if (b->oom) {
		lg_buf_free(b);
		return NULL;
	}
	s = b->data ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void lg_buf_free(struct lg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
