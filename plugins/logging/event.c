/*
 * event.c - building spooled events.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include <hinge/plugin.h>

#include "event.h"
#include "scrub.h"
#include "utf8.h"

static const char *const level_names[] = {
	[HINGE_LOG_ERROR] = "error",   [HINGE_LOG_WARNING] = "warning",
	[HINGE_LOG_NOTICE] = "notice", [HINGE_LOG_INFO] = "info",
	[HINGE_LOG_DEBUG] = "debug",
};

int lg_level_parse(const char *name)
{
	int k;

	for (k = HINGE_LOG_ERROR; k <= HINGE_LOG_DEBUG; k++)
		if (name && strcmp(name, level_names[k]) == 0)
			return k;
	return -1;
}

const char *lg_level_name(int level)
{
	if (level < HINGE_LOG_ERROR || level > HINGE_LOG_DEBUG)
		return "error";
	return level_names[level];
}

/* A round's events share their time: each thread keeps its last text. */
void lg_iso_time(int64_t ms, char out[32])
{
	static __thread int64_t last_ms = INT64_MIN;
	static __thread char last[32];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	if (ms != last_ms) {
		gmtime_r(&t, &tm);
		n = strftime(last, sizeof last, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(last + n, sizeof last - n, ".%03uZ", (unsigned)(ms % 1000) % 1000u);
		last_ms = ms;
	}
	memcpy(out, last, sizeof last);
}

/* Forks this process has seen, counted in the child: a pool filled
 * before a fork is the parent's.  forks_unseen when that cannot be told. */
static atomic_uint forks;
static int forks_unseen;
static pthread_once_t forks_once = PTHREAD_ONCE_INIT;

static void forked(void)
{
	atomic_fetch_add(&forks, 1);
}

static void watch_forks(void)
{
	forks_unseen = pthread_atfork(NULL, NULL, forked) != 0;
}

/*
 * RAND_bytes costs a lock and a DRBG call each time: ids are cut from a
 * per-thread pool of its output, refilled when used up or after a fork (a
 * child must not hand out the parent's next ids).  A fork is noticed by
 * its count, not by getpid(): a system call per event was a percent of
 * a tailed line's CPU.
 */
static int new_event_id(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	static __thread unsigned char pool[1024];
	static __thread size_t left;
	static __thread unsigned filled_at;
	const unsigned char *r;
	unsigned now;
	int k;

	pthread_once(&forks_once, watch_forks);
	now = atomic_load(&forks);
	if (left < 16 || filled_at != now || forks_unseen) {
		size_t fill = forks_unseen ? 16 : sizeof pool;

		if (RAND_bytes(pool + sizeof pool - fill, (int)fill) != 1)
			return HINGE_ENOMEM;
		left = fill;
		filled_at = now;
	}
	r = pool + sizeof pool - left;
	left -= 16;
	for (k = 0; k < 16; k++) {
		out[2 * k] = hex[r[k] >> 4];
		out[2 * k + 1] = hex[r[k] & 15];
	}
	out[32] = '\0';
	return 0;
}

/*
 * Set key to the text v, which is known to be valid UTF-8 (our own hex
 * and ASCII, or text lg_utf8 checked): json_pack validated every key and
 * value again, 1.7 of its 2.7 µs per body.  *failed is set when memory
 * runs out.
 */
static void set_text(json_t *o, const char *key, const char *v, int *failed)
{
	if (json_object_set_new_nocheck(o, key, json_stringn_nocheck(v, strlen(v))) < 0)
		*failed = 1;
}

/*
 * A body is printed by jansson in three parts, each without its braces
 * (JSON_EMBED, which jansson has for joining objects), and joined into
 * one object: the event's own values first, then its group's fingerprint,
 * then the values a round's events share.  jansson prints about 13 ns a
 * byte, and the shared part is a third of a body: each thread prints it
 * once and keeps the text while the next event has the same values.
 */
#define SHARED_MAX 2048

struct shared_part {
	int64_t time_ms;
	int level;
	size_t key_len; /* 0: nothing kept */
	size_t len;
	char key[SHARED_MAX];  /* source, type, rollout, host: see shared_key */
	char text[SHARED_MAX];
};

static __thread struct shared_part kept;

/* The event's own values; the detail is scrubbed here. */
static json_t *own_json(const struct lg_raw *raw, const struct lg_built *b,
			unsigned flags)
{
	json_t *detail = NULL, *o;
	int failed = 0;

	if (raw->detail && json_is_object(raw->detail)) {
		detail = json_deep_copy(raw->detail);
		if (!detail || lg_scrub_json(detail, flags) < 0) {
			json_decref(detail);
			return NULL;
		}
	}
	if (!(o = json_object())) {
		json_decref(detail);
		return NULL;
	}
	set_text(o, "event_id", b->event_id, &failed);
	set_text(o, "message", b->message, &failed);
	if (detail && json_object_set_new_nocheck(o, "detail", detail) < 0)
		failed = 1;
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The values events share: a rollout id is ours; the plugin made the
 * host name valid. */
static json_t *shared_json(const struct lg_raw *raw, const struct lg_built *b)
{
	char ts[32];
	json_t *o = json_object();
	int failed = 0;

	if (!o)
		return NULL;
	lg_iso_time(b->time_ms, ts);
	if (json_object_set_new_nocheck(o, "time_ms", json_integer(b->time_ms)) < 0)
		failed = 1;
	set_text(o, "timestamp", ts, &failed);
	set_text(o, "level", lg_level_name(b->level), &failed);
	set_text(o, "source", b->source, &failed);
	set_text(o, "type", b->type ? b->type : "", &failed);
	if (raw->rollout)
		set_text(o, "rollout", raw->rollout, &failed);
	if (raw->host)
		set_text(o, "host", raw->host, &failed);
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The shared text values into key: each absent one as a 0 byte, each
 * present one as a 1 byte, its text and its 0 (text holds no 0 byte).
 * Its length, or 0 when it does not fit. */
static size_t shared_key(const struct lg_raw *raw, const struct lg_built *b,
			 char key[SHARED_MAX])
{
	const char *v[] = { b->source, b->type, raw->rollout, raw->host };
	size_t n = 0, len, k;

	for (k = 0; k < sizeof v / sizeof v[0]; k++) {
		len = v[k] ? strlen(v[k]) + 2 : 1;
		if (len > SHARED_MAX - n)
			return 0;
		key[n] = v[k] != NULL;
		if (v[k])
			memcpy(key + n + 1, v[k], len - 1);
		n += len;
	}
	return n;
}

/*
 * The shared part's text: the kept one when its values are the same,
 * else printed anew and kept when it fits, else printed into *owned
 * (which the caller frees).  NULL when memory runs out.
 */
static const char *shared_text(const struct lg_raw *raw, const struct lg_built *b,
			       size_t *len, char **owned)
{
	struct shared_part *c = &kept;
	char key[SHARED_MAX];
	size_t key_len = shared_key(raw, b, key), n;
	json_t *o;

	*owned = NULL;
	if (key_len != 0 && key_len == c->key_len && b->time_ms == c->time_ms &&
	    b->level == c->level && memcmp(key, c->key, key_len) == 0) {
		*len = c->len;
		return c->text;
	}
	c->key_len = 0;
	if (!(o = shared_json(raw, b)))
		return NULL;
	n = json_dumpb(o, c->text, sizeof c->text, JSON_COMPACT | JSON_EMBED);
	if (n > 0 && n <= sizeof c->text) {
		if (key_len != 0) {
			c->time_ms = b->time_ms;
			c->level = b->level;
			memcpy(c->key, key, key_len);
			c->key_len = key_len;
		}
		c->len = *len = n;
		json_decref(o);
		return c->text;
	}
	*owned = n > 0 ? json_dumps(o, JSON_COMPACT | JSON_EMBED) : NULL;
	json_decref(o);
	if (*owned)
		*len = strlen(*owned);
	return *owned;
}

/*
 * Two parts of a body hold hex digits: the own part's head,
 * "event_id":"<32 digits>","message":, and "fingerprint":"<64 digits>".
 * jansson prints keys as it prints values, 13 to 19 ns a byte, and an
 * object's dump adds a loop check (a snprintf and a hash table entry);
 * hex digits print as themselves.  So each thread has jansson print each
 * part once, with zeros for the digits, and each event's digits are put
 * where the zeros are.
 */
struct hex_part {
	int state;     /* 0: not printed yet, 1: printed, -1: cannot be */
	size_t len;
	size_t at;     /* where the digits go */
	size_t digits;
	char text[128];
};

static __thread struct hex_part head, fp_part;

/*
 * h, printed when it was not yet: key with digits zeros, then (when
 * message) "message" and its colon, the message's text to follow.
 * NULL when it cannot be printed.
 */
static const struct hex_part *hex_part(struct hex_part *h, const char *key,
				       size_t digits, int message)
{
	char zeros[LG_FP_HEX + 1], *at;
	json_t *o;
	size_t n;
	int failed = 0;

	if (h->state != 0)
		return h->state > 0 ? h : NULL;
	memset(zeros, '0', digits);
	zeros[digits] = '\0';
	if (!(o = json_object()))
		return NULL;
	set_text(o, key, zeros, &failed);
	if (message)
		set_text(o, "message", "", &failed);
	n = failed ? 0 : json_dumpb(o, h->text, sizeof h->text - 1, JSON_COMPACT | JSON_EMBED);
	json_decref(o);
	if (failed || n == 0)
		return NULL; /* out of memory: ask again next time */
	h->state = -1;
	if (n >= sizeof h->text)
		return NULL;
	/* the head must end with the empty message */
	if (message) {
		if (n < 2 || memcmp(h->text + n - 2, "\"\"", 2) != 0)
			return NULL;
		n -= 2;
	}
	h->text[n] = '\0';
	/* and the zeros must be there once */
	if (!(at = strstr(h->text, zeros)) || strstr(at + 1, zeros))
		return NULL;
	h->len = n;
	h->at = (size_t)(at - h->text);
	h->digits = digits;
	h->state = 1;
	return h;
}

/* h's text into out, with the digits put in; returns its end. */
static char *put_hex_part(char *out, const struct hex_part *h, const char *digits)
{
	memcpy(out, h->text, h->len);
	memcpy(out + h->at, digits, h->digits);
	return out + h->len;
}

/*
 * The own part into buf when it fits there: the head with the event's
 * id, and the message printed by jansson.  Its length, or 0 when the
 * event has a detail, or does not fit, or memory runs out: then the part
 * is printed as an object.
 */
static size_t own_text(const struct lg_raw *raw, const struct lg_built *b,
		       char *buf, size_t size)
{
	const struct hex_part *h;
	json_t *m;
	size_t n;

	if (raw->detail || !(h = hex_part(&head, "event_id", sizeof b->event_id - 1, 1)) ||
	    h->len >= size)
		return 0;
	if (!(m = json_stringn_nocheck(b->message, strlen(b->message))))
		return 0;
	n = json_dumpb(m, buf + h->len, size - h->len, JSON_ENCODE_ANY);
	json_decref(m);
	if (n == 0 || n > size - h->len)
		return 0;
	put_hex_part(buf, h, b->event_id);
	return h->len + n;
}

/* The fingerprint's part when it cannot come from its hex_part; NULL
 * when memory runs out. */
static char *fingerprint_json(const char *fp)
{
	json_t *o = json_object();
	char *text;
	int failed = 0;

	if (!o)
		return NULL;
	set_text(o, "fingerprint", fp, &failed);
	text = failed ? NULL : json_dumps(o, JSON_COMPACT | JSON_EMBED);
	json_decref(o);
	return text;
}

/*
 * The body's text: the own part, the fingerprint's, the shared one.
 * Most events' own part fits the stack buffer, which saves json_dumps
 * growing its buffer from 16 bytes.
 */
static char *body_text(const struct lg_raw *raw, const struct lg_built *b,
		       unsigned flags)
{
	char buf[2048], *own_long = NULL, *shared_long = NULL, *fp_long = NULL;
	char *body = NULL, *at;
	const char *own = buf, *shared;
	const struct hex_part *fp = hex_part(&fp_part, "fingerprint", LG_FP_HEX, 0);
	size_t own_len = own_text(raw, b, buf, sizeof buf), fp_len = 0, shared_len;
	json_t *o;

	if (own_len == 0) {
		if (!(o = own_json(raw, b, flags)))
			return NULL;
		own_len = json_dumpb(o, buf, sizeof buf, JSON_COMPACT | JSON_EMBED);
		if (own_len > sizeof buf) {
			own = own_long = json_dumps(o, JSON_COMPACT | JSON_EMBED);
			own_len = own ? strlen(own) : 0;
		}
		json_decref(o);
	}
	if (fp)
		fp_len = fp->len;
	else if ((fp_long = fingerprint_json(b->fingerprint)))
		fp_len = strlen(fp_long);
	if (own_len == 0 || (!fp && !fp_long) ||
	    !(shared = shared_text(raw, b, &shared_len, &shared_long)))
		goto out;
	if ((body = at = malloc(own_len + fp_len + shared_len + 5))) {
		*at++ = '{';
		at = (char *)memcpy(at, own, own_len) + own_len;
		*at++ = ',';
		if (fp)
			at = put_hex_part(at, fp, b->fingerprint);
		else
			at = (char *)memcpy(at, fp_long, fp_len) + fp_len;
		*at++ = ',';
		at = (char *)memcpy(at, shared, shared_len) + shared_len;
		memcpy(at, "}", 2);
	}
out:
	free(own_long);
	free(shared_long);
	free(fp_long);
	return body;
}

/* s into *valid, or a repaired copy of it (into *fixed too) when s is
 * not valid UTF-8 (a file name can be anything); 0 or HINGE_ENOMEM. */
static int repaired(const char *s, const char **valid, char **fixed)
{
	*valid = s;
	if (!s || lg_utf8_valid(s))
		return 0;
	*valid = *fixed = lg_utf8_repair(strdup(s));
	return *fixed ? 0 : HINGE_ENOMEM;
}

int lg_event_prepare(const struct lg_raw *raw, unsigned flags,
		     struct lg_built *out)
{
	memset(out, 0, sizeof *out);
	out->time_ms = raw->time_ms;
	out->level = raw->level;
	if (new_event_id(out->event_id) < 0)
		return HINGE_ENOMEM;
	out->message = lg_utf8_repair(lg_scrub_text(raw->message, flags));
	if (!out->message || repaired(raw->source, &out->source, &out->fixed_source) < 0 ||
	    repaired(raw->type, &out->type, &out->fixed_type) < 0)
		goto fail;
	out->normalized = lg_normalize(out->message);
	if (!out->normalized)
		goto fail;
	if (lg_fingerprint(out->source, out->type, out->normalized, out->fingerprint) < 0)
		goto fail;
	return 0;
fail:
	lg_built_free(out);
	return HINGE_ENOMEM;
}

int lg_event_print(const struct lg_raw *raw, unsigned flags, struct lg_built *b)
{
	b->body = body_text(raw, b, flags);
	return b->body ? 0 : HINGE_ENOMEM;
}

int lg_event_build(const struct lg_raw *raw, unsigned flags,
		   struct lg_built *out)
{
	int rc = lg_event_prepare(raw, flags, out);

	if (rc == 0 && (rc = lg_event_print(raw, flags, out)) < 0)
		lg_built_free(out);
	return rc;
}

void lg_built_free(struct lg_built *b)
{
	free(b->message);
	free(b->normalized);
	free(b->body);
	free(b->fixed_source);
	free(b->fixed_type);
	b->message = b->normalized = b->body = b->fixed_source = b->fixed_type = NULL;
	b->source = b->type = NULL;
}

int lg_event_parse(const char *json, int64_t now_ms, struct lg_raw *raw,
		   json_t **doc)
{
	json_t *o, *v;

	memset(raw, 0, sizeof *raw);
	*doc = NULL;
	o = json_loads(json, 0, NULL);
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "message"))) {
		json_decref(o);
		return HINGE_EINVAL;
	}
	v = json_object_get(o, "time");
	raw->time_ms = json_is_integer(v) ? (int64_t)json_integer_value(v) : now_ms;
	v = json_object_get(o, "level");
	if (json_is_integer(v))
		raw->level = (int)json_integer_value(v);
	else
		raw->level = lg_level_parse(json_string_value(v));
	if (raw->level < HINGE_LOG_ERROR || raw->level > HINGE_LOG_DEBUG)
		raw->level = HINGE_LOG_ERROR;
	raw->source = json_string_value(json_object_get(o, "source"));
	if (!raw->source)
		raw->source = "agent";
	raw->type = json_string_value(json_object_get(o, "kind"));
	raw->message = json_string_value(json_object_get(o, "message"));
	raw->rollout = json_string_value(json_object_get(o, "rollout"));
	v = json_object_get(o, "detail");
	raw->detail = json_is_object(v) ? v : NULL;
	*doc = o;
	return 0;
}
