/*
 * plugin.c - the logging plugin's glue: settings, the event sink that
 * spools what the agent raises, and the job that delivers the spool.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <glob.h>
#include <jansson.h>
#include <pcre2.h>
#include <openssl/rand.h>

#include <hinge/plugin.h>

#include "actions.h"
#include "buf.h"
#include "build.h"
#include "chunk.h"
#include "commands.h"
#include "deliver.h"
#include "errors.h"
#include "event.h"
#include "pgsource.h"
#include "scrub.h"
#include "sinkcfg.h"
#include "sinks.h"
#include "spool.h"
#include "stmt.h"
#include "tail.h"
#include "tally.h"
#include "utf8.h"
#include "worker.h"

#define LG_VERSION "0.1.0"

static const struct hinge_setting settings[] = {
	{ "min_level", HINGE_T_STRING, 0, "warning", 0, 0,
	  "the least severe agent event spooled: error, warning, notice, info" },
	{ "hostname", HINGE_T_STRING, 0, NULL, 0, 0,
	  "the host name events carry; default: gethostname()" },
	{ "scrub_emails", HINGE_T_BOOL, 0, "false", 0, 0,
	  "also replace e-mail addresses with [email] before spooling" },
	{ "scrub_ips", HINGE_T_BOOL, 0, "false", 0, 0,
	  "also replace IPv4 addresses with [ip] before spooling" },
	{ "spool_max_events", HINGE_T_INT, 0, "100000", 1, 1e9,
	  "events kept in the spool, those waiting for a sink the config no longer has"
	  " among them (they stay for its return); past it the oldest are dropped and"
	  " counted" },
	{ "batch_size", HINGE_T_INT, 0, "500", 1, 10000,
	  "events sent to Sentry or Loggly per batch (delivery reads up to 16384"
	  " waiting events, sends them a batch at a"
	  " time and commits the outcomes of what it sent together; the file"
	  " sink writes a whole read at once)" },
	{ "flush_interval", HINGE_T_DURATION, 0, "1s", 1, 86400000,
	  "how often the delivery job runs; it also runs as soon as"
	  " batch_size tailed or polled events were spooled since its last"
	  " run began, unless every sink waits out a back-off" },
	{ "http_timeout", HINGE_T_DURATION, 0, "10s", 1, 600000,
	  "the longest one request to Sentry or Loggly may take" },
	{ "backoff_initial", HINGE_T_DURATION, 0, "1s", 1, 86400000,
	  "the wait after a sink's first failure, doubled per failure" },
	{ "backoff_max", HINGE_T_DURATION, 0, "5m", 1, 86400000,
	  "the longest wait between attempts at a failing sink" },
	{ "sentry_dsn", HINGE_T_SECRET, 0, NULL, 0, 0,
	  "a file holding the Sentry DSN; Sentry is off without it" },
	{ "sentry_environment", HINGE_T_STRING, 0, NULL, 0, 0,
	  "the environment Sentry events carry" },
	{ "sentry_release", HINGE_T_STRING, 0, NULL, 0, 0,
	  "the release Sentry events carry" },
	{ "sentry_sample_rate", HINGE_T_DOUBLE, 0, "1", 0, 1,
	  "the share of events spooled for Sentry" },
	{ "loggly_token", HINGE_T_SECRET, 0, NULL, 0, 0,
	  "a file holding the Loggly customer token; Loggly is off without it" },
	{ "loggly_url", HINGE_T_STRING, 0, "https://logs-01.loggly.com", 0, 0,
	  "the Loggly endpoint" },
	{ "loggly_tags", HINGE_T_STRING, 0, "hinge", 0, 0,
	  "comma-separated Loggly tags" },
	{ "loggly_max_bytes", HINGE_T_SIZE, 0, "5M", 1024, 5242880,
	  "the largest Loggly bulk request (Loggly's limit is 5 MB)" },
	{ "loggly_sample_rate", HINGE_T_DOUBLE, 0, "1", 0, 1,
	  "the share of events spooled for Loggly" },
	{ "file_path", HINGE_T_STRING, 0, NULL, 0, 0,
	  "a JSON-lines file events are appended to; off without it" },
	{ "file_sample_rate", HINGE_T_DOUBLE, 0, "1", 0, 1,
	  "the share of events spooled for the file" },
	{ "pg_conninfo", HINGE_T_STRING, 0, NULL, 0, 0,
	  "the application's database, read for failed rows; off without it" },
	{ "pg_table", HINGE_T_STRING, 0, "execution_tasks", 0, 0,
	  "the table whose rows record task errors" },
	{ "pg_id_column", HINGE_T_STRING, 0, "id", 0, 0, "its bigint key" },
	{ "pg_time_column", HINGE_T_STRING, 0, "updated_at", 0, 0,
	  "its timestamptz set whenever a row changes" },
	{ "pg_message_column", HINGE_T_STRING, 0, "error", 0, 0,
	  "its error text" },
	{ "pg_type_column", HINGE_T_STRING, 0, "task_type", 0, 0,
	  "its task type, grouped on with the message" },
	{ "pg_status_column", HINGE_T_STRING, 0, "status", 0, 0,
	  "the column that marks a row as failed ..." },
	{ "pg_status_value", HINGE_T_STRING, 0, "failed", 0, 0,
	  "... by holding this value" },
	{ "pg_interval", HINGE_T_DURATION, 0, "5s", 1, 86400000,
	  "how often the table is polled" },
	{ "pg_overlap", HINGE_T_DURATION, 0, "1m", 0, 86400000,
	  "how far behind the cursor each poll reads again, for late commits" },
	{ "pg_batch", HINGE_T_INT, 0, "1000", 1, 100000,
	  "the most new rows read per poll" },
	{ "metric_window", HINGE_T_DURATION, 0, "5m", 1000, 86400000,
	  "the window errors_per_minute and error_rate look back over" },
	{ "hits_retention", HINGE_T_DURATION, 0, "7d", 60000, 31536000000.0,
	  "how long single occurrences are kept for `errors top --since`" },
	{ "tail_files", HINGE_T_STRINGS, 0, NULL, 0, 0,
	  "log files (paths or globs) whose matching lines are errors" },
	{ "tail_pattern", HINGE_T_STRING, 0,
	  "(?i)\\b(error|fatal|critical|panic|exception)\\b", 0, 0,
	  "a PCRE2 regular expression: the lines that match are errors" },
	{ "tail_interval", HINGE_T_DURATION, 0, "250ms", 1, 3600000,
	  "how often the files are checked for new lines: the longest a line"
	  " waits before it is spooled" },
	{ "tail_from_start", HINGE_T_BOOL, 0, "false", 0, 0,
	  "read a file seen for the first time from its start, not its end" },
	{ "tail_max_bytes", HINGE_T_SIZE, 0, "1M", 4096, 4194304,
	  "the most bytes of lines spooled from a file in one transaction"
	  " (group commit: lines and offset committed together; one longer"
	  " line is taken whole; at most 4M, so that a transaction's spool"
	  " row stays far below SQLite's limit on a value even for short lines)" },
	{ "tail_rotate_wait", HINGE_T_DURATION, 0, "5s", 0, 3600000,
	  "a file renamed away (rotated) is still read until it has been"
	  " unchanged this long, for the lines its writer adds before it"
	  " reopens the path; the new file's lines wait meanwhile" },
	{ "tail_threads", HINGE_T_INT, 0, "1", 1, 16,
	  "threads, the tailer's own among them, that prepare a round's lines"
	  " as events (scrubbing, normalising, fingerprint); more help only"
	  " where cores are idle: on two cores the printer of the bodies, the"
	  " committer and the delivery job use the second" },
	{ NULL },
};

enum { SINK_SENTRY, SINK_LOGGLY, SINK_FILE, NSINKS };

/* What a source transaction gathers before it writes: its events' group
 * counts, and the events themselves for one spool row. */
