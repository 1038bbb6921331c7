/*
 * endpoint.c - the ingestion endpoint, a libmicrohttpd service:
 *   GET  {path}?transaction=&user=&token=[&segment=value...]
 *                                           the form, filled in and
 *                                           counted as shown with the
 *                                           configured segments given
 *   POST {path}  (url-encoded: transaction, user, token, scale, score,
 *                 comment)                  one rating per transaction
 * The token binds the segment values (TOKEN.md): at GET those of the
 * link, at POST those recorded when the form was shown, which are also
 * the ones stored with the rating, so that a user cannot move their
 * rating to another segment.
 * Answers: 201 stored; 400 malformed; 403 forged token (or a v1 token
 * with segment values); 404 no such page; 405 other methods; 409
 * transaction already rated; 410 token expired; 413 body too big; 415
 * not a form body; 429 over the rate limit; 503 the database is
 * unavailable.
 *
 * Served from one thread (libmicrohttpd's internal polling thread), so
 * the connection and the rate limiter need no lock.  Plain HTTP on
 * loopback only: another address needs tls_cert and tls_key (HTTPS).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <openssl/crypto.h>

#include "endpoint.h"
#include "figures.h"
#include "form.h"
#include "formsegs.h"
#include "ingest.h"
#include "rating.h"
#include "ratelimit.h"
#include "token.h"

#define COMMENT_MAX 2000

struct endpoint {
	struct fb *fb;
	struct MHD_Daemon *d;
	PGconn *conn;
	char *table_q;
	char *key;
	char *form;
	char *cert, *tls_key; /* PEM, with tls_cert and tls_key */
	const char *path;
	size_t max_body;
	struct fb_rate rate;
};

struct request {
	char *body;
	size_t len;
	int too_big;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *message)
{
	char page[512];
	struct MHD_Response *r;
	enum MHD_Result rc;

	snprintf(page, sizeof(page),
		 "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\">"
		 "<title>Feedback</title><p>%s</p></html>\n", message);
	r = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, POST");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(r, "Retry-After", "60");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/*
 * The answer to a token that fb_token_verify did not accept.  A genuine
 * v1 token that meets segment values is told apart in the log only, so
 * that the application's operator sees why (the client sees a forged
 * token); the token itself is never logged.
 */
static enum MHD_Result refuse_token(struct endpoint *e, struct MHD_Connection *c, int status,
				    const char *txn, const char *segments)
{
	if (status == FB_TOKEN_UNBOUND)
		e->fb->h->log(e->fb->p, HINGE_LOG_WARNING,
			      "refused a v1 token for transaction %s: its form has segment values"
			      " (%s), which v1 does not bind; issue v2 tokens (TOKEN.md)",
			      txn, segments);
	if (status == FB_TOKEN_EXPIRED)
		return reply(c, MHD_HTTP_GONE, "This feedback link has expired.");
	return reply(c, status == FB_TOKEN_MALFORMED ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_FORBIDDEN,
		     "This feedback link is not valid.");
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "?");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)n);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)n);
}

static int db_ready(struct endpoint *e);
static int exec_ok(PGconn *c, const char *sql, int n, const char *const *v,
		   ExecStatusType want, int *rows);

/*
 * Count the form as shown (the response rate's denominator), once per
 * transaction, with the segments of its link; 0 or -1 (logged).
 */
static int record_shown(struct endpoint *e, const char *const *v, const char *segments)
{
	const char *p[3] = { v[0], v[1], segments };

	if (db_ready(e) < 0 ||
	    exec_ok(e->conn, "INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments)"
		    " VALUES ($1, $2, $3::jsonb) ON CONFLICT (transaction_id) DO NOTHING",
		    3, p, PGRES_COMMAND_OK, NULL) < 0) {
		e->fb->h->log(e->fb->p, HINGE_LOG_WARNING, "cannot count a form as shown");
		return -1;
	}
	return 0;
}

/*
 * Verify token for (txn, user) against the segment values segs (taken
 * over): 0 with their texts in *out, or -1 with the answer queued in
 * *answer (a refusal, or MHD_NO when out of memory).
 */
static int check_token(struct endpoint *e, struct MHD_Connection *c, const char *txn,
		       const char *user, const char *token, json_t *segs,
		       struct fb_form_segments *out, enum MHD_Result *answer)
{
	int status;

