/*
 * hinge/plugin.h - the Hinge plugin ABI.
 *
 * A plugin is a shared object that exports exactly one function,
 * hinge_plugin_entry(), returning a const struct hinge_abi.  The loader
 * compares the block's size, major and minor with its own before it calls
 * anything else, and names the field that differs.
 *
 * The host hands the plugin a const struct hinge_host: a table of host
 * functions that only ever grows at its end.  A plugin built against an
 * older header sees a smaller table; before it calls a member added after
 * ABI 1.0 it checks host->size with HINGE_HOST_HAS().
 *
 * Ownership rules, everywhere in this file:
 *   - strings and JSON a host function returns are borrowed: valid until
 *     the call that handed them out returns (or, for settings, until the
 *     plugin's fini), never freed by the plugin;
 *   - user data registered with a callback travels with its own free
 *     function; the host calls it once, when the registration ends;
 *   - plugins never allocate or sizeof a host structure: all of them are
 *     opaque and reached through this table.
 *
 * Return values: 0 on success, a negative HINGE_E* code on failure; the
 * message goes to host->log (or host->step_error for a step) at the place
 * that knows the context, once.
 *
 * This header needs nothing from the Hinge tree but itself; build a plugin
 * with `pkg-config --cflags hinge`.
 */
#ifndef HINGE_PLUGIN_H
#define HINGE_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HINGE_ABI_MAJOR 1 /* bumped when an existing member changes */
#define HINGE_ABI_MINOR 4 /* bumped when a member is appended */

/* Error codes.  Stable; never renumbered.  Each maps to an exit status. */
#define HINGE_OK 0
#define HINGE_EFAIL (-1)    /* ran and failed (exit 1) */
#define HINGE_EINVAL (-2)   /* bad usage, config or input (exit 2) */
#define HINGE_EBUSY (-3)    /* held by someone else (exit 3) */
#define HINGE_EOPERATOR (-4)/* needs an operator (exit 4) */
#define HINGE_EUNAVAIL (-5) /* a server, file or service is unreachable (exit 5) */
#define HINGE_ENOMEM (-6)   /* out of memory (exit 5) */
#define HINGE_ENODATA (-7)  /* metric: no data yet; a gate counts it inconclusive */
#define HINGE_ECANCELED (-8)/* the operation was cancelled (shutdown, abort) */
/* apply only (ABI 1.3): not yet; the engine waits as host->step_retry_after
 * said, acting on operator requests, then calls apply again */
#define HINGE_ENOTYET (-9)

/* Log levels, as syslog orders them. */
enum hinge_log_level {
	HINGE_LOG_ERROR = 3,
	HINGE_LOG_WARNING = 4,
	HINGE_LOG_NOTICE = 5,
	HINGE_LOG_INFO = 6,
	HINGE_LOG_DEBUG = 7,
};

/*
 * Typed settings and parameters.  A plugin declares its settings (in the
 * ABI block) and each action's parameters (in struct hinge_action) as a
 * table ending with a { NULL } row.  The host parses, checks types and
 * ranges, rejects unknown keys with file:line and a "did you mean", applies
 * defaults, and documents them in hinge.conf(5) from the same table.
 */
enum hinge_type {
	HINGE_T_STRING = 1, /* a string */
	HINGE_T_INT,        /* a 64-bit integer; min/max checked */
	HINGE_T_DOUBLE,     /* a number; min/max checked */
	HINGE_T_BOOL,       /* true or false */
	HINGE_T_DURATION,   /* "250ms", "30s", "5m", "2h", "1d"; read in ms */
	HINGE_T_SIZE,       /* "512", "64k", "10M", "1G"; read in bytes */
	HINGE_T_STRINGS,    /* a list or array of strings */
	HINGE_T_SECRET,     /* a path to a file holding a secret (mode 0600) */
	HINGE_T_JSON,       /* any value or group; the plugin checks its shape */
};

#define HINGE_P_REQUIRED 0x1 /* no default: the key must be given */

struct hinge_setting {
	const char *key;
	enum hinge_type type;
	unsigned flags;          /* HINGE_P_* */
	const char *def;         /* default as text, NULL for none */
	double min, max;         /* range for INT/DOUBLE/DURATION/SIZE; 0,0 = any */
	const char *description; /* one line for hinge.conf(5) and `plan` */
};

