/*
 * tally.c - per-transaction group counts.
 */
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "stmt.h"
#include "tally.h"

/* A sample's texts are copied into the memory the slot already holds,
 * grown when too small: a group's events follow each other by the
 * thousand, and two allocations per event showed. */
struct sample {
	char *event_id, *message;
	size_t id_cap, message_cap;
	int64_t time_ms;
};

struct lg_tally_group {
	char *fingerprint, *source, *type, *normalized;
	int64_t count, first_ms, last_ms;
	/* the latest LG_SAMPLES events, a ring; next is the slot to fill */
	struct sample ring[LG_SAMPLES];
	int64_t next;
	/* occurrences not yet in logging_hits: hit_n at hit_ms */
	int64_t hit_ms, hit_n;
};

static void group_free(struct lg_tally_group *g)
{
	int k;

	free(g->fingerprint);
	free(g->source);
	free(g->type);
	free(g->normalized);
	for (k = 0; k < LG_SAMPLES; k++) {
		free(g->ring[k].event_id);
		free(g->ring[k].message);
	}
	free(g);
}

/* FNV-1a over the first 16 bytes: a table index, not a digest, and the
 * hex digits of a SHA-256 are as good as random (all 64 of them, one
 * multiplication each, took 76 ns an event, 16 take 26). */
static size_t slot_of(const char *fp, size_t cap)
{
	uint64_t h = 1469598103934665603ULL;
	int k;

	for (k = 0; k < 16 && fp[k]; k++)
		h = (h ^ (unsigned char)fp[k]) * 1099511628211ULL;
	return (size_t)h & (cap - 1);
}

static struct lg_tally_group **find(struct lg_tally *t, const char *fp)
{
	size_t k = slot_of(fp, t->cap);

	while (t->slots[k] && strcmp(t->slots[k]->fingerprint, fp) != 0)
		k = (k + 1) & (t->cap - 1);
	return &t->slots[k];
}

/* Keep the table at most half full. */
static int grow(struct lg_tally *t)
{
	struct lg_tally_group **old = t->slots;
	size_t oldcap = t->cap, k;

	if (2 * (t->n + 1) <= t->cap)
		return 0;
	t->cap = oldcap ? 2 * oldcap : 64;
	t->slots = calloc(t->cap, sizeof *t->slots);
	if (!t->slots) {
		t->slots = old;
		t->cap = oldcap;
		return HINGE_ENOMEM;
	}
	for (k = 0; k < oldcap; k++)
		if (old[k])
			*find(t, old[k]->fingerprint) = old[k];
	free(old);
	return 0;
}