	if (fb_form_segments_of(segs, out) < 0) {
		*answer = MHD_NO;
		return -1;
	}
	status = fb_token_verify(e->key, strlen(e->key), txn, user, out->canon, token,
				 (int64_t)time(NULL));
	if (status == FB_TOKEN_OK)
		return 0;
	*answer = refuse_token(e, c, status, txn, out->canon);
	fb_form_segments_free(out);
	return -1;
}

static enum MHD_Result serve_form(struct endpoint *e, struct MHD_Connection *c)
{
	const char *names[] = { "transaction", "user", "token", "action" };
	const char *values[4], *bad;
	struct fb_form_segments segs;
	struct MHD_Response *r;
	enum MHD_Result rc;
	char *page, msg[200];
	json_t *link;
	int i;

	if (e->form == NULL)
		return reply(c, MHD_HTTP_NOT_FOUND, "No form is configured (setting form_file).");
	for (i = 0; i < 3; i++) {
		values[i] = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, names[i]);
		if (values[i] == NULL || !(i == 2 || fb_id_valid(values[i])))
			return reply(c, MHD_HTTP_BAD_REQUEST,
				     "The form needs transaction, user and token.");
	}
	if ((link = fb_link_segments(e->fb, c, &bad)) == NULL) {
		if (bad == NULL)
			return MHD_NO;
		snprintf(msg, sizeof(msg), "The segment %s must be 1 to 128 printable characters.", bad);
		return reply(c, MHD_HTTP_BAD_REQUEST, msg);
	}
	if (check_token(e, c, values[0], values[1], values[2], link, &segs, &rc) < 0)
		return rc;
	/*
	 * A database that is down costs the count, not the form - unless the
	 * link has segments: the rating is verified against those recorded,
	 * and without them it would be refused.
	 */
	if (record_shown(e, values, segs.json) < 0 && segs.canon[0] != '\0') {
		fb_form_segments_free(&segs);
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			     "Please try again in a moment.");
	}
	fb_form_segments_free(&segs);
	values[3] = e->path;
	if ((page = fb_template_fill(e->form, names, values, 4)) == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* A connection with the table's name quoted, made when first needed. */
static int db_ready(struct endpoint *e)
{
	void *conn;

	if (e->conn != NULL && PQstatus(e->conn) == CONNECTION_OK)
		return 0;
	PQfinish(e->conn);
	e->conn = NULL;
	free(e->table_q);
	e->table_q = NULL;
	if (fb_pg_open(e->fb, &conn) < 0)
		return -1;
	e->conn = conn;
	e->table_q = fb_quote_table(conn, e->fb->h->setting_str(e->fb->p, "ratings_table"));
	return e->table_q ? 0 : -1;
}

static int exec_ok(PGconn *c, const char *sql, int n, const char *const *v,
		   ExecStatusType want, int *rows)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
	int ok = PQresultStatus(r) == want;

	if (rows != NULL)
		*rows = ok ? PQntuples(r) : 0;
	PQclear(r);
	return ok ? 0 : -1;
}

/*
 * The rating's insert, with the segments its form was shown with ($6, a
 * JSON object: those the token was verified against) each in the column
 * of its name, so that CSAT and NPS split by segment for the endpoint's
 * ratings too.  Built as a JSON object, segments first so that a rating
 * field always wins, and turned into a row by jsonb_populate_record:
 * every value gets its column's type.  NULL when out of memory.
 */
static char *insert_sql(struct endpoint *e)
{
	json_t *segs = (json_t *)e->fb->h->setting_json(e->fb->p, "segments");
	char *cols = strdup("transaction_id, user_id, scale, score, comment");
	char *sel = strdup("r.transaction_id, r.user_id, r.scale, r.score, r.comment");
	char *sql = NULL;

	for (size_t i = 0; cols && sel && json_is_array(segs) && i < json_array_size(segs); i++) {
		const char *name = json_string_value(json_array_get(segs, i));
		char *q = name ? PQescapeIdentifier(e->conn, name, strlen(name)) : NULL;
		char *c2 = NULL, *s2 = NULL;

		if (q == NULL || asprintf(&c2, "%s, %s", cols, q) < 0)
			c2 = NULL;
		if (q == NULL || asprintf(&s2, "%s, r.%s", sel, q) < 0)
			s2 = NULL;
		PQfreemem(q);
		free(cols);
		free(sel);
		cols = c2;
		sel = s2;
	}
	if (cols && sel &&
	    asprintf(&sql, "INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s,"
		     " $6::jsonb || jsonb_build_object('transaction_id', $1::text, 'user_id', $2::text,"
		     " 'scale', $3::text, 'score', $4::text, 'comment', $5::text)) AS r",
		     e->table_q, cols, sel, e->table_q) < 0)
		sql = NULL;
	free(cols);
	free(sel);
	return sql;
}