/* A tail round's event waiting for its body, and the sinks it is for. */
struct pending {
	struct lg_built b;
	unsigned mask;
};

struct lg_txn {
	struct lg_tally tally;
	struct lg_chunk chunk;
	/* a tail round's events, prepared by the tailer and counted in
	 * tally; the printer prints their bodies into chunk (print_pending),
	 * and the tailer frees the rest once they are printed */
	struct pending *pending;
	size_t npending, maxpending;
};

struct lg_plugin {
	struct hinge_plugin *p;
	int min_level;
	unsigned scrub;
	char hostname[256];
	int64_t cap;
	int batch;
	/* configured sinks, in sinks[0..nsinks), with their state as the
	 * logging.sink action last set it (refreshed by the delivery job) */
	struct lg_sink sinks[NSINKS];
	_Atomic int on[NSINKS];
	_Atomic double sample[NSINKS];
	size_t nsinks;
	struct lg_actions actions; /* names and configured sample rates */
	_Atomic int64_t refreshed_ms; /* when a spooler last read them (fresh_sinks) */
	struct lg_sentry_ctx sentry;
	struct lg_loggly_ctx loggly;
	struct lg_file_ctx file;
	struct hinge_db *jobdb; /* the delivery job's connection (its thread) */
	pthread_key_t dbkey;    /* each raising thread's own connection */
	atomic_long lost;       /* events the spool refused (disk full) */
	atomic_long unsent;     /* tailed or polled events spooled since delivery last began */
	atomic_llong send_after_ms; /* no sink takes a request before (delivery's last run) */
	/* the PostgreSQL source */
	struct lg_pg_table pg;
	void *pgconn;           /* PGconn *, the poll job's */
	struct hinge_db *pgdb;  /* the poll job's state connection */
	/* the file tailer */
	pcre2_code *re;
	pcre2_match_data *md;
	struct hinge_db *taildb; /* the tailer's state connection */
	struct lg_txn txn[3];    /* the tail rounds' events: reading, printing, committing */
	struct lg_worker *printer;   /* prints the tail rounds' bodies */
	struct lg_worker *committer; /* commits the tail rounds */
	struct hinge_db *commitdb;   /* its connection (its thread) */
	/* the round's matched lines, to prepare: their text one after the
	 * other, each with its NUL, and where each starts (one buffer for
	 * the round, where a copy each cost a malloc and a free per line) */
	struct lg_buf line_text;
	size_t *line_at;
	size_t nlines, maxlines;
	struct lg_raw *raws;     /* one slice of them, and its events */
	struct lg_built *built;
	struct lg_builder *builder; /* tail_threads threads, the tailer's among them */
	int64_t tail_ms;         /* when it read its lines: their time */
	json_t *failing;         /* paths that could not be read, reported once */
	int64_t next_prune_ms;   /* when the delivery job next prunes hits */
	int told_unconfigured;   /* tell_unconfigured ran in this agent */
};

/* Set while this thread delivers: what it logs then is not spooled, or a
 * sink that is down would feed its own failures back to itself. */
static __thread int quiet;

static const struct hinge_host *H;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t rnd32(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (uint32_t)now_ms();
	return r;
}

static void close_thread_db(void *db)
{
	lg_stmt_forget(H->db_sqlite(db));
	H->db_close(db);
}

/* This thread's connection to the state database, opened on first use. */
static struct hinge_db *thread_db(struct lg_plugin *s)
{
	struct hinge_db *db = pthread_getspecific(s->dbkey);

	if (!db) {
		if (H->db_open(s->p, &db) < 0)
			return NULL;
		pthread_setspecific(s->dbkey, db);
	}
	return db;
}

/* Take up what the logging.sink action set, in this process too. */
static int refresh_sinks(struct lg_plugin *s, sqlite3 *db)
{
	struct lg_sinkcfg c;
	size_t k;
	int rc = 0;

	for (k = 0; k < s->nsinks && rc == 0; k++) {
		rc = lg_sinkcfg_get(db, s->sinks[k].name, s->actions.rates[k], &c);
		if (rc == 0) {
			s->on[k] = c.enabled;
			s->sample[k] = c.sample_rate;
		}
	}
	return rc;
}

/* The sinks an event is for: each configured one on whose sample admits
 * it, as a mask and, in names[0..*n), by name. */
static unsigned sink_mask(struct lg_plugin *s, const char *names[NSINKS], size_t *n)
{
	unsigned mask = 0;
	size_t k;

	*n = 0;
	for (k = 0; k < s->nsinks; k++) {
		double rate = s->sample[k];

		if (s->on[k] && (rate >= 1 || (double)rnd32() / UINT32_MAX < rate)) {
			names[(*n)++] = s->sinks[k].name;
			mask |= 1u << k;
		}
	}
	return mask;
}

/* What the tally and the spool read of a built event. */
static struct lg_event event_of(const struct lg_built *b)
{
	return (struct lg_event){
		.event_id = b->event_id, .time_ms = b->time_ms,
		.source = b->source, .type = b->type, .message = b->message,
		.normalized = b->normalized,
		.fingerprint = b->fingerprint, .body = b->body,
	};
}

/*
 * Spool one captured event for every configured sink its sample admits:
 * into txn (which the caller writes with txn_write before it commits) or,
 * when txn is NULL, at once inside the caller's transaction on db.
 * Returns 0 or a negative code.
 */
static int spool_built(struct lg_plugin *s, sqlite3 *db, const struct lg_built *b,
		       struct lg_txn *txn)
{
	const char *names[NSINKS];
	size_t n;
	unsigned mask = sink_mask(s, names, &n);
	struct lg_event ev = event_of(b);

	if (txn) {
		int rc = lg_tally_add(db, &txn->tally, &ev);

		return rc == 0 ? lg_chunk_add(&txn->chunk, b->event_id, b->time_ms, b->body, mask) : rc;
	}
	return lg_spool_put(db, &ev, names, n);
}

/* spool_built for an event built from raw here. */
static int spool_raw(struct lg_plugin *s, sqlite3 *db, const struct lg_raw *raw,
		     struct lg_txn *txn)
{
	struct lg_built b;
	int rc = lg_event_build(raw, s->scrub, &b);

	if (rc < 0)
		return rc;
	rc = spool_built(s, db, &b, txn);
	lg_built_free(&b);
	return rc;
}

/* Write what txn gathered (one spool row, the group counts) and empty it. */
static int txn_write(struct lg_plugin *s, sqlite3 *db, struct lg_txn *txn)
{
	const char *names[NSINKS];
	size_t k;
	int rc;

	for (k = 0; k < s->nsinks; k++)
		names[k] = s->sinks[k].name;
	rc = lg_spool_chunk(db, &txn->chunk, names, s->nsinks);
	if (rc == 0)
		rc = lg_tally_flush(db, &txn->tally);
	lg_tally_free(&txn->tally);
	return rc;
}

/*
 * After n tailed or polled events were committed to the spool: wake the
 * delivery job as their count since its last run began reaches
 * batch_size, rather than leave a full batch until flush_interval is up.
 * Once per run: the count is reset when a run begins.  Not while every
 * sink waits out a back-off or a rate limit: a run could send nothing.
 * A trickle of events is still sent flush_interval at a time.
 */