static int run_hit(sqlite3 *db, const char *fp, int64_t time_ms, int64_t n)
{
	sqlite3_stmt *s = lg_stmt(db, "INSERT INTO logging_hits (time_ms,"
				  " fingerprint, n) VALUES (?1, ?2, ?3)");
	int rc;

	if (!s)
		return HINGE_EUNAVAIL;
	sqlite3_bind_int64(s, 1, time_ms);
	sqlite3_bind_text(s, 2, fp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, n);
	rc = sqlite3_step(s);
	lg_stmt_done(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

static struct lg_tally_group *group_new(const struct lg_event *ev)
{
	struct lg_tally_group *g = calloc(1, sizeof *g);

	if (!g)
		return NULL;
	g->fingerprint = strdup(ev->fingerprint);
	g->source = strdup(ev->source);
	g->type = strdup(ev->type ? ev->type : "");
	g->normalized = strdup(ev->normalized);
	g->first_ms = g->last_ms = g->hit_ms = ev->time_ms;
	if (!g->fingerprint || !g->source || !g->type || !g->normalized) {
		group_free(g);
		return NULL;
	}
	return g;
}

/* Room for len bytes at *p, which holds *cap; what it holds is kept.
 * 0 or HINGE_ENOMEM. */
static int room(char **p, size_t *cap, size_t len)
{
	char *q;

	if (len <= *cap)
		return 0;
	if (!(q = realloc(*p, len)))
		return HINGE_ENOMEM;
	*p = q;
	*cap = len;
	return 0;
}

int lg_tally_add(sqlite3 *db, struct lg_tally *t, const struct lg_event *ev)
{
	struct lg_tally_group **at, *g;
	struct sample *sm;
	size_t id_len = strlen(ev->event_id) + 1, message_len = strlen(ev->message) + 1;

	if (grow(t) < 0)
		return HINGE_ENOMEM;
	at = find(t, ev->fingerprint);
	if (!*at) {
		*at = group_new(ev);
		if (!*at)
			return HINGE_ENOMEM;
		t->n++;
	}
	g = *at;
	sm = &g->ring[g->next % LG_SAMPLES];
	if (room(&sm->event_id, &sm->id_cap, id_len) < 0 ||
	    room(&sm->message, &sm->message_cap, message_len) < 0)
		return HINGE_ENOMEM;
	if (g->hit_n > 0 && g->hit_ms != ev->time_ms) {
		if (run_hit(db, g->fingerprint, g->hit_ms, g->hit_n) < 0)
			return HINGE_EUNAVAIL;
		g->hit_n = 0;
	}
	memcpy(sm->event_id, ev->event_id, id_len);
	memcpy(sm->message, ev->message, message_len);
	g->next++;
	sm->time_ms = ev->time_ms;
	g->hit_ms = ev->time_ms;
	g->hit_n++;
	g->count++;
	if (ev->time_ms < g->first_ms)
		g->first_ms = ev->time_ms;
	if (ev->time_ms > g->last_ms)
		g->last_ms = ev->time_ms;
	return 0;
}

/* The group row; *total gets its count afterwards. */
static int upsert_group(sqlite3 *db, const struct lg_tally_group *g,
			const char *sample, int64_t *total)
{
	sqlite3_stmt *s = lg_stmt(db,
		"INSERT INTO logging_groups (fingerprint, source, type,"
		" normalized, sample, count, first_ms, last_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT (fingerprint) DO UPDATE SET"
		" count = count + excluded.count, sample = excluded.sample,"
		" first_ms = min(first_ms, excluded.first_ms),"
		" last_ms = max(last_ms, excluded.last_ms) RETURNING count");
	int rc;

	if (!s)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, g->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, g->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, g->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, g->normalized, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sample, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, g->count);
	sqlite3_bind_int64(s, 7, g->first_ms);
	sqlite3_bind_int64(s, 8, g->last_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*total = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	lg_stmt_done(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

/* The k-th latest sample (0 the latest) is the group's (total - k)-th
 * event, kept in slot (total - k) % LG_SAMPLES as counting one by one
 * would have put it. */
static int write_samples(sqlite3 *db, const struct lg_tally_group *g,
			 int64_t total)
{
	int64_t k, kept = g->count < LG_SAMPLES ? g->count : LG_SAMPLES;
	int rc = 0;

	for (k = kept - 1; k >= 0 && rc == 0; k--) {
		const struct sample *sm = &g->ring[(g->next - 1 - k) % LG_SAMPLES];
		sqlite3_stmt *s = lg_stmt(db, "INSERT OR REPLACE INTO logging_samples"
			" (fingerprint, slot, seq, time_ms, event_id, message)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

		if (!s)
			return HINGE_EUNAVAIL;
		sqlite3_bind_text(s, 1, g->fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (total - k) % LG_SAMPLES);
		sqlite3_bind_int64(s, 3, total - k);
		sqlite3_bind_int64(s, 4, sm->time_ms);
		sqlite3_bind_text(s, 5, sm->event_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, sm->message, -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
		lg_stmt_done(s);
	}
	return rc;
}

static int flush_group(sqlite3 *db, const struct lg_tally_group *g)
{
	const char *latest = g->ring[(g->next - 1) % LG_SAMPLES].message;
	int64_t total = 0;
	int rc = upsert_group(db, g, latest, &total);

	if (rc == 0)
		rc = write_samples(db, g, total);
	if (rc == 0 && g->hit_n > 0)
		rc = run_hit(db, g->fingerprint, g->hit_ms, g->hit_n);
	return rc;
}

int lg_tally_flush(sqlite3 *db, struct lg_tally *t)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < t->cap; k++) {
		if (!t->slots[k])
			continue;
		if (rc == 0)
			rc = flush_group(db, t->slots[k]);
		group_free(t->slots[k]);
		t->slots[k] = NULL;
	}
	t->n = 0;
	return rc;
}

void lg_tally_free(struct lg_tally *t)
{
	size_t k;

	for (k = 0; k < t->cap; k++)
		if (t->slots[k])
			group_free(t->slots[k]);
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}
