/*
 * spool_read.c - reading the spool for a sink: the waiting events of its
 * chunks, in order, split without JSON parsing when their checksum holds
 * (see spool.c for the layout).
 */
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>
#include <jansson.h>

#include "chunk.h"
#include "pack.h"
#include "spool.h"
#include "stmt.h"

void lg_items_free(struct lg_item *items, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		free(items[k].mem);
	free(items);
}

/* The next line of [*p, end), NUL-terminated in place; "" past the end
 * (a row with fewer lines than events: corrupt). */
static char *next_line(char **p, char *end)
{
	char *line = *p, *nl;

	if (line >= end)
		return end;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = end;
	}
	return line;
}

/* How many lines next_line makes of [p, end). */
static size_t count_lines(const char *p, const char *end)
{
	size_t n = 0;
	const char *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
		n++;
	}
	return n;
}

/*
 * The body lines of a row whose checksum fails, and which event each
 * belongs to.  A byte of such a row turned into a newline, or a newline
 * lost, moves every line after it from its event's place; the plugin's
 * bodies carry their event ids, so each event finds its own body by id
 * rather than by place (sent to the wrong sink or lost otherwise).
 */
struct owned {
	const char *id; /* a body's event_id (in owner[]) */
	size_t line;    /* and its line */
};

struct loose {
	char **line;          /* every body line */
	char **owner;         /* its body's event_id (malloc'ed), or NULL */
	unsigned char *obj;   /* it is a JSON object */
	size_t n;
	struct owned *by_id;  /* the lines with an owner, sorted by it */
	size_t nid;
};

static int by_owner(const void *a, const void *b)
{
	return strcmp(((const struct owned *)a)->id, ((const struct owned *)b)->id);
}

static void loose_free(struct loose *l)
{
	size_t k;

	for (k = 0; k < l->n; k++)
		free(l->owner[k]);
	free(l->line);
	free(l->owner);
	free(l->obj);
	free(l->by_id);
}

/* Split [p, end) into l's lines in place and parse each once. */
static int loose_load(struct loose *l, char *p, char *end)
{
	size_t cap = count_lines(p, end) + 1, k;
	json_t *j;

	memset(l, 0, sizeof *l);
	l->line = calloc(cap, sizeof *l->line);
	l->owner = calloc(cap, sizeof *l->owner);
	l->obj = calloc(cap, 1);
	l->by_id = calloc(cap, sizeof *l->by_id);
	if (!l->line || !l->owner || !l->obj || !l->by_id)
		return HINGE_ENOMEM;
	while (p < end)
		l->line[l->n++] = next_line(&p, end);
	for (k = 0; k < l->n; k++) {
		j = json_loads(l->line[k], 0, NULL);
		l->obj[k] = json_is_object(j);
		if (json_string_value(json_object_get(j, "event_id"))) {
			l->owner[k] = strdup(json_string_value(json_object_get(j, "event_id")));
			if (!l->owner[k]) {
				json_decref(j);
				return HINGE_ENOMEM;
			}
			l->by_id[l->nid++] = (struct owned){ l->owner[k], k };
		}
		json_decref(j);
	}
	qsort(l->by_id, l->nid, sizeof *l->by_id, by_owner);
	return 0;
}

