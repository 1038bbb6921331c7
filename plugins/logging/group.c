/*
 * group.c - message normalisation and fingerprints.
 *
 * One left-to-right pass: at each position the longest-looking variable
 * part (quoted value, path, UUID, hex, number) is tried before the text
 * is copied as it is, so that a UUID is not read as numbers and hex.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "bytes.h"
#include "group.h"

static int is_word(char c)
{
	return lg_byte_is(c, LG_B_WORD);
}

static int is_hex(char c)
{
	return lg_byte_is(c, LG_B_HEX);
}

static int is_digit(char c)
{
	return lg_byte_is(c, LG_B_DIGIT);
}

/* A quote opens a value only at a word boundary ("can't" is not one). */
static size_t quoted_len(const char *s, size_t i)
{
	char q = s[i];
	const char *end;

	if (q != '"' && q != '\'' && q != '`')
		return 0;
	if (i > 0 && is_word(s[i - 1]))
		return 0;
	end = strchr(s + i + 1, q);
	if (!end || is_word(end[1]))
		return 0;
	return (size_t)(end - (s + i)) + 1;
}

/* "/var/log/x.log": starts after a separator, runs to a delimiter. */
static size_t path_len(const char *s, size_t i)
{
	size_t n = i + 1;

	if (s[i] != '/')
		return 0;
	if (i > 0 && !lg_byte_is(s[i - 1], LG_B_PATH_AFTER))
		return 0;
	if (!is_word(s[n]) && s[n] != '.' && s[n] != '~' && s[n] != '-')
		return 0;
	while (s[n] && !lg_byte_is(s[n], LG_B_PATH_END))
		n++;
	return n - i;
}

static size_t uuid_len(const char *s, size_t i)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t n = i;
	int g, k;

	for (g = 0; g < 5; g++) {
		for (k = 0; k < groups[g]; k++, n++)
			if (!is_hex(s[n]))
				return 0;
		if (g < 4 && s[n++] != '-')
			return 0;
	}
	return is_word(s[n]) ? 0 : n - i;
}

/* The word at i: its length and what it is made of. */
static size_t word_len(const char *s, size_t i, int *digits, int *alpha,
		       int *allhex)
{
	size_t n = i;

	*digits = *alpha = 0;
	*allhex = 1;
	while (is_word(s[n])) {
		if (is_digit(s[n]))
			*digits = 1;
		else
			*alpha = 1;
		if (!is_hex(s[n]))
			*allhex = 0;
		n++;
	}
	return n - i;
}

/* Append a word, or its placeholder; returns how much of s it used. */
static size_t add_word(struct lg_buf *b, const char *s, size_t i)
{
	int digits, alpha, allhex;
	size_t n = word_len(s, i, &digits, &alpha, &allhex);

	if (n > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		int d, a, h;

		if (word_len(s, i + 2, &d, &a, &h) == n - 2 && h) {
			lg_buf_adds(b, "<hex>");
			return n;
		}
	}
	if (n >= 8 && allhex && digits && alpha) {
		lg_buf_adds(b, "<hex>");
		return n;
	}
	if (is_digit(s[i])) {
		/* a decimal fraction belongs to its number */
		while (s[i + n] == '.' && is_digit(s[i + n + 1])) {
			n++;
			while (is_digit(s[i + n]))
				n++;
		}
		lg_buf_adds(b, "<num>");
		return n;
	}
	lg_buf_add(b, s + i, n);
	return n;
}

char *lg_normalize(const char *msg)
{
	struct lg_buf b = { 0 };
	size_t i = 0, n, len = strlen(msg);
	int space = 0;

	/* about the message's length: <num>, <hex> and the like mostly
	 * stand for longer words; the slack covers short ones */
	lg_buf_reserve(&b, (len < LG_NORM_MAX ? len : LG_NORM_MAX) + 16);
	while (msg[i] && b.len < LG_NORM_MAX) {
		if (lg_byte_is(msg[i], LG_B_SPACE)) {
			space = 1;
			i++;
			continue;
		}
		if (space && b.len > 0)
			lg_buf_addc(&b, ' ');
		space = 0;
		if ((n = quoted_len(msg, i))) {
			lg_buf_addc(&b, msg[i]);
			lg_buf_adds(&b, "<str>");
			lg_buf_addc(&b, msg[i]);
		} else if ((n = path_len(msg, i))) {
			lg_buf_adds(&b, "<path>");
		} else if ((i == 0 || !is_word(msg[i - 1])) && (n = uuid_len(msg, i))) {
			lg_buf_adds(&b, "<uuid>");
		} else if (is_word(msg[i]) && (i == 0 || !is_word(msg[i - 1]))) {
			n = add_word(&b, msg, i);
		} else {
			lg_buf_addc(&b, msg[i]);
			n = 1;
		}
		i += n;
	}
	if (b.len > LG_NORM_MAX) {
		b.len = LG_NORM_MAX;
		b.data[b.len] = '\0';
	}
	return lg_buf_take(&b);
}

