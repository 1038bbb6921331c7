/*
 * chunk.c - a source transaction's events gathered for one spool row.
 */
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>
#include <openssl/evp.h>

#include "chunk.h"

/* Room in every bitmap for event n (zeroed). */
static int bits_grow(struct lg_chunk *c, size_t n)
{
	size_t need = n / 8 + 1, cap, j;
	unsigned char *p;

	if (need <= c->bitcap)
		return 0;
	cap = c->bitcap ? 2 * c->bitcap : 64;
	while (cap < need)
		cap *= 2;
	for (j = 0; j < LG_CHUNK_SINKS; j++) {
		p = realloc(c->bits[j], cap);
		if (!p)
			return HINGE_ENOMEM;
		memset(p + c->bitcap, 0, cap - c->bitcap);
		c->bits[j] = p;
	}
	c->bitcap = cap;
	return 0;
}

/* s with each newline as a space, and a newline after it. */
static void add_line(struct lg_buf *b, const char *s)
{
	size_t at = b->len, len = strlen(s);
	char *p;

	lg_buf_add(b, s, len);
	if (!b->oom && memchr(s, '\n', len))
		for (p = b->data + at; p < b->data + at + len; p++)
			if (*p == '\n')
				*p = ' ';
	lg_buf_addc(b, '\n');
}

int lg_chunk_add(struct lg_chunk *c, const char *event_id, int64_t time_ms,
		 const char *body, unsigned mask)
{
	size_t j;

	mask &= (1u << LG_CHUNK_SINKS) - 1;
	if (!mask)
		return 0;
	if (c->oom || bits_grow(c, c->n) < 0) {
		c->oom = 1;
		return HINGE_ENOMEM;
	}
	add_line(&c->ids, event_id);
	add_line(&c->bodies, body);
	if (c->ids.oom || c->bodies.oom) {
		c->oom = 1;
		return HINGE_ENOMEM;
	}
	for (j = 0; j < LG_CHUNK_SINKS; j++)
		if (mask & (1u << j)) {
			c->bits[j][c->n / 8] |= (unsigned char)(1u << (c->n % 8));
			c->left[j]++;
		}
	if (c->n++ == 0)
		c->time_ms = time_ms;
	return 0;
}

void lg_chunk_empty(struct lg_chunk *c)
{
	size_t j;

	if (c->oom) {
		lg_chunk_free(c);
		return;
	}
	c->ids.len = c->bodies.len = 0;
	if (c->ids.data)
		c->ids.data[0] = '\0';
	if (c->bodies.data)
		c->bodies.data[0] = '\0';
	for (j = 0; j < LG_CHUNK_SINKS; j++) {
		if (c->bitcap)
			memset(c->bits[j], 0, (c->n + 7) / 8);
		c->left[j] = 0;
	}
	c->n = 0;
}

void lg_chunk_free(struct lg_chunk *c)
{
	size_t j;

	lg_buf_free(&c->ids);
	lg_buf_free(&c->bodies);
	for (j = 0; j < LG_CHUNK_SINKS; j++)
		free(c->bits[j]);
	memset(c, 0, sizeof *c);
}

void lg_chunk_sum(const char *ids, size_t ids_len, const char *bodies,
		  size_t bodies_len, unsigned char sum[LG_CHUNK_SUM])
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();

	memset(sum, 0, LG_CHUNK_SUM);
	/* on failure the sum is zeros: the rows read back are then checked
	 * line by line, nothing is lost */
	if (x && EVP_DigestInit_ex(x, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(x, ids, ids_len) == 1 &&
	    EVP_DigestUpdate(x, bodies, bodies_len) == 1)
		EVP_DigestFinal_ex(x, sum, NULL);
	EVP_MD_CTX_free(x);
}

size_t lg_bits_count(const unsigned char *map, size_t len)
{
	size_t k, n = 0;

	for (k = 0; k < len; k++)
		n += (size_t)__builtin_popcount(map[k]);
	return n;
}