static void spooled(struct lg_plugin *s, size_t n)
{
	long before = atomic_fetch_add(&s->unsent, (long)n);

	if (before < s->batch && before + (long)n >= s->batch &&
	    now_ms() >= atomic_load(&s->send_after_ms) && HINGE_HOST_HAS(H, job_wake))
		(void)H->job_wake(s->p, "deliver");
}

/* After a delivery run: when the first of the sinks that are on may take
 * a request again (never, with none on). */
static void note_send_after(struct lg_plugin *s)
{
	int64_t first = INT64_MAX;
	size_t k;

	for (k = 0; k < s->nsinks; k++)
		if (s->on[k] && s->sinks[k].blocked_until_ms < first)
			first = s->sinks[k].blocked_until_ms;
	atomic_store(&s->send_after_ms, first);
}

/* The raw event of a tailed line; print_pending reads only its host,
 * rollout and detail, so it passes NULL for the rest. */
static struct lg_raw tail_raw(const struct lg_plugin *s, int64_t time_ms,
			      const char *path, const char *line)
{
	return (struct lg_raw){
		.time_ms = time_ms, .level = HINGE_LOG_ERROR, .source = "file",
		.type = path, .message = line, .host = s->hostname,
	};
}

/*
 * A tail round's prepared event into txn: counted in its group now, its
 * body printed and spooled on the printer's thread (print_pending).
 * Its text moves into txn, and *b is left empty.  Returns 0 or a
 * negative code (*b is then still the caller's).
 */
static int stash_prepared(struct lg_plugin *s, sqlite3 *db, struct lg_built *b,
			  struct lg_txn *txn)
{
	const char *names[NSINKS];
	size_t n;
	unsigned mask = sink_mask(s, names, &n);
	struct lg_event ev = event_of(b);
	int rc;

	if (txn->npending == txn->maxpending) {
		size_t max = txn->maxpending ? 2 * txn->maxpending : 1024;
		struct pending *v = realloc(txn->pending, max * sizeof *v);

		if (!v)
			return HINGE_ENOMEM;
		txn->pending = v;
		txn->maxpending = max;
	}
	if ((rc = lg_tally_add(db, &txn->tally, &ev)) < 0)
		return rc;
	txn->pending[txn->npending++] = (struct pending){ .b = *b, .mask = mask };
	memset(b, 0, sizeof *b);
	return 0;
}

/*
 * On the printer's thread: the bodies of txn's pending events, printed
 * into its chunk in order.  Each body is freed here, by the thread that
 * made it (a free from another thread contends for the arena's lock);
 * the rest of each event is the tailer's, freed by pending_free.
 */
static int print_pending(struct lg_plugin *s, struct lg_txn *txn)
{
	const struct lg_raw raw = tail_raw(s, 0, NULL, NULL);
	struct lg_built *b;
	size_t k;
	int rc = 0;

	for (k = 0; k < txn->npending && rc == 0; k++) {
		b = &txn->pending[k].b;
		rc = lg_event_print(&raw, s->scrub, b);
		if (rc == 0)
			rc = lg_chunk_add(&txn->chunk, b->event_id, b->time_ms, b->body,
					  txn->pending[k].mask);
		free(b->body);
		b->body = NULL;
	}
	return rc;
}

/* Pending events kept room for between rounds: a burst of long rounds
 * of short lines does not keep tens of megabytes. */
#define PENDING_KEEP 16384

/* Release txn's pending events. */
static void pending_free(struct lg_txn *txn)
{
	while (txn->npending > 0)
		lg_built_free(&txn->pending[--txn->npending].b);
	if (txn->maxpending > PENDING_KEEP) {
		free(txn->pending);
		txn->pending = NULL;
		txn->maxpending = 0;
	}
}

static void txn_free(struct lg_txn *txn)
{
	lg_tally_free(&txn->tally);
	lg_chunk_free(&txn->chunk);
	pending_free(txn);
	free(txn->pending);
	txn->pending = NULL;
	txn->maxpending = 0;
}

/*
 * The sinks' state read again when it is a second old, by whoever spools
 * next: the delivery job reads it at each run, but an event spooled
 * before its first run (a tailed line or a polled row at the start, an
 * event a command raises) must not go to a sink the logging.sink action
 * turned off.
 */
static void fresh_sinks(struct lg_plugin *s, sqlite3 *db)
{
	int64_t now = now_ms();

	if (now - s->refreshed_ms >= 1000) {
		s->refreshed_ms = now;
		refresh_sinks(s, db);
	}
}

/* spool_raw in a transaction of its own. */
static int spool_one(struct lg_plugin *s, struct hinge_db *hdb,
		     const struct lg_raw *raw)
{
	int rc;

	fresh_sinks(s, H->db_sqlite(hdb));
	rc = H->db_begin(hdb);
	if (rc < 0)
		return rc;
	rc = spool_raw(s, H->db_sqlite(hdb), raw, NULL);
	if (rc == 0)
		return H->db_commit(hdb);
	H->db_rollback(hdb);
	return rc;
}

/* The event sink: runs in the thread that raised the event. */
static int sink_deliver(void *data, const char *event_json)
{
	struct lg_plugin *s = data;
	struct lg_raw raw;
	struct hinge_db *hdb;
	json_t *doc;
	int rc;

	if (quiet)
		return 0;
	if (lg_event_parse(event_json, now_ms(), &raw, &doc) < 0)
		return HINGE_EINVAL;
	rc = 0;
	if (raw.level <= s->min_level) {
		quiet = 1;
		raw.host = s->hostname;
		hdb = thread_db(s);
		rc = hdb ? spool_one(s, hdb, &raw) : HINGE_EUNAVAIL;
		if (rc < 0) {
			long lost = atomic_fetch_add(&s->lost, 1) + 1;

			H->log(s->p, HINGE_LOG_ERROR,
			       "an event could not be spooled (%ld lost so far)", lost);
		}
		quiet = 0;
	}
	json_decref(doc);
	return rc;
}

static void report(struct lg_plugin *s, const struct lg_sink *k,
		   const struct lg_item *items, const struct lg_outcome *out,
		   size_t n, const struct lg_run_stats *st, int64_t now)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (out[i].fate == LG_DEAD)
			H->log(s->p, HINGE_LOG_WARNING,
			       "%s: event %s goes to the dead letters",
			       k->name, items[i].event_id);
	if (st->retried && st->last_status)
		H->log(s->p, HINGE_LOG_WARNING,
		       "%s: HTTP %d; %d events stay spooled, next attempt in %lld ms",
		       k->name, st->last_status, st->retried,
		       (long long)(k->blocked_until_ms - now));
	else if (st->retried)
		H->log(s->p, HINGE_LOG_WARNING,
		       "%s: %s; %d events stay spooled, next attempt in %lld ms",
		       k->name, st->last_reason, st->retried,
		       (long long)(k->blocked_until_ms - now));
}

/* One batch sent to a sink, its outcome into out[0..n); *retried tells
 * whether any of it stays spooled for a later attempt. */
static void send_batch(struct lg_plugin *s, struct lg_sink *k,
		       const struct lg_item *items, size_t n, struct lg_outcome *out,
		       int *retried)
{
	struct lg_run_stats st;
	int64_t now = now_ms();

	lg_deliver_send(k, items, n, now, rnd32(), out, &st);
	report(s, k, items, out, n, &st, now);
	*retried = st.retried;
}

