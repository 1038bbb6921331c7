/*
 * tail.c - the file tailer's reading and bookkeeping.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <hinge/plugin.h>

#include "group.h"
#include "tail.h"

/* SHA-256 of the first len bytes of fd, as hex; 0 or HINGE_EUNAVAIL. */
static int fingerprint(int fd, size_t len, char out[LG_FP_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[LG_TAIL_FP_BYTES], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, k;
	ssize_t n = pread(fd, buf, len, 0);

	if (n < 0 || (size_t)n != len)
		return HINGE_EUNAVAIL;
	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL))
		return HINGE_EUNAVAIL;
	for (k = 0; k < mdlen && k < LG_FP_HEX / 2; k++) {
		out[2 * k] = hex[md[k] >> 4];
		out[2 * k + 1] = hex[md[k] & 15];
	}
	out[LG_FP_HEX] = '\0';
	return 0;
}

static int rec_get(sqlite3 *db, const char *path, struct lg_tail_pos *r)
{
	sqlite3_stmt *s;
	int rc;

	memset(r, 0, sizeof *r);
	if (sqlite3_prepare_v2(db, "SELECT dev, ino, fp, fp_len, offset"
			       " FROM logging_tail WHERE path = ?1", -1, &s,
			       NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		r->found = 1;
		r->dev = sqlite3_column_int64(s, 0);
		r->ino = sqlite3_column_int64(s, 1);
		snprintf(r->fp, sizeof r->fp, "%s",
			 (const char *)sqlite3_column_text(s, 2));
		r->fp_len = sqlite3_column_int64(s, 3);
		r->offset = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

static int rec_set(sqlite3 *db, const char *path, const struct lg_tail_pos *r)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO logging_tail (path, dev, ino, fp,"
			       " fp_len, offset) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
			       " ON CONFLICT (path) DO UPDATE SET dev = excluded.dev,"
			       " ino = excluded.ino, fp = excluded.fp,"
			       " fp_len = excluded.fp_len, offset = excluded.offset",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r->dev);
	sqlite3_bind_int64(s, 3, r->ino);
	sqlite3_bind_text(s, 4, r->fp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->fp_len);
	sqlite3_bind_int64(s, 6, r->offset);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

/* Does fd start with the bytes r's fingerprint covers? */
static int same_start(int fd, int64_t size, const struct lg_tail_pos *r)
{
	char fp[LG_FP_HEX + 1];

	if (size < r->fp_len || fingerprint(fd, (size_t)r->fp_len, fp) < 0)
		return 0;
	return strcmp(fp, r->fp) == 0;
}

/* Record fd as the file at r, its fingerprint grown with the file. */
static int identify(int fd, const struct stat *st, struct lg_tail_pos *r)
{
	r->dev = (int64_t)st->st_dev;
	r->ino = (int64_t)st->st_ino;
	r->fp_len = st->st_size < LG_TAIL_FP_BYTES ? st->st_size : LG_TAIL_FP_BYTES;
	return fingerprint(fd, (size_t)r->fp_len, r->fp);
}

/*
 * Read complete lines of fd from *offset, hand them to fn and move
 * *offset past the last newline.  The lines handed add up to at most max
 * bytes (the caller's transaction is bounded by it), but for one line
 * longer than max, which is read whole.  Returns lines or <0.
 */
static int read_lines(int fd, const char *path, int64_t *offset, size_t max,
		      lg_line_fn fn, void *ctx)
{
	size_t cap = 1 << 16, have = 0, used = 0, start, k;
	char *buf = malloc(cap);
	int lines = 0, rc = 0, full = 0;
	ssize_t n;

	if (!buf)
		return HINGE_ENOMEM;
	while (rc == 0 && !full && used < max) {
		n = pread(fd, buf + have, cap - have, *offset + (int64_t)have);
		if (n < 0) {
			rc = HINGE_EUNAVAIL;
			break;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		start = 0;
		for (k = 0; k < have && rc == 0; k++) {
			if (buf[k] != '\n')
				continue;
			/* buf starts at *offset: taking this line uses k + 1 more */
			if (used + k + 1 > max && lines > 0) {
				full = 1;
				break;
			}
			rc = fn(ctx, path, buf + start,
				k - start > LG_TAIL_LINE_MAX ? LG_TAIL_LINE_MAX : k - start);
			lines++;
			start = k + 1;
		}
		if (rc < 0)
			break;
		*offset += (int64_t)start;
		used += start;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == cap && !full) {
			/* a line longer than the buffer: its start, once it ends */
			char scan[4096], *nl = NULL;
			int64_t pos = *offset + (int64_t)have;

			while (!nl && (n = pread(fd, scan, sizeof scan, pos)) > 0) {
				nl = memchr(scan, '\n', (size_t)n);
				pos += nl ? (nl - scan) + 1 : n;
			}
			if (!nl || (lines > 0 && used + (size_t)(pos - *offset) > max))
				break;
			rc = fn(ctx, path, buf, LG_TAIL_LINE_MAX);
			lines++;
			used += (size_t)(pos - *offset);
			*offset = pos;
			have = 0;
		}
	}
	free(buf);
	return rc < 0 ? rc : lines;
}

/* The file beside path that has r's device and inode, opened; -1 if gone. */
static int find_renamed(const char *path, const struct lg_tail_pos *r)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd = -1;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	d = opendir(dir);
	if (!d)
		return -1;
	while (fd < 0 && (e = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
		    (int64_t)st.st_dev != r->dev || (int64_t)st.st_ino != r->ino)
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && !same_start(fd, st.st_size, r)) {
			close(fd);
			fd = -1;
		}
	}
	closedir(d);
	return fd;
}

/*
 * Is the renamed file fd still to be followed: complete lines left past
 * offset (a poll takes at most max_bytes), or written to less than
 * wait_ms ago (a writer that holds it open has not reopened the path
 * yet: logrotate renames, then signals)?  Only then do its lines give
 * way to the new file's.
 */
static int keep_renamed(int fd, int64_t offset, int64_t wait_ms)
{
	struct timespec now;
	struct stat st;
	char buf[4096];
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	if ((int64_t)(now.tv_sec - st.st_mtim.tv_sec) * 1000 +
	    (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000 < wait_ms)
		return 1;
	while ((n = pread(fd, buf, sizeof buf, offset)) > 0) {
		if (memchr(buf, '\n', (size_t)n))
			return 1;
		offset += n;
	}
	return 0;
}

int lg_tail_load(sqlite3 *db, const char *path, struct lg_tail_pos *rec)
{
	return rec_get(db, path, rec);
}

int lg_tail_read(const struct lg_tail_pos *rec, const char *path,
		 const struct lg_tail_opts *o, lg_line_fn fn, void *ctx,
		 struct lg_tail_pos *pos)
{
	struct lg_tail_pos r = *rec, now;
	struct stat st;
	int fd, old, rc, lines = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return HINGE_EUNAVAIL;
	}
	now = r;
	if (!r.found) {
		now.offset = o->start_at_end ? st.st_size : 0;
	} else if ((int64_t)st.st_dev == r.dev && (int64_t)st.st_ino == r.ino) {
		if (st.st_size < r.offset || !same_start(fd, st.st_size, &r))
			now.offset = 0; /* copytruncate */
	} else {
		old = find_renamed(path, &r);
		if (old >= 0) {
			int keep = 0;

			rc = read_lines(old, path, &r.offset, o->max_bytes, fn, ctx);
			if (rc >= 0)
				keep = keep_renamed(old, r.offset, o->rotate_wait_ms);
			close(old);
			if (rc < 0 || keep) {
				/* the record stays on the old file, further on */
				close(fd);
				*pos = r;
				return rc;
			}
			lines += rc;
		}
		now.offset = 0;
	}
	rc = read_lines(fd, path, &now.offset, o->max_bytes, fn, ctx);
	if (rc >= 0) {
		lines += rc;
		rc = identify(fd, &st, &now);
	}
	close(fd);
	now.found = 1; /* as lg_tail_load will find it once it is saved */
	*pos = now;
	return rc < 0 ? rc : lines;
}

int lg_tail_save(sqlite3 *db, const char *path, const struct lg_tail_pos *pos)
{
	return rec_set(db, path, pos);
}

int lg_tail_poll(sqlite3 *db, const char *path, const struct lg_tail_opts *o,
		 lg_line_fn fn, void *ctx)
{
	struct lg_tail_pos rec, pos;
	int rc = lg_tail_load(db, path, &rec);

	if (rc >= 0)
		rc = lg_tail_read(&rec, path, o, fn, ctx, &pos);
	if (rc >= 0 && lg_tail_save(db, path, &pos) < 0)
		return HINGE_EUNAVAIL;
	return rc;
}
