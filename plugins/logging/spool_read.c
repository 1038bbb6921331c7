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

static int json_object_text(const char *body)
{
	json_t *j = json_loads(body, 0, NULL);
	int ok = json_is_object(j);

	json_decref(j);
	return ok;
}

/*
 * The events of the row s is on that wait (its bits), into v[*k..limit).
 * Its text is copied once and split in place.  A row whose checksum
 * matches was written whole by lg_spool_chunk, so its bodies are the JSON
 * objects it was given; any other has each body parsed, and those that are
 * not JSON objects marked malformed.
 */
static int take_row(sqlite3_stmt *s, struct lg_item *v, size_t *k, size_t limit)
{
	int64_t chunk = sqlite3_column_int64(s, 0);
	const unsigned char *bits = sqlite3_column_blob(s, 1);
	size_t nbits = (size_t)sqlite3_column_bytes(s, 1) * 8;
	int64_t attempts = sqlite3_column_int64(s, 2);
	int64_t n = sqlite3_column_int64(s, 3);
	const char *ids = (const char *)sqlite3_column_text(s, 4);
	size_t il = (size_t)sqlite3_column_bytes(s, 4);
	const char *bodies = (const char *)sqlite3_column_text(s, 5);
	size_t bl = (size_t)sqlite3_column_bytes(s, 5);
	const void *sum = sqlite3_column_blob(s, 6);
	int sl = sqlite3_column_bytes(s, 6);
	unsigned char want[LG_CHUNK_SUM];
	char *mem, *pi, *pb, *id, *body;
	size_t i, first = *k;
	int whole;

	if (!ids || !bodies)
		return HINGE_ENOMEM;
	lg_chunk_sum(ids, il, bodies, bl, want);
	whole = sum && sl == LG_CHUNK_SUM && memcmp(sum, want, sizeof want) == 0;
	mem = malloc(il + bl + 2);
	if (!mem)
		return HINGE_ENOMEM;
	memcpy(mem, ids, il);
	mem[il] = '\0';
	memcpy(mem + il + 1, bodies, bl);
	mem[il + 1 + bl] = '\0';
	pi = mem;
	pb = mem + il + 1;
	for (i = 0; (int64_t)i < n && i < nbits && *k < limit; i++) {
		id = next_line(&pi, mem + il);
		body = next_line(&pb, mem + il + 1 + bl);
		if (!lg_bit(bits, i))
			continue;
		v[*k] = (struct lg_item){
			.chunk = chunk, .index = i, .event_id = id, .body = body,
			.attempts = attempts,
			.malformed = !whole && !json_object_text(body),
		};
		(*k)++;
	}
	if (*k > first)
		v[first].mem = mem;
	else
		free(mem);
	return 0;
}

int lg_spool_batch(sqlite3 *db, const char *sink, int limit,
		   struct lg_item **items, size_t *n)
{
	sqlite3_stmt *s;
	struct lg_item *v;
	size_t k = 0;
	int rc = SQLITE_DONE, err = 0;

	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	v = calloc((size_t)limit, sizeof *v);
	s = v ? lg_stmt(db, "SELECT p.chunk, p.bits, p.attempts, c.n, c.ids,"
			" c.bodies, c.sum FROM logging_pending p JOIN logging_chunks c"
			" ON c.id = p.chunk WHERE p.sink = ?1 ORDER BY p.chunk") : NULL;
	if (!s) {
		free(v);
		return v ? HINGE_EUNAVAIL : HINGE_ENOMEM;
	}
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	while (err == 0 && k < (size_t)limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		err = take_row(s, v, &k, (size_t)limit);
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