/* The outcomes of the n events sent, stored in one transaction. */
static int store_outcomes(struct lg_plugin *s, struct lg_sink *k, sqlite3 *db,
			  const struct lg_item *items, const struct lg_outcome *out,
			  size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	rc = H->db_begin(s->jobdb);
	if (rc == 0) {
		rc = lg_deliver_apply(db, k->name, items, out, n, now_ms());
		if (rc == 0)
			rc = H->db_commit(s->jobdb);
		else
			H->db_rollback(s->jobdb);
	}
	return rc;
}

/*
 * Events read from the spool at once and then sent a sink's batch at a time:
 * a tail round's chunk (thousands of events) is read and its checksum
 * checked once, not once per batch (five times for a round of 2,500
 * events and the default batch_size, which took half the CPU).  A read
 * copies each row's whole text, also for the one event of a row that a
 * sampled sink waits for: READ_TEXT bounds what it holds (16,384 such
 * rows of a megabyte would be 16 GB).  A read leaves whole a row that
 * would take it past READ_EVENTS, for the next one: 16,384 holds a
 * round of 1 MiB of lines of 64 bytes or more.  batch_size is at most
 * 10,000, so a read holds a batch of any sink.
 */
#define READ_EVENTS 16384
#define READ_TEXT ((size_t)16 << 20)
/* Batches per sink in one run of the delivery job. */
#define RUN_BATCHES 64

/* Whether drain may send another batch to k. */
static int may_send(struct lg_plugin *s, const struct lg_sink *k, int sent,
		    int retried)
{
	return sent < RUN_BATCHES && !retried && !H->stopping(s->p) &&
	       now_ms() >= k->blocked_until_ms;
}

/*
 * Deliver what waits for one sink, batch after batch while it accepts;
 * what a read took and was not sent stays spooled for the next run.  The
 * outcomes of a read's batches are stored together, once its batches are
 * sent or the sink stops taking them: a transaction (and its fsync) per
 * batch set the pace with the default batch_size.  An agent killed
 * before they are stored, or that cannot store them (the sink then backs
 * off as after a failed request), sends that read's events again (at
 * least once, under the same ids): up to READ_EVENTS of them, not just a
 * batch.
 */
static int drain(struct lg_plugin *s, struct lg_sink *k, sqlite3 *db)
{
	size_t n, at, m;
	struct lg_item *items;
	struct lg_outcome *out;
	int rc = 0, sent = 0, retried = 0;

	while (rc == 0 && may_send(s, k, sent, retried)) {
		rc = lg_spool_batch(db, k->name, READ_EVENTS, READ_TEXT, &items, &n);
		if (rc < 0 || n == 0)
			break;
		if (!(out = calloc(n, sizeof *out))) {
			lg_items_free(items, n);
			return HINGE_ENOMEM;
		}
		for (at = 0; at < n && may_send(s, k, sent, retried); at += m) {
			m = n - at < (size_t)k->batch ? n - at : (size_t)k->batch;
			send_batch(s, k, items + at, m, out + at, &retried);
			sent++;
		}
		rc = store_outcomes(s, k, db, items, out, at);
		if (rc < 0)
			/* else the read would be sent again at every run */
			lg_deliver_backoff(k, now_ms(), rnd32());
		free(out);
		lg_items_free(items, n);
	}
	return rc;
}

/*
 * Events that wait for a sink this agent does not have (taken out of the
 * config, or off because its setup failed) stay spooled: it may come
 * back, and nothing is dropped unasked.  They count toward the cap, so
 * the first delivery run that can read the spool says so, once per such
 * sink.
 */
static void tell_unconfigured(struct lg_plugin *s, sqlite3 *db)
{
	sqlite3_stmt *q;
	const char *name;
	size_t k;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT sink, sum(left) FROM logging_pending GROUP BY sink",
			       -1, &q, NULL) != SQLITE_OK)
		return;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(q, 0);
		for (k = 0; name && k < s->nsinks && strcmp(s->sinks[k].name, name) != 0; k++)
			;
		if (name && k == s->nsinks)
			H->log(s->p, HINGE_LOG_WARNING,
			       "%lld events wait for sink %s, which this agent does not have "
			       "(not in its config, or its setup failed): they stay spooled "
			       "until it does, and count toward spool_max_events (%lld)",
			       (long long)sqlite3_column_int64(q, 1), name, (long long)s->cap);
	}
	sqlite3_finalize(q);
	s->told_unconfigured = rc == SQLITE_DONE; /* else the next run asks again */
}

static int job_deliver(void *data)
{
	struct lg_plugin *s = data;
	int64_t dropped = 0;
	sqlite3 *db;
	size_t k;
	int rc;

	quiet = 1;
	atomic_store(&s->unsent, 0);
	if (!s->jobdb) {
		if ((rc = H->db_open(s->p, &s->jobdb)) < 0) {
			quiet = 0;
			return rc;
		}
		/*
		 * Debian builds SQLite with secure_delete on: each delivered
		 * chunk had its megabyte of pages overwritten with zeros, one
		 * more megabyte through the log and its checkpoint.  FAST zeroes
		 * only what costs no extra write; what it leaves in free pages
		 * is scrubbed event text, as it was while spooled, and the next
		 * chunks soon take those pages.  Only speed depends on it, so
		 * a failure is ignored.
		 */
		(void)sqlite3_exec(H->db_sqlite(s->jobdb), "PRAGMA secure_delete = FAST",
				   NULL, NULL, NULL);
	}
	db = H->db_sqlite(s->jobdb);
	rc = H->db_begin(s->jobdb);
	if (rc == 0) {
		rc = lg_spool_cap(db, s->cap, &dropped);
		if (rc == 0)
			rc = H->db_commit(s->jobdb);
		else
			H->db_rollback(s->jobdb);
	}
	if (dropped > 0)
		H->log(s->p, HINGE_LOG_WARNING,
		       "the spool is over %lld events: dropped the %lld oldest "
		       "(%lld in all)", (long long)s->cap, (long long)dropped,
		       (long long)lg_counter_get(db, "dropped"));
	if (rc == 0 && now_ms() >= s->next_prune_ms) {
		rc = lg_hits_prune(db, now_ms() - H->setting_ms(s->p, "hits_retention"));
		s->next_prune_ms = now_ms() + 60000;
	}
	if (rc == 0 && !s->told_unconfigured)
		tell_unconfigured(s, db);
	if (rc == 0)
		rc = refresh_sinks(s, db);
	for (k = 0; k < s->nsinks && rc == 0; k++)
		if (s->on[k])
			rc = drain(s, &s->sinks[k], db);
	note_send_after(s);
	quiet = 0;
	return rc;
}

/* Spool the rows of one query result not spooled before. */
static int pg_spool_rows(struct lg_plugin *s, sqlite3 *db, PGresult *res,
			 struct lg_pg_cursor *cur, int advance,
			 struct lg_txn *txn)
{
	int i, rc = 0;

	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		int64_t id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		int64_t t = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		json_t *detail = json_pack("{s:s,s:I}", "table", s->pg.table,
					   "id", (json_int_t)id);
		struct lg_raw raw = {
			.time_ms = t / 1000, .level = HINGE_LOG_ERROR,
			.source = "pg", .type = PQgetvalue(res, i, 3),
			.message = PQgetvalue(res, i, 2), .host = s->hostname,
			.detail = detail,
		};