/*
 * Store one rating unless its transaction has one: 0 stored, 1 already
 * rated, -1 the database failed.  The advisory lock makes the check and
 * the insert one step for every agent writing this table.
 */
static int store_with(struct endpoint *e, const char *const v[6], const char *check,
		      const char *insert)
{
	int rows = 0;

	if (exec_ok(e->conn, "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL) < 0 ||
	    exec_ok(e->conn, "SELECT pg_advisory_xact_lock(hashtextextended('hinge.feedback:' || $1, 0))",
		    1, v, PGRES_TUPLES_OK, NULL) < 0 ||
	    exec_ok(e->conn, check, 1, v, PGRES_TUPLES_OK, &rows) < 0 ||
	    (rows == 0 && exec_ok(e->conn, insert, 6, v, PGRES_COMMAND_OK, NULL) < 0)) {
		e->fb->h->log(e->fb->p, HINGE_LOG_ERROR, "cannot store a rating: %s",
			      PQerrorMessage(e->conn));
		PQclear(PQexec(e->conn, "ROLLBACK"));
		return -1;
	}
	if (rows > 0) {
		PQclear(PQexec(e->conn, "ROLLBACK"));
		return 1;
	}
	return exec_ok(e->conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL);
}

/*
 * Store one rating: v holds transaction, user, scale, score, comment and
 * the segments as a JSON object text.  As store_with.
 */
static int store(struct endpoint *e, const char *const v[6])
{
	char check[512], *insert;
	int rc;

	snprintf(check, sizeof(check),
		 "SELECT 1 FROM %s WHERE transaction_id::text = $1 LIMIT 1", e->table_q);
	if ((insert = insert_sql(e)) == NULL)
		return -1;
	rc = store_with(e, v, check, insert);
	free(insert);
	return rc;
}

/*
 * Verify the token of a POST against the segments recorded when its form
 * was shown (not those of any link), then check the rating and store it
 * with those same segments.  v as store(), v[5] filled in here.
 */
static enum MHD_Result verify_and_store(struct endpoint *e, struct MHD_Connection *c,
					const char *token, const char *v[6])
{
	struct fb_form_segments segs;
	enum MHD_Result answer;
	json_t *shown;
	int rc, score;

	if (db_ready(e) < 0 || (shown = fb_recorded_segments(e->fb, e->conn, v[0])) == NULL)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Please try again in a moment.");
	if (check_token(e, c, v[0], v[1], token, shown, &segs, &answer) < 0)
		return answer;
	if (fb_rating_reject_reason(v[0], v[1], v[2], v[3], &score) != NULL) {
		fb_form_segments_free(&segs);
		return reply(c, MHD_HTTP_BAD_REQUEST, "Please choose a rating.");
	}
	v[5] = segs.json;
	rc = store(e, v);
	fb_form_segments_free(&segs);
	if (rc == 1)
		return reply(c, MHD_HTTP_CONFLICT, "This transaction has been rated already. Thank you.");
	if (rc < 0)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Please try again in a moment.");
	return reply(c, MHD_HTTP_CREATED, "Thank you for your feedback.");
}

static enum MHD_Result submit(struct endpoint *e, struct MHD_Connection *c,
			      struct request *q)
{
	const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	char txn[FB_ID_MAX + 2], user[FB_ID_MAX + 2], token[FB_TOKEN_SIZE], scale[8];
	char score[8], comment[COMMENT_MAX + 1];
	const char *body = q->body ? q->body : "", *v[6];
	size_t len = q->len;
	int rc;

	if (q->too_big)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "The submission is too large.");
	if (ctype == NULL || strncmp(ctype, "application/x-www-form-urlencoded", 33) != 0)
		return reply(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Send the form as a form.");
	if (fb_urlencoded_get(body, len, "transaction", txn, sizeof(txn)) != 1 ||
	    fb_urlencoded_get(body, len, "user", user, sizeof(user)) != 1 ||
	    fb_urlencoded_get(body, len, "token", token, sizeof(token)) != 1 ||
	    fb_urlencoded_get(body, len, "score", score, sizeof(score)) != 1)
		return reply(c, MHD_HTTP_BAD_REQUEST, "Please choose a rating.");
	if ((rc = fb_urlencoded_get(body, len, "scale", scale, sizeof(scale))) == 0)
		strcpy(scale, "csat");
	if (rc < 0 || fb_urlencoded_get(body, len, "comment", comment, sizeof(comment)) < 0)
		return reply(c, MHD_HTTP_BAD_REQUEST, "The comment is too long.");
	v[0] = txn;
	v[1] = user;
	v[2] = scale;
	v[3] = score;
	v[4] = fb_urlencoded_get(body, len, "comment", comment, sizeof(comment)) == 1 &&
	       comment[0] != '\0' ? comment : NULL;
	return verify_and_store(e, c, token, v);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_size, void **req_cls)
{
	struct endpoint *e = cls;
	struct request *q = *req_cls;
	char addr[FB_RATE_ADDR];

	(void)version;
	if (q == NULL) {
		if ((q = calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		*req_cls = q;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!q->too_big && q->len + *upload_size <= e->max_body) {
			char *bigger = realloc(q->body, q->len + *upload_size + 1);

			if (bigger == NULL)
				return MHD_NO;
			q->body = bigger;
			memcpy(q->body + q->len, upload, *upload_size);
			q->len += *upload_size;
		} else {
			q->too_big = 1;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	client_addr(c, addr, sizeof(addr));
	if (!fb_rate_allow(&e->rate, addr, fb_now_ms()))
		return reply(c, MHD_HTTP_TOO_MANY_REQUESTS, "Too many requests; please wait a minute.");
	if (strcmp(url, e->path) != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "Not found.");
	if (strcmp(method, "GET") == 0)
		return serve_form(e, c);
	if (strcmp(method, "POST") == 0)
		return submit(e, c, q);
	return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "Use GET or POST.");
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct request *q = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (q != NULL) {
		free(q->body);
		free(q);
		*req_cls = NULL;
	}
}

/* A whole file of at most 1 MiB, NUL-ended; NULL when it cannot be read. */
static char *read_file(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	char *buf = NULL;
	long n;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n < 1 << 20 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	if (f != NULL)
		fclose(f);
	return buf;
}

/* The form template, or NULL (logged) when the file cannot be read. */
static char *load_form(struct fb *fb)
{
	const char *path = fb->h->setting_str(fb->p, "form_file");
	char *buf = read_file(path);

	if (buf == NULL)
		fb->h->log(fb->p, HINGE_LOG_WARNING,
			   "cannot read the form %s (setting form_file at %s); GET serves 404",
			   path, fb->h->setting_where(fb->p, "form_file"));
	return buf;
}

/* 1 when a string setting is set to something. */
static int given(struct fb *fb, const char *key)
{
	const char *v = fb->h->setting_str(fb->p, key);

	return v != NULL && v[0] != '\0';
}

/*
 * With tls_cert and tls_key set, load both for MHD_USE_TLS: the
 * certificate chain from its file, the key through secret_read (a key
 * file readable by others is refused).  Returns 0 when TLS is off or
 * loaded, or a HINGE_E* code (logged).
 */
static int load_tls(struct endpoint *e)
{
	struct fb *fb = e->fb;
	int rc;

	if (!given(fb, "tls_cert"))
		return 0;
	e->cert = read_file(fb->h->setting_str(fb->p, "tls_cert"));
	if (e->cert == NULL) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot read the certificate (setting tls_cert at %s)",
			   fb->h->setting_where(fb->p, "tls_cert"));
		return HINGE_EINVAL;
	}
	if ((rc = fb->h->secret_read(fb->p, "tls_key", &e->tls_key)) < 0 || e->tls_key == NULL) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot read the TLS key (setting tls_key at %s)",
			   fb->h->setting_where(fb->p, "tls_key"));
		return rc < 0 ? rc : HINGE_EINVAL;
	}
	return 0;
}