/*
 * SHA-256 fetched once for the process: EVP_sha256() makes every
 * EVP_DigestInit_ex fetch it again, which cost more than the hashing.
 * Each thread keeps its digest context too: making and freeing one per
 * event cost a quarter of the hashing.  A thread's is freed when the
 * thread ends; the main thread's lives as long as the process.
 */
static EVP_MD *sha256;
static pthread_key_t ctx_key;
static int ctx_keyed;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	ctx_keyed = pthread_key_create(&ctx_key, ctx_free) == 0;
}

/* This thread's digest context, or one for this call alone (*own set:
 * the caller frees it) when no key could keep it; NULL when memory runs
 * out. */
static EVP_MD_CTX *thread_ctx(int *own)
{
	EVP_MD_CTX *ctx;

	*own = 0;
	pthread_once(&sha256_once, sha256_fetch);
	if (!sha256)
		return NULL;
	if (ctx_keyed && (ctx = pthread_getspecific(ctx_key)))
		return ctx;
	if ((ctx = EVP_MD_CTX_new()) && (!ctx_keyed || pthread_setspecific(ctx_key, ctx) != 0))
		*own = 1;
	return ctx;
}

/* SHA-256 of the n bytes of key, as hex into out. */
static int sha256_hex(const char *key, size_t n, char out[LG_FP_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, k;
	int own, ok;
	EVP_MD_CTX *ctx = thread_ctx(&own);

	if (!ctx)
		return HINGE_ENOMEM;
	ok = EVP_DigestInit_ex2(ctx, sha256, NULL) && EVP_DigestUpdate(ctx, key, n) &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen);
	if (own)
		EVP_MD_CTX_free(ctx);
	if (!ok || mdlen != LG_FP_HEX / 2)
		return HINGE_ENOMEM;
	for (k = 0; k < mdlen; k++) {
		out[2 * k] = hex[md[k] >> 4];
		out[2 * k + 1] = hex[md[k] & 15];
	}
	out[LG_FP_HEX] = '\0';
	return 0;
}

/*
 * Errors recur: most events' groups are groups their thread met a moment
 * ago, and SHA-256 through EVP costs about 300 ns for a line.  Each
 * thread keeps the fingerprints of the last groups it hashed, four to a
 * set picked by a cheap hash of what SHA-256 hashes, and compares that
 * in full before it takes a kept one: 128 groups, 46 KiB.  Longer keys
 * are hashed each time.
 */
#define MEMO_SET_BITS 5
#define MEMO_WAYS 4
#define MEMO_KEY 288

struct memo_way {
	size_t len; /* 0: nothing kept */
	char key[MEMO_KEY];
	char fp[LG_FP_HEX + 1];
};

struct memo_set {
	struct memo_way way[MEMO_WAYS];
	unsigned next; /* the way to fill next: the oldest */
};

static __thread struct memo_set memo[1 << MEMO_SET_BITS];

/* The set for n bytes of key: eight bytes a step, each multiplied in;
 * the top bits of a product depend on every bit below them, so that
 * texts that differ in one byte land apart. */
static struct memo_set *memo_set(const char *key, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ULL, w;
	size_t k;

	for (k = 0; k + 8 <= n; k += 8) {
		memcpy(&w, key + k, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, key + k, n - k);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return &memo[h >> (64 - MEMO_SET_BITS)];
}

int lg_fingerprint(const char *source, const char *type, const char *norm,
		   char out[LG_FP_HEX + 1])
{
	size_t sl = strlen(source) + 1, tl = strlen(type ? type : "") + 1;
	size_t nl = strlen(norm), n = sl + tl + nl, k;
	char kept_key[MEMO_KEY], *key = n > MEMO_KEY ? malloc(n) : kept_key;
	struct memo_set *set;
	struct memo_way *m;
	int rc;

	if (!key)
		return HINGE_ENOMEM;
	memcpy(key, source, sl);
	memcpy(key + sl, type ? type : "", tl);
	memcpy(key + sl + tl, norm, nl);
	if (key != kept_key) {
		rc = sha256_hex(key, n, out);
		free(key);
		return rc;
	}
	set = memo_set(key, n);
	for (k = 0; k < MEMO_WAYS; k++) {
		m = &set->way[k];
		if (m->len == n && memcmp(m->key, key, n) == 0) {
			memcpy(out, m->fp, sizeof m->fp);
			return 0;
		}
	}
	if (sha256_hex(key, n, out) < 0)
		return HINGE_ENOMEM;
	m = &set->way[set->next];
	set->next = (set->next + 1) % MEMO_WAYS;
	memcpy(m->key, key, n);
	memcpy(m->fp, out, sizeof m->fp);
	m->len = n;
	return 0;
}
