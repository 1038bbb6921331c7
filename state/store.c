/*
 * store.c - opening, migrating, checking and backing up the state
 * database.  Nothing here knows what a rollout is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hinge/plugin.h>

#include "agent/log.h"
#include "state/schema.h"
#include "state/state.h"

struct state {
	sqlite3 *db;
	char *path;
};

static int busy_timeout_ms = 5000;

void state_set_busy_timeout(int ms)
{
	__atomic_store_n(&busy_timeout_ms, ms, __ATOMIC_RELAXED);
}

int64_t state_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int state_schema_version(void)
{
	int n = 0;

	while (state_migrations[n] != NULL)
		n++;
	return n;
}

static int err_of(struct state *st, int rc, const char *what)
{
	int code = rc & 0xff;

	hlog(HINGE_LOG_ERROR, "hinge", "state database \"%s\": %s: %s", st->path,
	     what, sqlite3_errmsg(st->db));
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		return HINGE_EINVAL;
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return HINGE_EBUSY;
	return HINGE_EUNAVAIL;
}

static int exec(struct state *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : err_of(st, rc, what);
}

static int int_pragma(struct state *st, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
	}
	return rc == SQLITE_OK ? 0 : err_of(st, rc, "cannot read it");
}

int state_file_version(struct state *st)
{
	int v = -1;

	int_pragma(st, "PRAGMA user_version", &v);
	return v;
}

/* quick_check: "ok", or the first problem; a corrupt file is refused. */
static int check_integrity(struct state *st)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return err_of(st, rc, "integrity check failed");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		hlog(HINGE_LOG_ERROR, "hinge",
		     "state database \"%s\" is corrupt: %s; restore it from a backup (hinge state backup)",
		     st->path, rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0)
						: sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return HINGE_EINVAL;
	}
	sqlite3_finalize(s);
	return 0;
}

