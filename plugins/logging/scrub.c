/*
 * scrub.c - secrets out of text and JSON.
 *
 * A line that holds no cue of a credential shape is copied as it is;
 * any other gets one pass, where at each position the shapes are tried
 * in turn, and what is not one is copied.  Scrubbing errs on the
 * side of removing too much: a filtered "author=" costs nothing, a leaked
 * password costs a rotation.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "bytes.h"
#include "scrub.h"

#define WORD(w) { w, sizeof(w) - 1 }
static const struct {
	const char *text;
	size_t len;
} sensitive[] = {
	WORD("password"), WORD("passwd"), WORD("secret"), WORD("token"), WORD("api_key"),
	WORD("api-key"), WORD("apikey"), WORD("auth"), WORD("credential"), WORD("private_key"),
	WORD("cookie"), WORD("session"),
};
#undef WORD

#define NSENSITIVE (sizeof sensitive / sizeof sensitive[0])

static const char *const stripe_prefixes[] = {
	"sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_",
};
#define NSTRIPE (sizeof stripe_prefixes / sizeof stripe_prefixes[0])

static int is_word(char c)
{
	return lg_byte_is(c, LG_B_KEY);
}

/*
 * Every shape lg_scrub_text removes holds a cue: a sensitive word,
 * an auth scheme (either case), a Stripe prefix or "://" (as written).
 * Most lines hold none, and scrubbing in full costs about 6 ns a byte,
 * more than any other step of an event: a line is first searched for
 * the cues' first two bytes (folded to lower case, from a bitmap of the
 * 65,536 pairs), and only a line with a whole cue is scrubbed in full.
 */
struct cue {
	const char *text;
	size_t len;
	unsigned pair; /* its first two bytes, folded */
	int exact;     /* compared as written, not ignoring case */
};

static struct cue cues[NSENSITIVE + 2 + NSTRIPE + 1];
static uint64_t cue_pairs[65536 / 64];
static unsigned char folded[256];
/* The bytes a sensitive word starts with, either case. */
static unsigned char starts_word[256];

static unsigned cue_pair(const char *s)
{
	return (unsigned)folded[(unsigned char)s[0]] << 8 | folded[(unsigned char)s[1]];
}

static void add_cue(size_t k, const char *text, int exact)
{
	unsigned pair = cue_pair(text);

	cues[k].text = text;
	cues[k].len = strlen(text);
	cues[k].pair = pair;
	cues[k].exact = exact;
	cue_pairs[pair / 64] |= UINT64_C(1) << (pair % 64);
}

/* Filled when the code is loaded, from the shapes themselves. */
__attribute__((constructor)) static void fill_tables(void)
{
	size_t k, n = 0;

	for (k = 0; k < 256; k++)
		folded[k] = (unsigned char)tolower((int)k);
	for (k = 0; k < NSENSITIVE; k++) {
		starts_word[(unsigned char)sensitive[k].text[0]] = 1;
		starts_word[(unsigned char)toupper((unsigned char)sensitive[k].text[0])] = 1;
		add_cue(n++, sensitive[k].text, 0);
	}
	add_cue(n++, "bearer ", 0);
	add_cue(n++, "basic ", 0);
	for (k = 0; k < NSTRIPE; k++)
		add_cue(n++, stripe_prefixes[k], 1);
	add_cue(n++, "://", 1);
}