/* Parse the listen address into ss; 1 when it is a loopback address. */
static int parse_addr(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return -1;
}

static int run(void *data)
{
	struct endpoint *e = data;
	struct fb *fb = e->fb;
	struct MHD_OptionItem tls[3];
	struct sockaddr_storage ss;
	int rc;

	rc = fb->h->secret_read(fb->p, "token_secret", &e->key);
	if (rc < 0 || e->key == NULL || e->key[0] == '\0') {
		fb->h->log(fb->p, HINGE_LOG_ERROR,
			   "the endpoint needs a signing key (setting token_secret at %s)",
			   fb->h->setting_where(fb->p, "token_secret"));
		return rc < 0 ? rc : HINGE_EINVAL;
	}
	if ((rc = load_tls(e)) < 0)
		return rc;
	e->form = load_form(fb);
	parse_addr(fb->h->setting_str(fb->p, "listen_address"),
		   (int)fb->h->setting_int(fb->p, "listen_port"), &ss);
	tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, e->cert };
	tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, e->tls_key };
	tls[2] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	e->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
				(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
				(e->cert ? MHD_USE_TLS : 0),
				0, NULL, NULL, handle, e,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_NOTIFY_COMPLETED, completed, e,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)(fb->h->setting_ms(fb->p, "request_timeout") / 1000 + 1),
				MHD_OPTION_ARRAY, e->cert ? tls : tls + 2,
				MHD_OPTION_END);
	if (e->d == NULL) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot listen on %s port %" PRId64
			   " (settings listen_address, listen_port)",
			   fb->h->setting_str(fb->p, "listen_address"),
			   fb->h->setting_int(fb->p, "listen_port"));
		return HINGE_EUNAVAIL;
	}
	fb->h->log(fb->p, HINGE_LOG_INFO, "feedback endpoint on %s://%s:%" PRId64 "%s",
		   e->cert ? "https" : "http", fb->h->setting_str(fb->p, "listen_address"),
		   fb->h->setting_int(fb->p, "listen_port"), e->path);
	while (!fb->h->stopping(fb->p))
		fb->h->sleep_ms(fb->p, 1000);
	MHD_stop_daemon(e->d);
	e->d = NULL;
	return 0;
}

