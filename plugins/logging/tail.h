/*
 * tail.h - following log files across rotation, with offsets kept in the
 * state database.
 *
 * A file is known by device, inode and a SHA-256 of its first bytes
 * (inodes are reused).  Each poll of a path compares what is there with
 * what was recorded:
 *   same file, grown          read on from the offset;
 *   same inode, shrunk or new first bytes   copytruncate: from 0;
 *   another file              renamed away: drain the old one (found by
 *                             device and inode beside it) from the offset,
 *                             then read the new one from 0.
 * Only complete lines are read; the offset moves past the last newline.
 * Lines and offset are stored together: the caller either holds a
 * transaction across lg_tail_poll and the spooling its callback does, or
 * gathers the lines with lg_tail_read and stores them and the position
 * with lg_tail_save in one transaction.  A caller may read on from the
 * position of lines it has not stored yet, as long as it stores them
 * in order and reads again from lg_tail_load once a store failed.
 */
#ifndef LOGGING_TAIL_H
#define LOGGING_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "group.h"

/* Bytes of a file's start its fingerprint covers (fewer while shorter). */
#define LG_TAIL_FP_BYTES 256
/* A longer line is cut to this many bytes. */
#define LG_TAIL_LINE_MAX 16384

/* Called for each complete line (no newline; not NUL-terminated). */
typedef int (*lg_line_fn)(void *ctx, const char *path, const char *line,
			  size_t len);

struct lg_tail_opts {
	int start_at_end; /* a path never seen before starts at its end */
	size_t max_bytes; /* most bytes of lines taken from one file per poll
			   * (one longer line is taken whole) */
	int64_t rotate_wait_ms; /* a file renamed away is followed until it is
				 * read to its end and unchanged this long:
				 * its writer may not have reopened the path */
};

/* What is known of a path: the file there and how far it was read. */
struct lg_tail_pos {
	int found; /* a record was stored */
	int64_t dev, ino, offset;
	int64_t fp_len;
	char fp[LG_FP_HEX + 1];
};

/* What is recorded for path into *rec (rec->found 0 when nothing is).
 * Returns 0 or HINGE_EUNAVAIL. */
int lg_tail_load(sqlite3 *db, const char *path, struct lg_tail_pos *rec);

/*
 * Read one path's new complete lines past *rec (what lg_tail_load gave,
 * or the *pos of the read before) into fn without writing anything; *pos
 * gets where the reading stopped, for lg_tail_save (in the transaction
 * that stores what fn made of the lines).  Returns as lg_tail_poll; *pos
 * means something only when it returns >= 0 (it may be written on failure).
 */
int lg_tail_read(const struct lg_tail_pos *rec, const char *path,
		 const struct lg_tail_opts *o, lg_line_fn fn, void *ctx,
		 struct lg_tail_pos *pos);

/* Record pos for path.  Returns 0 or HINGE_EUNAVAIL. */
int lg_tail_save(sqlite3 *db, const char *path, const struct lg_tail_pos *pos);

/*
 * Poll one path (lg_tail_read, then lg_tail_save): hand its new complete lines to fn and record where it
 * stopped.  Returns the number of lines read (>= 0), HINGE_EUNAVAIL when
 * the file cannot be read (the record is kept), or what fn returned when
 * it failed (<0).
 */
int lg_tail_poll(sqlite3 *db, const char *path, const struct lg_tail_opts *o,
		 lg_line_fn fn, void *ctx);

#endif
