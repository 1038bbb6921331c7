/*
 * sinks.c - Sentry, Loggly and file transports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "retry.h"
#include "scrub.h"
#include "sinks.h"

/* Fill a reply from an HTTP response, the reason scrubbed. */
static void reply_from(const struct lg_http_resp *h, struct lg_reply *r,
		       int64_t now_ms)
{
	const char *why = h->status ? h->body : h->error;
	char *clean = lg_scrub_text(why, 0);

	r->status = (int)h->status;
	r->retry_after_ms = h->retry_after[0] ?
		lg_retry_after_ms(h->retry_after, now_ms) : -1;
	r->limit_ms = h->rate_limits[0] ?
		lg_sentry_limit_ms(h->rate_limits, "error") : -1;
	snprintf(r->reason, sizeof r->reason, "%s", clean ? clean : "");
	r->reason[strcspn(r->reason, "\r\n")] = '\0';
	free(clean);
}

int lg_sentry_send(void *ctx, const struct lg_item *items, size_t n,
		   int64_t now_ms, struct lg_reply *r)
{
	struct lg_sentry_ctx *c = ctx;
	const char *headers[] = {
		c->auth, "Content-Type: application/x-sentry-envelope", NULL,
	};
	struct lg_http_resp h;
	size_t len;
	char *env;
	int rc;

	(void)n; /* per_request is 1: one event per envelope */
	rc = lg_sentry_envelope(items[0].body, &c->opts, now_ms, &env, &len);
	if (rc == HINGE_EINVAL) {
		/* no request can ever carry it: answer as Sentry would */
		r->status = 400;
		snprintf(r->reason, sizeof r->reason,
			 "the spooled event lacks the fields of a Sentry event");
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = lg_http_post(c->dsn.envelope_url, headers, env, len, &c->http, &h);
	free(env);
	reply_from(&h, r, now_ms);
	return rc == HINGE_EINVAL ? rc : 0;
}

char *lg_loggly_url(const char *base, const char *token, const char *tags)
{
	struct lg_buf b = { 0 };
	size_t blen = strlen(base);

	while (blen && base[blen - 1] == '/')
		blen--;
	lg_buf_add(&b, base, blen);
	lg_buf_adds(&b, "/bulk/");
	lg_buf_adds(&b, token);
	lg_buf_adds(&b, "/tag/");
	lg_buf_adds(&b, tags && *tags ? tags : "hinge");
	lg_buf_addc(&b, '/');
	return lg_buf_take(&b);
}

/* The bodies of items, one per line. */
static char *lines(const struct lg_item *items, size_t n, size_t *len)
{
	struct lg_buf b = { 0 };
	size_t k, total = 0;

	/* the file sink joins a whole read: no doubling up to megabytes */
	for (k = 0; k < n; k++)
		total += strlen(items[k].body) + 1;
	lg_buf_reserve(&b, total);
	for (k = 0; k < n; k++) {
		lg_buf_adds(&b, items[k].body);
		lg_buf_addc(&b, '\n');
	}
	*len = b.len;
	return lg_buf_take(&b);
}

int lg_loggly_send(void *ctx, const struct lg_item *items, size_t n,
		   int64_t now_ms, struct lg_reply *r)
{
	struct lg_loggly_ctx *c = ctx;
	static const char *const headers[] = { "Content-Type: text/plain", NULL };
	struct lg_http_resp h;
	size_t len;
	char *body = lines(items, n, &len);
	int rc;

	if (!body)
		return HINGE_ENOMEM;
	rc = lg_http_post(c->url, headers, body, len, &c->http, &h);
	free(body);
	reply_from(&h, r, now_ms);
	return rc == HINGE_EINVAL ? rc : 0;
}

/*
 * Where the file's last whole line ends, at or before end: just past its
 * last newline, 0 when it has none, -1 when it cannot be read.  An agent
 * killed inside a write leaves part of a line; the events of that write
 * were not acknowledged and are sent again, and a line appended to the
 * part would be no JSON for the file's readers.
 */
static off_t whole_lines_end(int fd, off_t end)
{
	char b[4096];
	off_t at = end;
	ssize_t got, k;

	while (at > 0) {
		size_t want = at < (off_t)sizeof b ? (size_t)at : sizeof b;

		if ((got = pread(fd, b, want, at - (off_t)want)) != (ssize_t)want) {
			if (got >= 0)
				errno = EIO; /* the file shrank while it was read */
			return -1;
		}
		for (k = got - 1; k >= 0; k--)
			if (b[k] == '\n')
				return at - (off_t)want + k + 1;
		at -= (off_t)want;
	}
	return 0;
}

int lg_file_send(void *ctx, const struct lg_item *items, size_t n,
		 int64_t now_ms, struct lg_reply *r)
{
	struct lg_file_ctx *c = ctx;
	size_t len, off = 0;
	char *body = lines(items, n, &len);
	ssize_t w = 0;
	off_t start;
	int fd;

	(void)now_ms;
	if (!body)
		return HINGE_ENOMEM;
	fd = open(c->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	start = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	if (start > 0) {
		off_t whole = whole_lines_end(fd, start);

		/* a part line left by a kill is cut off first */
		if (whole < 0 || (whole < start && ftruncate(fd, whole) < 0))
			start = -1;
		else
			start = whole;
	}
	while (start >= 0 && off < len && (w = write(fd, body + off, len - off)) > 0)
		off += (size_t)w;
	/* the spool forgets these events once this returns 200 */
	if (start >= 0 && off == len && fdatasync(fd) == 0) {
		r->status = 200;
	} else {
		snprintf(r->reason, sizeof r->reason, "%s: %s", c->path,
			 strerror(errno));
		/* no half line for the next attempt to append to */
		if (start >= 0 && ftruncate(fd, start) < 0)
			snprintf(r->reason, sizeof r->reason,
				 "%s: a partial write could not be cut off",
				 c->path);
	}
	if (fd >= 0)
		close(fd);
	free(body);
	return 0;
}