		rc = detail ? lg_pg_seen(db, "pg", id, t) : HINGE_ENOMEM;
		if (rc == 0)
			rc = spool_raw(s, db, &raw, txn);
		if (rc == 0)
			rc = lg_pg_seen_add(db, "pg", id, t);
		if (rc > 0)
			rc = 0;
		json_decref(detail);
		if (advance) {
			cur->time_us = t;
			cur->id = id;
		}
	}
	return rc;
}

static PGresult *pg_query(struct lg_plugin *s, const char *sql,
			  const struct lg_pg_cursor *cur, int64_t fourth)
{
	char t[24], id[24], n[24];
	const char *params[4] = { H->setting_str(s->p, "pg_status_value"), t, id, n };
	PGresult *res;

	snprintf(t, sizeof t, "%lld", (long long)cur->time_us);
	snprintf(id, sizeof id, "%lld", (long long)cur->id);
	snprintf(n, sizeof n, "%lld", (long long)fourth);
	res = PQexecParams(s->pgconn, sql, 4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		H->log(s->p, HINGE_LOG_WARNING, "pg_table: %s cannot be read: %s",
		       s->pg.table, PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Read late rows of the overlap window, then new ones, and spool both
 * with the cursor in one transaction. */
static int pg_poll(struct lg_plugin *s, const char *late, const char *fresh)
{
	int64_t overlap_us = H->setting_ms(s->p, "pg_overlap") * 1000;
	struct lg_pg_cursor cur;
	struct lg_txn txn = { 0 };
	size_t n;
	PGresult *lr, *fr;
	sqlite3 *db = H->db_sqlite(s->pgdb);
	int rc;

	rc = lg_pg_cursor_get(db, "pg", &cur);
	if (rc < 0)
		return rc;
	lr = pg_query(s, late, &cur, overlap_us);
	fr = lr ? pg_query(s, fresh, &cur, H->setting_int(s->p, "pg_batch")) : NULL;
	if (!fr) {
		PQclear(lr);
		return HINGE_EUNAVAIL;
	}
	fresh_sinks(s, db);
	rc = H->db_begin(s->pgdb);
	if (rc == 0) {
		rc = pg_spool_rows(s, db, lr, &cur, 0, &txn);
		if (rc == 0)
			rc = pg_spool_rows(s, db, fr, &cur, 1, &txn);
		n = txn.chunk.n;
		if (rc == 0)
			rc = txn_write(s, db, &txn);
		if (rc == 0)
			rc = lg_pg_seen_prune(db, "pg", cur.time_us - overlap_us);
		if (rc == 0)
			rc = lg_pg_cursor_set(db, "pg", &cur);
		if (rc == 0)
			rc = H->db_commit(s->pgdb);
		else
			H->db_rollback(s->pgdb);
		if (rc == 0)
			spooled(s, n);
	}
	txn_free(&txn);
	PQclear(lr);
	PQclear(fr);
	return rc;
}

static int job_pg(void *data)
{
	struct lg_plugin *s = data;
	char *late = NULL, *fresh = NULL;
	int rc;

	if (s->pgconn && PQstatus(s->pgconn) != CONNECTION_OK) {
		PQfinish(s->pgconn);
		s->pgconn = NULL;
	}
	if (!s->pgconn &&
	    (rc = H->pg_connect(s->p, H->setting_str(s->p, "pg_conninfo"),
				&s->pgconn)) < 0)
		return rc;
	if (!s->pgdb && (rc = H->db_open(s->p, &s->pgdb)) < 0)
		return rc;
	rc = lg_pg_queries(s->pgconn, &s->pg, &late, &fresh);
	if (rc == 0)
		rc = pg_poll(s, late, fresh);
	free(late);
	free(fresh);
	return rc;
}

/* A line the tailer read: kept for spool_lines when the pattern matches it. */
static int tail_line(void *ctx, const char *path, const char *line, size_t len)
{
	struct lg_plugin *s = ctx;

	(void)path;
	if (pcre2_match(s->re, (PCRE2_SPTR)line, len, 0, 0, s->md, NULL) < 0)
		return 0;
	if (s->nlines == s->maxlines) {
		size_t max = s->maxlines ? 2 * s->maxlines : 256;
		size_t *v = realloc(s->line_at, max * sizeof *v);

		if (!v)
			return HINGE_ENOMEM;
		s->line_at = v;
		s->maxlines = max;
	}
	s->line_at[s->nlines] = s->line_text.len;
	lg_buf_add(&s->line_text, line, len);
	lg_buf_addc(&s->line_text, '\0');
	if (s->line_text.oom)
		return HINGE_ENOMEM;
	s->nlines++;
	return 0;
}

static void lines_clear(struct lg_plugin *s)
{
	s->nlines = 0;
	lg_buf_reset(&s->line_text);
}

/* Slices of this many lines are prepared at once, which bounds the
 * builder's arrays.  A round's prepared events then wait in its txn until
 * printed: a struct and two copies of the line each (about 200 bytes
 * beside the line), for two rounds of tail_max_bytes at most. */
#define TAIL_SLICE 4096

/*
 * The round's lines from path into txn, in order, prepared tail_threads
 * at a time and counted (their bodies are printed by the printer); the
 * lines are released.  Returns 0 or a negative code.
 */
static int spool_lines(struct lg_plugin *s, const char *path, struct lg_txn *txn)
{
	sqlite3 *db = H->db_sqlite(s->taildb);
	size_t at, k, m;
	int rc = 0;

	if (s->nlines > 0)
		fresh_sinks(s, db);
	if (s->nlines > 0 && (!s->raws || !s->built)) {
		/* both or neither: the next round must not find one alone */
		free(s->raws);
		free(s->built);
		s->raws = calloc(TAIL_SLICE, sizeof *s->raws);
		s->built = calloc(TAIL_SLICE, sizeof *s->built);
		if (!s->raws || !s->built)
			rc = HINGE_ENOMEM;
	}
	for (at = 0; at < s->nlines && rc == 0; at += m) {
		m = s->nlines - at < TAIL_SLICE ? s->nlines - at : TAIL_SLICE;
		for (k = 0; k < m; k++)
			s->raws[k] = tail_raw(s, s->tail_ms, path,
					      s->line_text.data + s->line_at[at + k]);
		if ((rc = lg_builder_run(s->builder, s->raws, m, s->scrub, s->built)) < 0)
			break;
		for (k = 0; k < m; k++) {
			if (rc == 0)
				/* db is the tailer's: the tally never writes in a
				 * round, whose events share their time */
				rc = stash_prepared(s, db, &s->built[k], txn);
			lg_built_free(&s->built[k]);
		}
	}
	lines_clear(s);
	return rc;
}

/* Report a path whose lines cannot be read or stored (why) once, until
 * they can be again (why NULL). */
static void tail_failing(struct lg_plugin *s, const char *path, const char *why)
{
	int known = json_object_get(s->failing, path) != NULL;

	if (why && !known) {
		H->log(s->p, HINGE_LOG_WARNING,
		       "tail_files: %s %s; it is retried every check", path, why);
		json_object_set_new(s->failing, path, json_true());
	} else if (!why && known) {
		H->log(s->p, HINGE_LOG_NOTICE, "tail_files: %s is followed again", path);
		json_object_del(s->failing, path);
	}
}

/* A path being tailed, as its rounds' jobs share it. */
struct tail_run {
	struct lg_plugin *s;
	const char *path;
	int committing; /* a round went to the committer and was not waited for */
};

/* One round of a path's lines, printed, then committed. */
struct tail_round {
	struct tail_run *run;
	struct lg_txn *txn;
	struct lg_tail_pos pos;
};

/*
 * On the committer's thread: the round's chunk, group counts and offset
 * in one transaction, on the committer's own connection (opened here
 * and closed by commit_close, here too: statements are cached per thread).
 */
static int commit_round(void *arg)
{
	struct tail_round *r = arg;
	struct lg_plugin *s = r->run->s;
	size_t n = r->txn->chunk.n;
	sqlite3 *db;
	int w;

	if (!s->commitdb && (w = H->db_open(s->p, &s->commitdb)) < 0)
		return w;
	db = H->db_sqlite(s->commitdb);
	if ((w = H->db_begin(s->commitdb)) < 0)
		return w;
	w = txn_write(s, db, r->txn);
	if (w == 0)
		w = lg_tail_save(db, r->run->path, &r->pos);
	if (w == 0)
		w = H->db_commit(s->commitdb);
	if (w < 0)
		H->db_rollback(s->commitdb);
	else
		spooled(s, n);
	return w;
}

/* Wait for the round last handed to the committer: what its commit
 * returned, 0 when none is in flight. */
static int committed(struct tail_run *run)
{
	int rc = run->committing ? lg_worker_wait(run->s->committer) : 0;

	run->committing = 0;
	return rc;
}

/*
 * On the printer's thread: the round's bodies, then the round handed to
 * the committer once the one before it committed.  A round whose
 * predecessor failed to commit is dropped, and so are the rounds after
 * it: the tailer stops at the error.
 */
static int print_round(void *arg)
{
	struct tail_round *r = arg;
	int rc = print_pending(r->run->s, r->txn), w = committed(r->run);

	if (w < 0)
		return w;
	if (rc < 0)
		return rc;
	lg_worker_post(r->run->s->committer, commit_round, r);
	r->run->committing = 1;
	return 0;
}

static int commit_close(void *arg)
{
	struct lg_plugin *s = arg;

	if (s->commitdb)
		close_thread_db(s->commitdb);
	s->commitdb = NULL;
	return 0;
}

/*
 * The most bytes of lines in the round-th round of one check of a path
 * that holds behind bytes past its stored offset (0 when unknown).  A
 * check that finds more than tail_max_bytes waiting (a file read from
 * behind) starts with 64 KiB and doubles each round up to
 * tail_max_bytes, so that its first lines reach the sinks once a small
 * round went through the pipeline below, not three full ones (with
 * rounds of 1 MiB the first line took 150 ms).  A check that finds less
 * takes it in one round: one transaction, one fsync.
 */
#define FIRST_ROUND_BYTES 65536

static size_t round_bytes(size_t max_bytes, int64_t behind, int round)
{
	size_t n = FIRST_ROUND_BYTES;

	if (behind <= (int64_t)max_bytes)
		return max_bytes;
	while (round-- > 0 && n < max_bytes)
		n *= 2;
	return n < max_bytes ? n : max_bytes;
}

/* What the file at path holds past at's offset: only the rounds' sizes
 * go by it, so a file replaced since (rotation) needs no care here. */
static int64_t bytes_behind(const char *path, const struct lg_tail_pos *at)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return (int64_t)st.st_size - (at->found ? at->offset : 0);
}

/*
 * Lines and offset of one path, a round (round_bytes) in a transaction
 * of its own, until it is read.  The rounds are a pipeline of three threads:
 * while the committer writes one round (chunk, group counts, offset;
 * much of it is waiting for the disk), the printer prints the next
 * round's bodies (JSON, about a third of a line's CPU) and this thread
 * reads the one after from where that one ends and prepares its events
 * (scrubbing, normalising, fingerprint).  Rounds commit in order, and a
 * round is handed to the committer only after the one before it
 * committed, so a failed commit drops the rounds read past it, and the
 * next check reads again from what was stored.  Preparing writes
 * nothing: the events of one round share their time, so the tally holds
 * them all.
 */
static void tail_path(struct lg_plugin *s, const char *path,
		      const struct lg_tail_opts *o)
{
	struct tail_run run = { .s = s, .path = path };
	struct tail_round job[3];
	struct lg_tail_opts ro = *o;
	struct lg_tail_pos at, pos;
	int rc, w, round, cur = 0, printing = -1, unreadable = 0;
	int64_t behind;
	size_t k;

	rc = lg_tail_load(H->db_sqlite(s->taildb), path, &at);
	behind = rc >= 0 ? bytes_behind(path, &at) : 0;
	for (round = 0; rc >= 0 && round < 1024 && !H->stopping(s->p); round++) {
		s->tail_ms = now_ms();
		ro.max_bytes = round_bytes(o->max_bytes, behind, round);
		rc = lg_tail_read(&at, path, &ro, tail_line, s, &pos);
		unreadable = rc == HINGE_EUNAVAIL;
		if (rc >= 0 && (w = spool_lines(s, path, &s->txn[cur])) < 0)
			rc = w;
		if (printing >= 0) {
			if ((w = lg_worker_wait(s->printer)) < 0)
				rc = w;
			pending_free(&s->txn[printing]);
			printing = -1;
		}
		if (rc < 0)
			break;
		job[cur] = (struct tail_round){ .run = &run, .txn = &s->txn[cur], .pos = pos };
		lg_worker_post(s->printer, print_round, &job[cur]);
		printing = cur;
		cur = (cur + 1) % 3;
		at = pos;
		if (rc == 0)
			break;
	}
	if (printing >= 0) {
		if ((w = lg_worker_wait(s->printer)) < 0)
			rc = w;
		pending_free(&s->txn[printing]);
	}
	if ((w = committed(&run)) < 0)
		rc = w;
	if (rc < 0) {
		lines_clear(s);
		for (k = 0; k < sizeof s->txn / sizeof s->txn[0]; k++)
			txn_free(&s->txn[k]);
		/* a full or failing state database is not the file's fault */
		if (unreadable)
			tail_failing(s, path, "cannot be read");
		else if (rc != HINGE_ENOMEM)
			tail_failing(s, path, "cannot be stored in the state database");
		return;
	}
	tail_failing(s, path, NULL);
}

static int svc_tail(void *data)
{
	struct lg_plugin *s = data;
	json_t *files = (json_t *)H->setting_json(s->p, "tail_files");
	struct lg_tail_opts o = {
		.start_at_end = !H->setting_bool(s->p, "tail_from_start"),
		.max_bytes = (size_t)H->setting_ms(s->p, "tail_max_bytes"),
		.rotate_wait_ms = H->setting_ms(s->p, "tail_rotate_wait"),
	};
	int64_t interval = H->setting_ms(s->p, "tail_interval");
	json_t *pat;
	size_t k, i;
	glob_t g;
	int rc;

	if (!s->taildb && (rc = H->db_open(s->p, &s->taildb)) < 0)
		return rc;
	if ((rc = lg_builder_start((int)H->setting_int(s->p, "tail_threads"), &s->builder)) < 0)
		return rc;
	if ((rc = lg_worker_start(&s->committer)) < 0 ||
	    (rc = lg_worker_start(&s->printer)) < 0) {
		lg_worker_stop(s->committer);
		s->committer = NULL;
		lg_builder_stop(s->builder);
		s->builder = NULL;
		return rc;
	}
	while (!H->stopping(s->p)) {
		json_array_foreach(files, k, pat) {
			if (!json_is_string(pat) ||
			    glob(json_string_value(pat), GLOB_NOCHECK, NULL, &g) != 0)
				continue;
			for (i = 0; i < g.gl_pathc; i++)
				tail_path(s, g.gl_pathv[i], &o);
			globfree(&g);
		}
		if (H->sleep_ms(s->p, interval) == HINGE_ECANCELED)
			break;
	}
	lg_builder_stop(s->builder);
	s->builder = NULL;
	lg_worker_stop(s->printer);
	s->printer = NULL;
	lg_worker_post(s->committer, commit_close, s);
	lg_worker_stop(s->committer);
	s->committer = NULL;
	return 0;
}

/* The tailer, when files are set and the pattern compiles. */
static int setup_tail(struct lg_plugin *s)
{
	const char *pattern = H->setting_str(s->p, "tail_pattern");
	struct hinge_service svc = { .name = "tail", .run = svc_tail, .data = s };
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE where;
	int err;

	if (!H->setting_json(s->p, "tail_files"))
		return 0;
	s->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0,
			      &err, &where, NULL);
	if (!s->re) {
		pcre2_get_error_message(err, msg, sizeof msg);
		H->log(s->p, HINGE_LOG_ERROR,
		       "tail_pattern: the expression does not compile at offset %zu: %s (%s); "
		       "the files are not tailed", (size_t)where, (char *)msg,
		       H->setting_where(s->p, "tail_pattern"));
		return 0;
	}
	/* without JIT matching still works, only slower */
	pcre2_jit_compile(s->re, PCRE2_JIT_COMPLETE);
	s->md = pcre2_match_data_create_from_pattern(s->re, NULL);
	s->failing = json_object();
	if (!s->md || !s->failing)
		return HINGE_ENOMEM;
	return H->register_service(s->p, &svc);
}

/* Where a metric looks back from: the window, or the stage if later. */
static int64_t window_start(struct lg_plugin *s, const struct hinge_mquery *q,
			    int64_t now)
{
	int64_t since = now - H->setting_ms(s->p, "metric_window");
	int64_t stage = H->mq_stage_start_ms(q);

	return stage > since ? stage : since;
}

static int m_errors_per_minute(void *data, const struct hinge_mquery *q,
			       double *out)
{
	struct lg_plugin *s = data;
	struct hinge_db *db = thread_db(s);
	int64_t now = now_ms(), since = window_start(s, q, now), n;

	if (!db)
		return HINGE_EUNAVAIL;
	n = lg_errors_since(H->db_sqlite(db), since, H->mq_label(q, "source"));
	if (n < 0)
		return (int)n;
	*out = (double)n * 60000.0 / (double)(now - since > 1000 ? now - since : 1000);
	return 0;
}

static int m_new_groups(void *data, const struct hinge_mquery *q, double *out)
{
	struct lg_plugin *s = data;
	struct hinge_db *db = thread_db(s);
	int64_t since = H->mq_rollout_start_ms(q), n;

	if (!db)
		return HINGE_EUNAVAIL;
	if (since <= 0)
		since = now_ms() - H->setting_ms(s->p, "metric_window");
	n = lg_groups_since(H->db_sqlite(db), since, H->mq_label(q, "source"));
	if (n < 0)
		return (int)n;
	*out = (double)n;
	return 0;
}

/* Failed rows over all rows changed in the window: the PostgreSQL source
 * is the one that knows both. */
static int m_error_rate(void *data, const struct hinge_mquery *q, double *out)
{
	struct lg_plugin *s = data;
	int64_t since = window_start(s, q, now_ms());
	const char *params[2];
	char since_us[24], *sql = NULL;
	PGresult *res = NULL;
	void *conn = NULL;
	double errors, all;
	int rc;

	rc = H->pg_connect(s->p, H->setting_str(s->p, "pg_conninfo"), &conn);
	if (rc < 0)
		return rc;
	rc = lg_pg_rate_query(conn, &s->pg, &sql);
	if (rc == 0) {
		snprintf(since_us, sizeof since_us, "%lld", (long long)since * 1000);
		params[0] = s->pg.status_value;
		params[1] = since_us;
		res = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
		rc = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ?
			0 : HINGE_EUNAVAIL;
	}
	if (rc == 0) {
		errors = strtod(PQgetvalue(res, 0, 0), NULL);
		all = strtod(PQgetvalue(res, 0, 1), NULL);
		if (all > 0)
			*out = errors / all;
		else
			rc = HINGE_ENODATA;
	}
	PQclear(res);
	free(sql);
	PQfinish(conn);
	return rc;
}

static int cmd_errors(void *data, struct hinge_command *cmd, int argc, char **argv)
{
	struct lg_plugin *s = data;
	struct hinge_db *db = thread_db(s);

	if (!db) {
		fprintf(stderr, "hinge: errors: the state database cannot be opened\n");
		return 5;
	}
	return lg_cmd_errors(H, cmd, H->db_sqlite(db), now_ms(), argc, argv);
}

static int register_metrics(struct lg_plugin *s)
{
	const struct hinge_metric m[] = {
		{ "errors_per_minute", "errors captured per minute over metric_window"
		  " or since the stage started {source=agent|pg|file}",
		  m_errors_per_minute, s, NULL },
		{ "new_groups", "error groups first seen since the rollout started"
		  " {source=...}", m_new_groups, s, NULL },
		{ "error_rate", "failed rows over all rows of pg_table changed over"
		  " metric_window or since the stage started", m_error_rate, s, NULL },
	};
	const struct hinge_cmd c = {
		"errors", LG_ERRORS_USAGE, "the recurring errors, most frequent first",
		cmd_errors, s, NULL,
	};
	size_t k, n = H->setting_str(s->p, "pg_conninfo") ? 3 : 2;
	int rc = 0;

	for (k = 0; k < n && rc == 0; k++)
		rc = H->register_metric(s->p, &m[k]);
	return rc == 0 ? H->register_command(s->p, &c) : rc;
}

static void add_sink(struct lg_plugin *s, const char *name, int per_request, int batch,
		     size_t max_bytes, size_t max_event, double sample,
		     int (*send)(void *, const struct lg_item *, size_t, int64_t,
				 struct lg_reply *), void *ctx)
{
	struct lg_sink *k = &s->sinks[s->nsinks];

	k->name = name;
	k->per_request = per_request;
	k->batch = batch;
	k->max_bytes = max_bytes;
	k->max_event_bytes = max_event;
	k->backoff_initial_ms = H->setting_ms(s->p, "backoff_initial");
	k->backoff_max_ms = H->setting_ms(s->p, "backoff_max");
	k->send = send;
	k->ctx = ctx;
	s->actions.names[s->nsinks] = name;
	s->actions.rates[s->nsinks] = sample;
	s->on[s->nsinks] = 1;
	s->sample[s->nsinks++] = sample;
	s->actions.n = s->nsinks;
}

static void clear_free(char *secret)
{
	if (secret) {
		memset(secret, 0, strlen(secret));
		free(secret);
	}
}

/* Sentry, when a DSN file is set; a bad one is reported and skipped. */
static void setup_sentry(struct lg_plugin *s, const struct lg_http_opts *http)
{
	struct lg_sentry_ctx *c = &s->sentry;
	char *dsn = NULL;
	int rc;

	if (!H->setting_str(s->p, "sentry_dsn"))
		return;
	if (H->secret_read(s->p, "sentry_dsn", &dsn) < 0)
		return;
	rc = lg_dsn_parse(dsn, &c->dsn);
	clear_free(dsn);
	if (rc < 0 || !lg_http_url_allowed(c->dsn.envelope_url)) {
		H->log(s->p, HINGE_LOG_ERROR,
		       "sentry_dsn: the file %s does not hold a usable DSN; Sentry is off",
		       H->setting_str(s->p, "sentry_dsn"));
		lg_dsn_free(&c->dsn);
		return;
	}
	c->auth = lg_sentry_auth(&c->dsn, LG_VERSION);
	c->opts.environment = H->setting_str(s->p, "sentry_environment");
	c->opts.release = H->setting_str(s->p, "sentry_release");
	c->http = *http;
	if (c->auth)
		add_sink(s, "sentry", 1, s->batch, 0, 1024 * 1024,
			 H->setting_double(s->p, "sentry_sample_rate"),
			 lg_sentry_send, c);
}

static void setup_loggly(struct lg_plugin *s, const struct lg_http_opts *http)
{
	struct lg_loggly_ctx *c = &s->loggly;
	char *token = NULL;

	if (!H->setting_str(s->p, "loggly_token"))
		return;
	if (H->secret_read(s->p, "loggly_token", &token) < 0)
		return;
	if (!*token || strspn(token, "0123456789abcdefABCDEF-") != strlen(token)) {
		H->log(s->p, HINGE_LOG_ERROR,
		       "loggly_token: the file %s does not hold a Loggly token; Loggly is off",
		       H->setting_str(s->p, "loggly_token"));
		clear_free(token);
		return;
	}
	c->url = lg_loggly_url(H->setting_str(s->p, "loggly_url"), token,
			       H->setting_str(s->p, "loggly_tags"));
	clear_free(token);
	if (c->url && !lg_http_url_allowed(c->url)) {
		H->log(s->p, HINGE_LOG_ERROR,
		       "loggly_url: plain http is allowed only to loopback addresses; Loggly is off");
		clear_free(c->url);
		c->url = NULL;
	}
	c->http = *http;
	if (c->url)
		add_sink(s, "loggly", 10000, s->batch,
			 (size_t)H->setting_ms(s->p, "loggly_max_bytes"), 1024 * 1024,
			 H->setting_double(s->p, "loggly_sample_rate"),
			 lg_loggly_send, c);
}

static int read_settings(struct lg_plugin *s)
{
	const char *v = H->setting_str(s->p, "min_level");
	struct lg_http_opts http;

	s->min_level = lg_level_parse(v);
	if (s->min_level < 0) {
		H->log(s->p, HINGE_LOG_ERROR,
		       "min_level: \"%s\" is not a level (%s)", v ? v : "",
		       H->setting_where(s->p, "min_level"));
		return HINGE_EINVAL;
	}
	v = H->setting_str(s->p, "hostname");
	if (v && *v && !lg_utf8_valid(v)) {
		H->log(s->p, HINGE_LOG_ERROR, "hostname: not valid UTF-8 (%s)",
		       H->setting_where(s->p, "hostname"));
		return HINGE_EINVAL;
	}
	if (v && *v)
		snprintf(s->hostname, sizeof s->hostname, "%s", v);
	else if (gethostname(s->hostname, sizeof s->hostname - 1) < 0 ||
		 !lg_utf8_valid(s->hostname))
		snprintf(s->hostname, sizeof s->hostname, "unknown");
	s->scrub = (H->setting_bool(s->p, "scrub_emails") ? LG_SCRUB_EMAIL : 0) |
		   (H->setting_bool(s->p, "scrub_ips") ? LG_SCRUB_IP : 0);
	s->cap = H->setting_int(s->p, "spool_max_events");
	s->batch = (int)H->setting_int(s->p, "batch_size");
	http.timeout_ms = H->setting_ms(s->p, "http_timeout");
	http.ca_bundle = H->http_ca_bundle(s->p);
	http.proxy = H->http_proxy(s->p);
	setup_sentry(s, &http);
	setup_loggly(s, &http);
	s->file.path = H->setting_str(s->p, "file_path");
	s->pg.table = H->setting_str(s->p, "pg_table");
	s->pg.id_col = H->setting_str(s->p, "pg_id_column");
	s->pg.time_col = H->setting_str(s->p, "pg_time_column");
	s->pg.message_col = H->setting_str(s->p, "pg_message_column");
	s->pg.type_col = H->setting_str(s->p, "pg_type_column");
	s->pg.status_col = H->setting_str(s->p, "pg_status_column");
	s->pg.status_value = H->setting_str(s->p, "pg_status_value");
	/* a local file has no request limit, and each of its batches costs
	 * an fdatasync: it takes a whole read at once */
	if (s->file.path && *s->file.path)
		add_sink(s, "file", 10000, READ_EVENTS, 0, 0,
			 H->setting_double(s->p, "file_sample_rate"),
			 lg_file_send, &s->file);
	return 0;
}

static void logging_fini(struct hinge_plugin *p);

static int logging_init(struct hinge_plugin *p, const struct hinge_host *host)
{
	struct lg_plugin *s = calloc(1, sizeof *s);
	struct hinge_sink sink = { .name = "logging", .deliver = sink_deliver };
	struct hinge_job job = { .name = "deliver", .run = job_deliver };
	int rc;

	if (!s)
		return HINGE_ENOMEM;
	H = host;
	s->p = p;
	if (pthread_key_create(&s->dbkey, close_thread_db) != 0) {
		free(s);
		return HINGE_ENOMEM;
	}
	host->plugin_data_set(p, s);
	rc = read_settings(s);
	if (rc < 0) {
		/* nothing is registered yet; fini is not called after a failed init */
		logging_fini(p);
		host->plugin_data_set(p, NULL);
		return rc;
	}
	sink.data = s;
	job.data = s;
	job.interval_ms = host->setting_ms(p, "flush_interval");
	rc = host->register_sink(p, &sink);
	if (rc == 0)
		rc = host->register_job(p, &job);
	if (rc == 0 && host->setting_str(p, "pg_conninfo")) {
		struct hinge_job pg = {
			.name = "pg_source", .run = job_pg, .data = s,
			.interval_ms = host->setting_ms(p, "pg_interval"),
		};

		rc = host->register_job(p, &pg);
	}
	if (rc == 0)
		rc = setup_tail(s);
	if (rc == 0)
		rc = register_metrics(s);
	if (rc == 0) {
		s->actions.host = host;
		s->actions.p = p;
		rc = lg_actions_register(&s->actions);
	}
	return rc;
}

static void logging_fini(struct hinge_plugin *p)
{
	struct lg_plugin *s = H->plugin_data_get(p);
	struct hinge_db *db;
	size_t k;

	if (!s)
		return;
	db = pthread_getspecific(s->dbkey);
	if (db) {
		pthread_setspecific(s->dbkey, NULL);
		H->db_close(db);
	}
	H->db_close(s->jobdb);
	H->db_close(s->pgdb);
	H->db_close(s->taildb);
	for (k = 0; k < sizeof s->txn / sizeof s->txn[0]; k++)
		txn_free(&s->txn[k]);
	lg_buf_free(&s->line_text);
	free(s->line_at);
	free(s->raws);
	free(s->built);
	pcre2_match_data_free(s->md);
	pcre2_code_free(s->re);
	json_decref(s->failing);
	if (s->pgconn)
		PQfinish(s->pgconn);
	lg_dsn_free(&s->sentry.dsn);
	free(s->sentry.auth);
	clear_free(s->loggly.url);
	free(s);
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "logging",
	.version = LG_VERSION,
	.description = "captures errors, groups them, reports them to Sentry and Loggly",
	.settings = settings,
	.migrations = lg_spool_migrations,
	.init = logging_init,
	.fini = logging_fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