/* Opaque handles; see the ownership rules above. */
struct hinge_plugin;  /* one loaded plugin */
struct hinge_step;    /* one action step of a rollout, during a callback */
struct hinge_mquery;  /* one metric read: labels and rollout context */
struct hinge_command; /* one invocation of an operator subcommand */
struct hinge_db;      /* a connection to the state database */
struct hinge_json;    /* a jansson json_t; include <jansson.h> to use it */

/*
 * Actions: reversible steps a change file can name as "plugin.action".
 * Every callback gets the step; parameters, the artifact and messages go
 * through host functions on it.  Order during a rollout, each transition
 * committed to the state database before the next side effect:
 *   probe -> capture -> rehearse -> apply -> verify   (forward)
 *   probe -> revert                                   (back)
 */
#define HINGE_ACTION_IDEMPOTENT_APPLY 0x1  /* apply twice == apply once */
#define HINGE_ACTION_IDEMPOTENT_REVERT 0x2 /* revert twice == revert once */
#define HINGE_ACTION_NO_INVERSE 0x4        /* the step must say irreversible */

struct hinge_action {
	const char *name;                    /* "add_column" */
	const struct hinge_setting *params;  /* the `with` table */
	unsigned flags;                      /* HINGE_ACTION_* */
	void *data;                          /* passed back as `data` */

	/*
	 * check: validate parameters against the live system (exit 2 before
	 * anything is applied when it fails), add lint findings and set the
	 * inverse description and lock target.  Called by `plan` and `start`.
	 * May be NULL.
	 */
	int (*check)(void *data, struct hinge_step *st);
	/* probe: 1 when the step's effect is in place, 0 when not, or <0. */
	int (*probe)(void *data, struct hinge_step *st);
	/* capture: record what revert needs with host->artifact_set. */
	int (*capture)(void *data, struct hinge_step *st);
	/* rehearse: prove the artifact works without touching live state. */
	int (*rehearse)(void *data, struct hinge_step *st);
	/* apply: make the change.  May report progress. */
	int (*apply)(void *data, struct hinge_step *st);
	/* verify: check the change against the live system. */
	int (*verify)(void *data, struct hinge_step *st);
	/* revert: undo with the artifact (host->artifact_get). NULL if none. */
	int (*revert)(void *data, struct hinge_step *st);
};

/* Lint finding severities. */
enum hinge_severity { HINGE_SEV_INFO = 1, HINGE_SEV_WARNING, HINGE_SEV_ERROR };

/*
 * Metrics: numbers a gate can test.  read() stores the value in *out and
 * returns 0, or HINGE_ENODATA when there is nothing to read yet, or
 * another negative code when it cannot be read; both make a gate's
 * evaluation inconclusive, never a pass.
 */
struct hinge_metric {
	const char *name;        /* "error_rate"; gates name "plugin.error_rate" */
	const char *description; /* one line for `hinge metrics` */
	int (*read)(void *data, const struct hinge_mquery *q, double *out);
	void *data;
	void (*free)(void *data);
};

/* Jobs: periodic work.  A failing job backs off to ten times its interval. */
struct hinge_job {
	const char *name;
	int64_t interval_ms;
	int (*run)(void *data);
	void *data;
	void (*free)(void *data);
};

/*
 * Services: long-running work in a thread of its own (a tailer, a
 * listener, an HTTP endpoint).  run() returns when host->stopping() says
 * so; stop(), if set, is called from another thread to wake it.
 */
struct hinge_service {
	const char *name;
	int (*run)(void *data);
	void (*stop)(void *data);
	void *data;
	void (*free)(void *data);
};

/*
 * Operator subcommands: `hinge NAME ARGS...`.  run() returns an exit
 * status (0-5).  With --json it prints exactly one document on stdout
 * through host->cmd_print_json; otherwise text for people on stdout.
 */
struct hinge_cmd {
	const char *name;        /* "errors" */
	const char *usage;       /* "errors top [--since 24h] | show FINGERPRINT" */
	const char *description; /* one line for hinge(1) */
	int (*run)(void *data, struct hinge_command *cmd, int argc, char **argv);
	void *data;
	void (*free)(void *data);
};

/*
 * Event sinks: receive every event the agent raises (rollout transitions,
 * errors and warnings the agent and plugins log, plugin events) as one
 * JSON object text: {"time","level","kind","source","message",
 * "rollout","detail"}.  deliver() must not block: it spools and returns.
 * It runs in the thread that raised the event.
 */