/* Does s (len bytes) hold a cue? */
static int has_cue(const char *s, size_t len)
{
	size_t i, k;

	for (i = 0; i + 1 < len; i++) {
		unsigned pair = cue_pair(s + i);

		if (!(cue_pairs[pair / 64] >> (pair % 64) & 1))
			continue;
		for (k = 0; k < sizeof cues / sizeof cues[0]; k++) {
			const struct cue *c = &cues[k];

			if (c->pair == pair && c->len <= len - i &&
			    (c->exact ? strncmp(s + i, c->text, c->len)
				      : strncasecmp(s + i, c->text, c->len)) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * Does key (len bytes) contain a sensitive word, ignoring case?  Every
 * word followed by = or : is asked (times, "failed:"), so the words are
 * compared only where one of them could start.
 */
static int sensitive_n(const char *key, size_t len)
{
	size_t i, k;

	for (i = 0; i < len; i++) {
		if (!starts_word[(unsigned char)key[i]])
			continue;
		for (k = 0; k < NSENSITIVE; k++)
			if (sensitive[k].len <= len - i &&
			    strncasecmp(key + i, sensitive[k].text, sensitive[k].len) == 0)
				return 1;
	}
	return 0;
}

int lg_scrub_key(const char *key)
{
	return sensitive_n(key, strlen(key));
}

/*
 * At s[i], a sensitive KEY followed by = or : (the key optionally quoted):
 * returns the length up to and including the separator and any quote or
 * space after it, with *vq the quote that opens the value (or 0).
 */
static size_t key_prefix(const char *s, size_t i, char *vq)
{
	size_t k = i, n, klen;
	char kq = 0;

	if (s[k] == '"' || s[k] == '\'')
		kq = s[k++];
	n = k;
	while (is_word(s[n]))
		n++;
	klen = n - k;
	if (klen == 0)
		return 0;
	if (kq) {
		if (s[n] != kq)
			return 0;
		n++;
	}
	while (s[n] == ' ')
		n++;
	/* the separator first: most words are not keys */
	if ((s[n] != '=' && s[n] != ':') || !sensitive_n(s + k, klen))
		return 0;
	n++;
	while (s[n] == ' ')
		n++;
	*vq = (s[n] == '"' || s[n] == '\'') ? s[n] : 0;
	if (*vq)
		n++;
	return n - i;
}

/* The value after a key prefix: to its closing quote, or a delimiter. */
static size_t value_len(const char *s, char vq)
{
	size_t n = 0;

	if (vq) {
		while (s[n] && s[n] != vq)
			n += (s[n] == '\\' && s[n + 1]) ? 2 : 1;
		return n;
	}
	while (s[n] && !lg_byte_is(s[n], LG_B_VALUE_END))
		n++;
	return n;
}

static size_t token_len(const char *s)
{
	size_t n = 0;

	while (lg_byte_is(s[n], LG_B_TOKEN))
		n++;
	return n;
}

/* "Bearer T" or "Basic T": the length up to T, 0 when not one. */
static size_t auth_scheme(const char *s)
{
	size_t n;

	if (*s != 'b' && *s != 'B')
		return 0;
	if (strncasecmp(s, "bearer ", 7) == 0)
		n = 7;
	else if (strncasecmp(s, "basic ", 6) == 0)
		n = 6;
	else
		return 0;
	if (strncmp(s + n, LG_FILTERED, strlen(LG_FILTERED)) == 0)
		return n;
	return token_len(s + n) > 0 ? n : 0;
}

/* sk_live_..., rk_test_..., pk_live_..., whsec_...: the prefix length. */
static size_t stripe_prefix(const char *s)
{
	size_t k;

	if (*s != 's' && *s != 'p' && *s != 'r' && *s != 'w')
		return 0;
	for (k = 0; k < NSTRIPE; k++)
		if (strncmp(s, stripe_prefixes[k], strlen(stripe_prefixes[k])) == 0)
			return strlen(stripe_prefixes[k]);
	return 0;
}

/* "scheme://userinfo@": the offset of userinfo and its length. */
static size_t url_userinfo(const char *s, size_t *ulen)
{
	size_t n = 0;

	if (s[0] != ':' || s[1] != '/' || s[2] != '/')
		return 0;
	while (s[3 + n] && !lg_byte_is(s[3 + n], LG_B_USER_END))
		n++;
	if (n == 0 || s[3 + n] != '@')
		return 0;
	*ulen = n;
	return 3;
}

static int is_local(char c)
{
	return lg_byte_is(c, LG_B_LOCAL);
}

/* "name@example.org" at s: its length, 0 when it is not one. */
static size_t email_len(const char *s)
{
	size_t n = 0;
	int dot = 0;

	while (is_local(s[n]))
		n++;
	if (n == 0 || s[n] != '@')
		return 0;
	n++;
	while (lg_byte_is(s[n], LG_B_ALNUM) || s[n] == '-' ||
	       (s[n] == '.' && lg_byte_is(s[n + 1], LG_B_ALNUM))) {
		if (s[n] == '.')
			dot = 1;
		n++;
	}
	return dot ? n : 0;
}

static size_t ipv4_len(const char *s)
{
	size_t n = 0;
	int part, digits;

	for (part = 0; part < 4; part++) {
		for (digits = 0; lg_byte_is(s[n], LG_B_DIGIT) && digits < 3; digits++)
			n++;
		if (!digits)
			return 0;
		if (part < 3 && s[n++] != '.')
			return 0;
	}
	return lg_byte_is(s[n], LG_B_ALNUM) ? 0 : n;
}

/* Scrubbing twice changes nothing: an earlier [Filtered] stays. */
static int filtered(const char *s)
{
	return strncmp(s, LG_FILTERED, strlen(LG_FILTERED)) == 0;
}

/*
 * The text is copied in runs: s[from, i) is what is kept as it is, and
 * it is appended only when something is replaced, and at the end.
 */
char *lg_scrub_text(const char *s, unsigned flags)
{
	struct lg_buf b = { 0 };
	size_t i = 0, from = 0, n, m, len = strlen(s);
	char vq;

	if (!(flags & (LG_SCRUB_EMAIL | LG_SCRUB_IP)) && !has_cue(s, len)) {
		char *copy = malloc(len + 1);

		return copy ? memcpy(copy, s, len + 1) : NULL;
	}
	lg_buf_reserve(&b, len); /* [Filtered] rarely makes it longer */
	while (s[i]) {
		int boundary = i == 0 || !is_word(s[i - 1]);
		const char *with; /* what replaces the next n bytes */

		if (boundary && (m = key_prefix(s, i, &vq))) {
			i += m;
			/* "Authorization: Bearer T": the scheme stays, T goes */
			if ((!vq && auth_scheme(s + i)) || filtered(s + i) ||
			    (n = value_len(s + i, vq)) == 0)
				continue;
			with = LG_FILTERED;
		} else if (boundary && (m = stripe_prefix(s + i)) && token_len(s + i + m) > 0) {
			n = m + token_len(s + i + m);
			with = LG_FILTERED;
		} else if (boundary && (m = auth_scheme(s + i))) {
			i += m;
			if (filtered(s + i))
				continue;
			n = token_len(s + i);
			with = LG_FILTERED;
		} else if ((m = url_userinfo(s + i, &n))) {
			/* "scheme://user:" stays, the password goes; no password: the user */
			const char *colon = memchr(s + i + m, ':', n);
			size_t user = colon ? (size_t)(colon - (s + i + m)) + 1 : 0;

			i += m + user;
			n -= user;
			with = LG_FILTERED;
		} else if ((flags & LG_SCRUB_EMAIL) && (i == 0 || !is_local(s[i - 1])) &&
			   (n = email_len(s + i))) {
			with = "[email]";
		} else if ((flags & LG_SCRUB_IP) && boundary &&
			   lg_byte_is(s[i], LG_B_DIGIT) && (n = ipv4_len(s + i))) {
			with = "[ip]";
		} else {
			/* nothing starts inside a word: step over the rest of it */
			i++;
			if (is_word(s[i - 1]))
				while (is_word(s[i]))
					i++;
			continue;
		}
		lg_buf_add(&b, s + from, i - from);
		lg_buf_adds(&b, with);
		from = i += n;
	}
	lg_buf_add(&b, s + from, i - from);
	return lg_buf_take(&b);
}

int lg_scrub_json(json_t *v, unsigned flags)
{
	const char *key;
	json_t *item;
	size_t idx;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item) {
			if (lg_scrub_key(key)) {
				if (json_object_set_new(v, key, json_string(LG_FILTERED)) < 0)
					return HINGE_ENOMEM;
			} else if (lg_scrub_json(item, flags) < 0) {
				return HINGE_ENOMEM;
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, idx, item)
			if (lg_scrub_json(item, flags) < 0)
				return HINGE_ENOMEM;
	} else if (json_is_string(v)) {
		char *clean = lg_scrub_text(json_string_value(v), flags);

		if (!clean)
			return HINGE_ENOMEM;
		if (strcmp(clean, json_string_value(v)) != 0 &&
		    json_string_set(v, clean) < 0) {
			free(clean);
			return HINGE_ENOMEM;
		}
		free(clean);
	}
	return 0;
}