static void endpoint_free(void *data)
{
	struct endpoint *e = data;

	PQfinish(e->conn);
	free(e->table_q);
	if (e->key != NULL) {
		OPENSSL_cleanse(e->key, strlen(e->key));
		free(e->key);
	}
	free(e->form);
	free(e->cert);
	if (e->tls_key != NULL) {
		OPENSSL_cleanse(e->tls_key, strlen(e->tls_key));
		free(e->tls_key);
	}
	free(e);
}

int fb_endpoint_register(struct fb *fb)
{
	const char *addr = fb->h->setting_str(fb->p, "listen_address");
	struct sockaddr_storage ss;
	struct hinge_service s = { .name = "endpoint", .run = run, .free = endpoint_free };
	struct endpoint *e;
	int loop, rc;

	if (!fb->h->setting_bool(fb->p, "endpoint"))
		return 0;
	if (given(fb, "tls_cert") != given(fb, "tls_key")) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "tls_cert and tls_key go together (at %s)",
			   fb->h->setting_where(fb->p, given(fb, "tls_cert") ? "tls_cert" : "tls_key"));
		return HINGE_EINVAL;
	}
	loop = parse_addr(addr, 0, &ss);
	if (loop < 0 || (loop == 0 && !given(fb, "tls_cert"))) {
		fb->h->log(fb->p, HINGE_LOG_ERROR,
			   loop < 0 ? "listen_address %s is not an IP address (at %s)"
				    : "listen_address %s is not loopback (at %s); plain HTTP is served on"
				      " loopback only: set tls_cert and tls_key, or put a TLS reverse"
				      " proxy in front",
			   addr, fb->h->setting_where(fb->p, "listen_address"));
		return HINGE_EINVAL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return HINGE_ENOMEM;
	e->fb = fb;
	e->path = fb->h->setting_str(fb->p, "path");
	e->max_body = (size_t)fb->h->setting_ms(fb->p, "max_body");
	e->rate.limit = fb->h->setting_int(fb->p, "rate_limit");
	e->rate.window_ms = fb->h->setting_ms(fb->p, "rate_window");
	s.data = e;
	if ((rc = fb->h->register_service(fb->p, &s)) < 0)
		endpoint_free(e);
	return rc;
}