/* The body of event i (id) of a loose row; NULL when none is whole. */
static char *loose_body(const struct loose *l, size_t i, const char *id)
{
	size_t lo = 0, hi = l->nid, mid;
	int c;

	/* most lines are still in their place */
	if (i < l->n && l->obj[i] && (!l->owner[i] || strcmp(l->owner[i], id) == 0))
		return l->line[i];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(id, l->by_id[mid].id);
		if (c == 0)
			return l->obj[l->by_id[mid].line] ? l->line[l->by_id[mid].line] : NULL;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * Event i of a loose row of n events: its body (NULL when none is whole)
 * and *id, its line of the ids text.  That text is trusted only while it
 * holds one line per event (ids_aligned): a newline added or lost in it
 * moves the ids after it, and an event looked up by another's id would be
 * sent with that one's body while its own is never sent.  Then, while the
 * bodies still hold one line per event, the body at its place stands for
 * it, under the id that body carries (copied to *spare, past the row's
 * text, for the item to point at).
 */
static char *loose_event(const struct loose *l, size_t i, size_t n, int ids_aligned,
			 char **id, char **spare)
{
	size_t len;

	if (ids_aligned)
		return loose_body(l, i, *id);
	if (l->n != n || !l->obj[i] || !l->owner[i])
		return NULL;
	len = strlen(l->owner[i]);
	memcpy(*spare, l->owner[i], len + 1);
	*id = *spare;
	*spare += len + 1;
	return l->line[i];
}

/*
 * What a dead letter keeps of event i (id) of a loose row of n events,
 * which has no whole body: the line at its place while the bodies still
 * hold one line per event; else the broken line (not a JSON object) that
 * names it (the bodies carry their ids); else nothing (none): the line at
 * its place may then be another event's body, sent under that one's id.
 */
static char *loose_rest(const struct loose *l, size_t i, size_t n,
			const char *id, char *none)
{
	size_t k, len = strlen(id);
	char *at;

	if (l->n == n)
		return l->line[i];
	for (k = 0; len && k < l->n; k++)
		for (at = l->line[k]; !l->obj[k] && (at = strstr(at, id)); at++)
			if (at > l->line[k] && at[-1] == '"' && at[len] == '"')
				return l->line[k];
	return none;
}

/*
 * The bodies of the row s is on, into *bodies and *len: the column's text,
 * or the text of its packed blob (also into *unpacked, for the caller to
 * free; a damaged frame gives what it can, and sets *damaged).
 */
static int row_bodies(sqlite3_stmt *s, const char **bodies, size_t *len, char **unpacked,
		      int *damaged)
{
	*unpacked = NULL;
	*damaged = 0;
	if (sqlite3_column_type(s, 5) == SQLITE_BLOB) {
		const void *frame = sqlite3_column_blob(s, 5);
		size_t frame_len = (size_t)sqlite3_column_bytes(s, 5);
		int rc;

		/* an empty blob (damage: lg_pack makes none) is an empty frame */
		if ((!frame && frame_len > 0) ||
		    (rc = lg_unpack(frame ? frame : "", frame_len, unpacked, len)) < 0)
			return HINGE_ENOMEM;
		*damaged = rc > 0;
		*bodies = *unpacked;
		return 0;
	}
	*bodies = (const char *)sqlite3_column_text(s, 5);
	*len = (size_t)sqlite3_column_bytes(s, 5);
	return *bodies ? 0 : HINGE_ENOMEM;
}

/*
 * The events of the row s is on that wait (its bits), into v[*k..limit).
 * Its text is copied once and split in place.  A row whose checksum
 * matches was written whole by lg_spool_chunk, so its bodies are the JSON
 * objects it was given, each at its event's place; any other has each
 * body parsed and found by its id (loose_event), and an event without a
 * body that is a JSON object is marked malformed, with what loose_rest
 * finds of it for its dead letter.  The row's text (unpacked) is added
 * to *text.
 */
static int take_row(sqlite3_stmt *s, struct lg_item *v, size_t *k, size_t limit,
		    size_t *text)
{
	int64_t chunk = sqlite3_column_int64(s, 0);
	const unsigned char *bits = sqlite3_column_blob(s, 1);
	size_t nbits = (size_t)sqlite3_column_bytes(s, 1) * 8;
	int64_t attempts = sqlite3_column_int64(s, 2);
	int64_t n = sqlite3_column_int64(s, 3);
	const char *ids = (const char *)sqlite3_column_text(s, 4);
	size_t il = (size_t)sqlite3_column_bytes(s, 4);
	const char *bodies;
	size_t bl;
	const void *sum = sqlite3_column_blob(s, 6);
	int sl = sqlite3_column_bytes(s, 6);
	unsigned char want[LG_CHUNK_SUM];
	char *mem, *pi, *pb, *id, *body, *end, *spare, *unpacked;
	struct loose l = { 0 };
	size_t i, first = *k;
	int whole, damaged, ids_aligned, rc = 0;

	if (!ids || row_bodies(s, &bodies, &bl, &unpacked, &damaged) < 0)
		return HINGE_ENOMEM;
	*text += il + bl;
	/* the sum is over the bodies as stored: packed, when they are (a
	 * packed row from before that reads as loose, its events intact) */
	if (unpacked)
		lg_chunk_sum(ids, il, sqlite3_column_blob(s, 5),
			     (size_t)sqlite3_column_bytes(s, 5), want);
	else
		lg_chunk_sum(ids, il, bodies, bl, want);
	/* a sum over intact packed bytes does not vouch for a short unpacking */
	whole = !damaged && sum && sl == LG_CHUNK_SUM && memcmp(sum, want, sizeof want) == 0;
	/* a loose row may need room for the ids its bodies carry: never
	 * more than the bodies' text */
	mem = malloc(il + bl + 2 + (whole ? 0 : bl + 1));
	if (!mem) {
		free(unpacked);
		return HINGE_ENOMEM;
	}
	memcpy(mem, ids, il);
	mem[il] = '\0';
	memcpy(mem + il + 1, bodies, bl);
	free(unpacked);
	end = mem + il + 1 + bl;
	*end = '\0';
	spare = end + 1;
	pi = mem;
	pb = mem + il + 1;
	ids_aligned = !whole && count_lines(mem, mem + il) == (size_t)n;
	if (!whole)
		rc = loose_load(&l, pb, end);
	for (i = 0; rc == 0 && (int64_t)i < n && i < nbits && *k < limit; i++) {
		id = next_line(&pi, mem + il);
		body = whole ? next_line(&pb, end) :
		       loose_event(&l, i, (size_t)n, ids_aligned, &id, &spare);
		if (!lg_bit(bits, i))
			continue;
		v[*k] = (struct lg_item){
			.chunk = chunk, .index = i, .event_id = id,
			.body = body ? body : loose_rest(&l, i, (size_t)n, id, end),
			.attempts = attempts, .malformed = !body,
		};
		(*k)++;
	}
	loose_free(&l);
	if (rc == 0 && *k > first) {
		v[first].mem = mem;
	} else {
		free(mem);
		*k = first;
	}
	return rc;
}

int lg_spool_batch(sqlite3 *db, const char *sink, int limit, size_t max_text,
		   struct lg_item **items, size_t *n)
{
	sqlite3_stmt *s;
	struct lg_item *v;
	size_t k = 0, text = 0;
	int rc = SQLITE_DONE, err = 0;

	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	v = calloc((size_t)limit, sizeof *v);
	s = v ? lg_stmt(db, "SELECT p.chunk, p.bits, p.attempts, c.n, c.ids,"
			" c.bodies, c.sum, p.left FROM logging_pending p JOIN logging_chunks c"
			" ON c.id = p.chunk WHERE p.sink = ?1 ORDER BY p.chunk") : NULL;
	if (!s) {
		free(v);
		return v ? HINGE_EUNAVAIL : HINGE_ENOMEM;
	}
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	while (err == 0 && k < (size_t)limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* a row that does not fit is left whole for the next read:
		 * taking part of it would unpack it, check it and copy it
		 * again then */
		if (k > 0 && k + (size_t)sqlite3_column_int64(s, 7) > (size_t)limit)
			break;
		err = take_row(s, v, &k, (size_t)limit, &text);
		if (text >= max_text)
			break;
	}
	lg_stmt_done(s);
	if (err == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = HINGE_EUNAVAIL;
	if (err < 0 || k == 0) {
		lg_items_free(v, k);
		return err;
	}
	*items = v;
	*n = k;
	return 0;
}