static int migrate(struct state *st, int seen)
{
	int to = state_schema_version(), from;
	char sql[64];

	if (seen == to)
		return 0;
	if (state_begin(st) != 0)
		return HINGE_EUNAVAIL;
	/* Another process may have migrated since we looked: look again. */
	if (int_pragma(st, "PRAGMA user_version", &from) != 0 || from == to) {
		state_rollback(st);
		return from == to ? 0 : HINGE_EUNAVAIL;
	}
	for (int v = from; v < to; v++) {
		if (exec(st, state_migrations[v], "migration failed") != 0) {
			state_rollback(st);
			return HINGE_EUNAVAIL;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", to);
	if (exec(st, sql, "cannot set its version") != 0 || state_commit(st) != 0) {
		state_rollback(st);
		return HINGE_EUNAVAIL;
	}
	if (from > 0)
		hlog(HINGE_LOG_NOTICE, "hinge", "state database \"%s\" upgraded from version %d to %d",
		     st->path, from, to);
	return 0;
}

/* Create the file ourselves so that it is 0600 from its first byte. */
static int create_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

/*
 * SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms ... between
 * looks at a lock.  Two threads that take turns at the write lock (the
 * log tailer's commits, the delivery job's) each lost milliseconds per
 * turn waiting for a lock held for less than one.  This one looks again
 * after 100 us, four times, then doubles the wait every four looks up to
 * 6.4 ms.  Like SQLite's, it counts the time by the looks (count is
 * SQLite's, per wait): the sleeps planned so far against busy_timeout.
 */
static int64_t busy_step_us(int count)
{
	return (int64_t)100 << (count / 4 < 6 ? count / 4 : 6);
}

static int64_t busy_slept_us(int count)
{
	int64_t slept = 0;
	int k;

	for (k = 0; k < 6 && 4 * (k + 1) <= count; k++)
		slept += 4 * ((int64_t)100 << k);
	return slept + (int64_t)(count - 4 * k) * ((int64_t)100 << k);
}

static int busy_wait(void *arg, int count)
{
	int64_t timeout = (int64_t)__atomic_load_n(&busy_timeout_ms, __ATOMIC_RELAXED) * 1000;
	int64_t slept = busy_slept_us(count), step = busy_step_us(count);
	struct timespec ts;

	(void)arg;
	if (slept >= timeout)
		return 0;
	if (step > timeout - slept)
		step = timeout - slept;
	ts.tv_sec = (time_t)(step / 1000000);
	ts.tv_nsec = (long)(step % 1000000) * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

static int open_file(struct state *st, int flags)
{
	int oflags = (flags & STATE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	int rc, err;

	if ((flags & STATE_CREATE) && !(flags & STATE_READONLY) && access(st->path, F_OK) != 0) {
		err = create_file(st->path);
		if (err != 0) {
			errno = -err;
			hlog(HINGE_LOG_ERROR, "hinge", "cannot create state database \"%s\": %m", st->path);
			return HINGE_EUNAVAIL;
		}
	} else if (access(st->path, F_OK) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "state database \"%s\" does not exist", st->path);
		return HINGE_EUNAVAIL;
	}
	rc = sqlite3_open_v2(st->path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return err_of(st, rc, "cannot open it");
	sqlite3_busy_handler(st->db, busy_wait, NULL);
	return 0;
}

static int prepare(struct state *st, int flags)
{
	int version, rc, wal = 0;
	sqlite3_stmt *s;

	if ((rc = int_pragma(st, "PRAGMA user_version", &version)) != 0)
		return rc;
	if (version > state_schema_version()) {
		hlog(HINGE_LOG_ERROR, "hinge",
		     "state database \"%s\" has schema version %d, newer than this Hinge's %d; refusing to use it (upgrade Hinge)",
		     st->path, version, state_schema_version());
		return HINGE_EINVAL;
	}
	if ((flags & STATE_CHECK) && (rc = check_integrity(st)) != 0)
		return rc;
	if (flags & STATE_READONLY)
		return 0;
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		hlog(HINGE_LOG_ERROR, "hinge", "state database \"%s\" is read-only", st->path);
		return HINGE_EUNAVAIL;
	}
	/* Switching a new file to WAL needs it to itself: retry while busy. */
	for (int64_t deadline = state_now_ms() + __atomic_load_n(&busy_timeout_ms, __ATOMIC_RELAXED); !wal;) {
		rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			if (sqlite3_step(s) == SQLITE_ROW)
				wal = strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
			sqlite3_finalize(s);
		}
		if (wal || (sqlite3_errcode(st->db) & 0xff) != SQLITE_BUSY || state_now_ms() > deadline)
			break;
		sqlite3_sleep(10);
	}
	if (!wal)
		return err_of(st, sqlite3_errcode(st->db) ? sqlite3_errcode(st->db) : SQLITE_CANTOPEN,
			      "cannot switch it to WAL");
	if ((rc = exec(st, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "cannot set pragmas")) != 0)
		return rc;
	return migrate(st, version);
}

int state_open(const char *path, int flags, struct state **out)
{
	struct state *st = calloc(1, sizeof(*st));
	int rc;

	if (st == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		return HINGE_ENOMEM;
	}
	rc = open_file(st, flags);
	if (rc == 0)
		rc = prepare(st, flags);
	if (rc != 0) {
		state_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void state_close(struct state *st)
{
	if (st == NULL)
		return;
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

void state_release_memory(struct state *st)
{
	if (st != NULL)
		sqlite3_db_release_memory(st->db);
}

sqlite3 *state_sqlite(struct state *st)
{
	return st->db;
}

const char *state_path(const struct state *st)
{
	return st->path;
}

int state_begin(struct state *st)
{
	return exec(st, "BEGIN IMMEDIATE", "cannot begin a transaction");
}

int state_commit(struct state *st)
{
	return exec(st, "COMMIT", "cannot commit");
}

void state_rollback(struct state *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The backup's own path must not be the database or one of its files. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/*
 * Copy into DEST.tmp beside it and rename over DEST at the end, so that
 * a failed backup leaves the previous one in place.
 */
int state_backup(struct state *st, const char *dest)
{
	char tmp[4200], wal[4200];
	sqlite3 *to;
	sqlite3_backup *b;
	int rc, fd;

	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (same_file(dest, st->path) || same_file(dest, wal)) {
		hlog(HINGE_LOG_ERROR, "hinge", "refusing to back up \"%s\" onto itself", st->path);
		return HINGE_EINVAL;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", dest);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "cannot create backup \"%s\": %m", tmp);
		return HINGE_EUNAVAIL;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		hlog(HINGE_LOG_ERROR, "hinge", "cannot open backup \"%s\": %s", tmp, sqlite3_errmsg(to));
		sqlite3_close(to);
		unlink(tmp);
		return HINGE_EUNAVAIL;
	}
	b = sqlite3_backup_init(to, "main", st->db, "main");
	if (b == NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "backup to \"%s\" failed: %s", dest, sqlite3_errmsg(to));
		sqlite3_close(to);
		unlink(tmp);
		return HINGE_EUNAVAIL;
	}
	/* Copy in slices so that writers are held up only briefly. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || sqlite3_close(to) != SQLITE_OK || rename(tmp, dest) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "backup to \"%s\" failed: %s", dest,
		     rc != SQLITE_DONE ? sqlite3_errstr(rc) : strerror(errno));
		if (rc != SQLITE_DONE)
			sqlite3_close(to);
		unlink(tmp);
		return HINGE_EUNAVAIL;
	}
	return 0;
}

static int exec_bind_i64(struct state *st, const char *sql, int64_t a)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return err_of(st, rc, "statement failed");
	sqlite3_bind_int64(s, 1, a);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : err_of(st, rc, "statement failed");
}

int state_prune(struct state *st, int64_t events_age_ms, int64_t samples_age_ms)
{
	int64_t now = state_now_ms();
	int rc = 0;

	if (events_age_ms > 0)
		rc = exec_bind_i64(st, "DELETE FROM events WHERE time_ms < ?", now - events_age_ms);
	if (rc == 0 && samples_age_ms > 0)
		rc = exec_bind_i64(st, "DELETE FROM samples WHERE time_ms < ?", now - samples_age_ms);
	return rc;
}

int state_plugin_migrate(struct state *st, const char *plugin,
			 const char *const *migrations)
{
	sqlite3_stmt *s;
	int have = 0, want = 0, rc;

	while (migrations != NULL && migrations[want] != NULL)
		want++;
	if (want == 0)
		return 0;
	if ((rc = state_begin(st)) != 0)
		return rc;
	sqlite3_prepare_v2(st->db, "SELECT version FROM plugin_schema WHERE plugin = ?", -1, &s, NULL);
	sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (have > want) {
		state_rollback(st);
		hlog(HINGE_LOG_ERROR, "hinge",
		     "plugin %s: its tables in \"%s\" have version %d, newer than the plugin's %d",
		     plugin, st->path, have, want);
		return HINGE_EINVAL;
	}
	for (int v = have; v < want; v++) {
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			hlog(HINGE_LOG_ERROR, "hinge", "plugin %s: migration %d failed: %s",
			     plugin, v + 1, sqlite3_errmsg(st->db));
			state_rollback(st);
			return HINGE_EINVAL;
		}
	}
	sqlite3_prepare_v2(st->db, "INSERT INTO plugin_schema (plugin, version) VALUES (?, ?)"
			   " ON CONFLICT (plugin) DO UPDATE SET version = excluded.version",
			   -1, &s, NULL);
	sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, want);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		state_rollback(st);
		return err_of(st, rc, "cannot record a plugin's schema version");
	}
	return state_commit(st);
}

int state_event_append(struct state *st, int64_t time_ms, int level,
		       const char *kind, const char *source,
		       const char *rollout_id, const char *message,
		       const char *actor, const char *reason,
		       const char *detail_json)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db,
		"INSERT INTO events (time_ms, level, kind, source, rollout_id, message, actor, reason, detail)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return err_of(st, rc, "cannot record an event");
	sqlite3_bind_int64(s, 1, time_ms);
	sqlite3_bind_int(s, 2, level);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rollout_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, message, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, detail_json, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : err_of(st, rc, "cannot record an event");
}

int state_sample_put(struct state *st, int64_t time_ms, const char *metric,
		     const char *labels_json, double value)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db,
		"INSERT INTO samples (time_ms, metric, labels, value) VALUES (?, ?, ?, ?)",
		-1, &s, NULL);

	if (rc != SQLITE_OK)
		return err_of(st, rc, "cannot record a sample");
	sqlite3_bind_int64(s, 1, time_ms);
	sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, labels_json, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : err_of(st, rc, "cannot record a sample");
}

int state_kv_get(struct state *st, const char *key, char **value)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "SELECT value FROM kv WHERE key = ?", -1, &s, NULL);

	*value = NULL;
	if (rc != SQLITE_OK)
		return err_of(st, rc, "cannot read a flag");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : err_of(st, rc, "cannot read a flag");
}

int state_kv_set(struct state *st, const char *key, const char *value)
{
	sqlite3_stmt *s;
	int rc;

	if (value == NULL)
		rc = sqlite3_prepare_v2(st->db, "DELETE FROM kv WHERE key = ?", -1, &s, NULL);
	else
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO kv (key, value) VALUES (?, ?)"
					" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
					-1, &s, NULL);
	if (rc != SQLITE_OK)
		return err_of(st, rc, "cannot set a flag");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : err_of(st, rc, "cannot set a flag");
}