struct hinge_sink {
	const char *name;
	int (*deliver)(void *data, const char *event_json);
	void *data;
	void (*free)(void *data);
};

/* The host table. */
struct hinge_host {
	uint32_t size; /* sizeof(struct hinge_host) as the host built it */
	uint16_t major, minor;

	/* --- logging -------------------------------------------------- */
	/* Log a message as the plugin.  Secrets must not be passed. */
	void (*log)(struct hinge_plugin *p, enum hinge_log_level level,
		    const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* --- settings ------------------------------------------------- */
	/* The value of a declared setting, with its default applied.  A key
	 * the plugin did not declare is a programming error: it logs and
	 * returns the zero value. */
	const char *(*setting_str)(struct hinge_plugin *p, const char *key);
	int64_t (*setting_int)(struct hinge_plugin *p, const char *key);
	double (*setting_double)(struct hinge_plugin *p, const char *key);
	int (*setting_bool)(struct hinge_plugin *p, const char *key);
	/* DURATION in ms, SIZE in bytes. */
	int64_t (*setting_ms)(struct hinge_plugin *p, const char *key);
	/* STRINGS and JSON settings as a borrowed json_t (array, object,
	 * string, number); NULL when unset. */
	struct hinge_json *(*setting_json)(struct hinge_plugin *p, const char *key);
	/* "file:line" of a setting, for messages; "" when it has none. */
	const char *(*setting_where)(struct hinge_plugin *p, const char *key);
	/*
	 * Read the secret file named by a SECRET setting into a malloc'ed,
	 * NUL-terminated string with trailing newlines cut; the caller frees
	 * it (and should clear it).  A file readable by group or others is
	 * refused (HINGE_EINVAL), as ssh does.
	 */
	int (*secret_read)(struct hinge_plugin *p, const char *key, char **out);
	/* The CA bundle and proxy every plugin's HTTP uses; NULL when unset. */
	const char *(*http_ca_bundle)(struct hinge_plugin *p);
	const char *(*http_proxy)(struct hinge_plugin *p);

	/* --- registration (during init only) -------------------------- */
	int (*register_action)(struct hinge_plugin *p, const struct hinge_action *a);
	int (*register_metric)(struct hinge_plugin *p, const struct hinge_metric *m);
	int (*register_job)(struct hinge_plugin *p, const struct hinge_job *j);
	int (*register_service)(struct hinge_plugin *p, const struct hinge_service *s);
	int (*register_command)(struct hinge_plugin *p, const struct hinge_cmd *c);
	int (*register_sink)(struct hinge_plugin *p, const struct hinge_sink *s);

	/* The plugin's own pointer, kept by the host for fini and reload. */
	void (*plugin_data_set)(struct hinge_plugin *p, void *data);
	void *(*plugin_data_get)(struct hinge_plugin *p);

	/* --- state database ------------------------------------------- */
	/*
	 * A new connection to the state database, with the host's pragmas
	 * and busy timeout, for the calling thread; close with db_close.
	 * The plugin's tables exist (its migrations ran at start).
	 * db_sqlite() returns the sqlite3 * behind it.
	 */
	int (*db_open)(struct hinge_plugin *p, struct hinge_db **out);
	void *(*db_sqlite)(struct hinge_db *db);
	int (*db_begin)(struct hinge_db *db);  /* BEGIN IMMEDIATE, retried */
	int (*db_commit)(struct hinge_db *db);
	void (*db_rollback)(struct hinge_db *db);
	void (*db_close)(struct hinge_db *db);

	/* --- PostgreSQL ----------------------------------------------- */
	/*
	 * Connect with a conninfo (URI or key=value): the password comes from
	 * the password file or PGPASSFILE, never from config text; a host that
	 * is not local gets sslmode=verify-full unless the conninfo sets it;
	 * application_name defaults to "hinge/<plugin>".  *conn is a PGconn *
	 * the caller closes with PQfinish.  HINGE_EUNAVAIL when unreachable
	 * or refused, HINGE_EINVAL when the conninfo does not parse.
	 */
	int (*pg_connect)(struct hinge_plugin *p, const char *conninfo, void **conn);
	/*
	 * Bring the plugin's tables in schema `hinge` of that database up to
	 * date: migrations[i] moves version i to i+1 (NULL-terminated), run
	 * in one transaction under an advisory lock; the schema and its
	 * version table are created by the host.
	 */
	int (*pg_migrate)(struct hinge_plugin *p, void *conn,
			  const char *const *migrations);

	/* Record a metric sample (kept for `retention`), labels as JSON
	 * object text or NULL. */
	int (*sample_put)(struct hinge_plugin *p, const char *metric,
			  const char *labels_json, double value);

	/*
	 * Raise an event: kind is "error", "alarm", ...; it is recorded in the
	 * event log and handed to every event sink (the logging plugin, the
	 * webhook).  detail is a JSON object text or NULL.
	 */
	int (*event)(struct hinge_plugin *p, enum hinge_log_level level,
		     const char *kind, const char *message, const char *detail_json);

	/*
	 * True once the agent is shutting down or, inside an action callback
	 * of a step with a timeout, once that timeout has passed: a long
	 * callback should ask and return HINGE_ECANCELED.  At that deadline
	 * the queries on connections the callback opened through pg_connect
	 * are cancelled too.  A callback still running the agent's
	 * callback_grace later ends the process, the agent's or the
	 * command's, with the rollout recorded as failed (rolling back, or
	 * paused with on_failure = "pause"; a stuck revert waits for an
	 * operator), for the next executor to carry on.
	 */
	int (*stopping)(struct hinge_plugin *p);

	/* Sleep up to ms, returning early (HINGE_ECANCELED) when stopping()
	 * becomes true. */
	int (*sleep_ms)(struct hinge_plugin *p, int64_t ms);

	/* --- steps (inside action callbacks) -------------------------- */
	/* A parameter of the step's `with`, default applied. */
	const char *(*param_str)(struct hinge_step *st, const char *key);
	int64_t (*param_int)(struct hinge_step *st, const char *key);
	double (*param_double)(struct hinge_step *st, const char *key);
	int (*param_bool)(struct hinge_step *st, const char *key);
	int64_t (*param_ms)(struct hinge_step *st, const char *key);
	/* 1 when the change file gave the key, 0 when the default applies. */
	int (*param_given)(struct hinge_step *st, const char *key);
	/* The step's name and the rollout's id ("" during plan). */
	const char *(*step_name)(struct hinge_step *st);
	const char *(*step_rollout)(struct hinge_step *st);
	/* Set the step's failure message (shown by status and events). */
	void (*step_error)(struct hinge_step *st, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	/* A lint finding: a stable code ("M001"), severity, text, safer form. */
	void (*step_finding)(struct hinge_step *st, const char *code,
			     enum hinge_severity sev, const char *message,
			     const char *hint);
	/* What revert will do, in words or SQL, for `plan`. */
	void (*step_inverse)(struct hinge_step *st, const char *text);
	/* What two rollouts must not touch at once ("pg:db/public.t"). */
	void (*step_lock_target)(struct hinge_step *st, const char *target);
	/* Progress of a long apply: done of total units. */
	void (*step_progress)(struct hinge_step *st, int64_t done, int64_t total);
	/* Store the artifact (copied; SHA-256 taken by the host). */
	int (*artifact_set)(struct hinge_step *st, const void *buf, size_t len);
	/* The stored artifact, checked against its SHA-256 first; borrowed. */
	int (*artifact_get)(struct hinge_step *st, const void **buf, size_t *len);
	/* A small durable checkpoint (e.g. a backfill's last key), kept with
	 * the step across crashes; NULL when none. */
	int (*checkpoint_set)(struct hinge_step *st, const char *text);
	const char *(*checkpoint_get)(struct hinge_step *st);

	/* --- metric queries (inside metric read) ---------------------- */
	/* A label of the gate condition, NULL when absent. */
	const char *(*mq_label)(const struct hinge_mquery *q, const char *key);
	/* Unix ms when the rollout / current stage started; 0 outside one. */
	int64_t (*mq_rollout_start_ms)(const struct hinge_mquery *q);
	int64_t (*mq_stage_start_ms)(const struct hinge_mquery *q);

	/* --- commands ------------------------------------------------- */
	int (*cmd_json)(struct hinge_command *c); /* 1 with --json */
	/* Print a json_t as the one document on stdout; steals the ref. */
	int (*cmd_print_json)(struct hinge_command *c, struct hinge_json *doc);

	/* --- rollouts (ABI 1.1; check with HINGE_HOST_HAS) ------------ */
	/*
	 * Walk the steps of rollout `id` in their order: each() gets a step's
	 * number (from 1), name, kind ("action", "pause" or "gate"), phase
	 * ("pending", "done", "failed", "reverted", ...) and when it started
	 * and ended, Unix ms, 0 when it has not (a reverted step ended when
	 * its revert did).  The strings are borrowed for that call.  A
	 * nonzero return from each() ends the walk and is returned.
	 * HINGE_EINVAL (logged) when there is no such rollout, HINGE_EUNAVAIL
	 * when the state database cannot be read.
	 */
	int (*rollout_steps)(struct hinge_plugin *p, const char *id,
			     int (*each)(void *arg, int number, const char *name,
					 const char *kind, const char *phase,
					 int64_t started_ms, int64_t ended_ms),
			     void *arg);

	/* --- appended in ABI 1.2 (check with HINGE_HOST_HAS) ---------- */
	/*
	 * The i-th label of the gate condition, counting from 0: its value,
	 * with its name in *key; NULL past the last.  So that a metric can
	 * refuse a label it does not know instead of ignoring it.
	 */
	const char *(*mq_label_at)(const struct hinge_mquery *q, size_t i, const char **key);

	/* --- appended in ABI 1.3 (check with HINGE_HOST_HAS) ---------- */
	/*
	 * Inside apply, before returning HINGE_ENOTYET (check HINGE_HOST_HAS
	 * first: an older host takes -9 for a failed apply): call apply again
	 * after ms (<= 0: the agent's request_poll), and why (shown by events
	 * and `rollout status`).  Apply must not have changed anything yet.
	 * The engine waits the way a gate does: an abort, rollback or pause
	 * gets through, the lease and the lock target stay held, and `rollout
	 * start` hands the wait over to a running agent.  While it waits the
	 * step is back in phase "rehearsed", so an abort finds nothing to
	 * revert.  The wait counts against the step's timeout from this
	 * executor's first call of apply; past it apply is not called again
	 * and the step fails with why.
	 */
	void (*step_retry_after)(struct hinge_step *st, int64_t ms, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* --- appended in ABI 1.4 (check with HINGE_HOST_HAS) ---------- */
	/*
	 * Run the plugin's job `name` now instead of at the end of its
	 * interval, or, when it is running, again as soon as that run ends;
	 * for work that comes in bursts (the logging plugin wakes its
	 * delivery once a batch is spooled).  A job whose last run failed
	 * keeps its back-off.  From any thread but not from a signal
	 * handler; outside `hinge agent` no job runs, and 0 is returned
	 * all the same.  HINGE_EINVAL (logged) when the plugin registered
	 * no such job, HINGE_ENOMEM when the wake cannot be noted.
	 */
	int (*job_wake)(struct hinge_plugin *p, const char *name);
};

/* True when the host table carries member m (for members after 1.0). */
#define HINGE_HOST_HAS(h, m) \
	((h)->size >= offsetof(struct hinge_host, m) + sizeof((h)->m))

/* The ABI block a plugin returns. */
struct hinge_abi {
	uint32_t size; /* sizeof(struct hinge_abi) */
	uint16_t major, minor;
	const char *name;        /* "migration": the config group and prefix */
	const char *version;     /* the plugin's own version */
	const char *description; /* one line */
	const struct hinge_setting *settings; /* ends with { NULL } */
	/*
	 * Versioned migrations of the plugin's own tables in the state
	 * database: migrations[i] brings the schema from version i to i+1;
	 * the array ends with NULL.  Table names start with the plugin name.
	 */
	const char *const *migrations;
	/* Register actions, metrics, jobs, services and commands. */
	int (*init)(struct hinge_plugin *p, const struct hinge_host *host);
	/*
	 * Re-read settings after SIGHUP (they changed already); may be NULL.
	 * Runs in the agent's main thread while the plugin's own jobs and
	 * services go on: what they share with it needs the plugin's care.
	 */
	int (*reload)(struct hinge_plugin *p);
	/* Release what init took; registered data is freed by the host. */
	void (*fini)(struct hinge_plugin *p);
};

#define HINGE_ENTRY_SYMBOL "hinge_plugin_entry"

/* Every plugin defines this, and exports nothing else. */
const struct hinge_abi *hinge_plugin_entry(void);

/* Fill the ABI header fields: HINGE_ABI_INIT, .name = ..., ... */
#define HINGE_ABI_INIT \
	.size = sizeof(struct hinge_abi), .major = HINGE_ABI_MAJOR, \
	.minor = HINGE_ABI_MINOR

#ifdef __cplusplus
}
#endif
#endif /* HINGE_PLUGIN_H */
