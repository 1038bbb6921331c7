/*
 * fleet_store.c - the fleet tables in schema hinge and the state machine
 * over them.  Every change of a fleet rollout's state happens in a
 * transaction holding its row lock (SELECT ... FOR UPDATE).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "agent/config.h"
#include "agent/fleet.h"
#include "agent/fleet_gate.h"
#include "agent/fleet_pg.h"
#include "agent/fleet_waves.h"
#include "agent/log.h"
#include "agent/pg.h"

static const char *const fleet_migrations[] = {
	"CREATE TABLE hinge.fleet_hosts ("
	" host_id text PRIMARY KEY,"
	" labels jsonb NOT NULL DEFAULT '{}',"
	" version text NOT NULL,"
	" plugins jsonb NOT NULL DEFAULT '[]',"
	" instance text NOT NULL,"
	" registered_at timestamptz NOT NULL DEFAULT now(),"
	" last_heartbeat timestamptz NOT NULL DEFAULT now(),"
	" drained boolean NOT NULL DEFAULT false);"
	"CREATE TABLE hinge.fleet_rollouts ("
	" id text PRIMARY KEY,"
	" change_id text NOT NULL,"
	" change_text text NOT NULL,"
	" sha256 text NOT NULL,"
	" waves text NOT NULL,"
	" nwaves integer NOT NULL,"
	" current_wave integer NOT NULL DEFAULT 1,"
	" max_failed integer NOT NULL DEFAULT 0,"
	" late_ms bigint NOT NULL,"
	" run_once boolean NOT NULL DEFAULT false,"
	" state text NOT NULL DEFAULT 'running',"
	" reason text, actor text,"
	" created_at timestamptz NOT NULL DEFAULT now(),"
	" updated_at timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE hinge.fleet_assignments ("
	" rollout_id text NOT NULL REFERENCES hinge.fleet_rollouts (id),"
	" host_id text NOT NULL,"
	" wave integer NOT NULL,"
	" state text NOT NULL DEFAULT 'pending',"
	" local_rollout text, detail text,"
	" updated_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (rollout_id, host_id));"
	"CREATE TABLE hinge.fleet_events ("
	" id bigserial PRIMARY KEY,"
	" rollout_id text, host_id text,"
	" time timestamptz NOT NULL DEFAULT now(),"
	" kind text NOT NULL, message text NOT NULL);",
	/* 2: the host that executes a run-once change (fleet_once.c). */
	"ALTER TABLE hinge.fleet_rollouts ADD COLUMN once_host text;",
	/* 3: wave gates over fleet-wide metrics (fleet_gate.c). */
	"ALTER TABLE hinge.fleet_rollouts ADD COLUMN gates jsonb NOT NULL DEFAULT '[]',"
	" ADD COLUMN gate_bake_ms bigint NOT NULL DEFAULT 0,"
	" ADD COLUMN gate_interval_ms bigint NOT NULL DEFAULT 1000,"
	" ADD COLUMN gate_since timestamptz, ADD COLUMN gate_checked_at timestamptz;"
	"CREATE TABLE hinge.fleet_metrics ("
	" rollout_id text NOT NULL REFERENCES hinge.fleet_rollouts (id),"
	" host_id text NOT NULL, metric text NOT NULL,"
	" value double precision NOT NULL,"
	" at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (rollout_id, host_id, metric));",
	NULL,
};


static void rollback(PGconn *c)
{
	PQclear(PQexec(c, "ROLLBACK"));
}

/*
 * A session that stops in the middle of a transaction (a host frozen or
 * cut off while it advanced a rollout) must not hold the rollout's row
 * for ever: the server ends such a session after late_after, and no
 * statement waits longer than that for a lock.
 */
static int bound_waits(PGconn *c, const struct settings *fleet)
{
	char ms[32];
	const char *p[1] = { ms };

	snprintf(ms, sizeof(ms), "%lld", (long long)settings_ms(fleet, "late_after"));
	return fleet_exec(c, "SELECT set_config('idle_in_transaction_session_timeout', $1, false),"
			  " set_config('lock_timeout', $1, false)", 1, p);
}

int fleet_connect(const struct settings *fleet, PGconn **out)
{
	int rc = pg_connect_as("fleet", settings_str(fleet, "conninfo"), out);

	if (rc == 0 && ((rc = pg_schema_migrate("fleet", *out, fleet_migrations)) != 0 ||
			(rc = bound_waits(*out, fleet)) != 0)) {
		PQfinish(*out);
		*out = NULL;
	}
	return rc;
}

const char *fleet_host_id(const struct settings *fleet)
{
	static char host[256];
	const char *id = settings_str(fleet, "host_id");

	if (id != NULL && *id != '\0')
		return id;
	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "localhost");
	return host;
}

/*
 * A token of this process, "HOSTNAME PID RANDOM": two agents claiming one
 * host id are told apart, and an agent restarted after a crash can see
 * that the instance before it is dead.
 */
static char instance_tok[400];
static pthread_once_t instance_once = PTHREAD_ONCE_INIT;

static void make_instance_token(void)
{
	char name[256] = "";
	unsigned char b[8];
	int n;

	gethostname(name, sizeof(name) - 1);
	RAND_bytes(b, sizeof(b));
	n = snprintf(instance_tok, sizeof(instance_tok), "%s %ld ", name, (long)getpid());
	for (int i = 0; i < 8 && n + 2 * i + 3 <= (int)sizeof(instance_tok); i++)
		snprintf(instance_tok + n + 2 * i, 3, "%02x", b[i]);
}

/* This process's token, made once whichever thread asks first. */
static const char *instance_token(void)
{
	pthread_once(&instance_once, make_instance_token);
	return instance_tok;
}

/* A process that has exited but that its parent has not reaped yet. */
static int is_zombie(long pid)
{
	char path[64], line[512], *close_paren;
	FILE *f;
	int zombie = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL && (close_paren = strrchr(line, ')')) != NULL)
		zombie = close_paren[1] == ' ' && close_paren[2] == 'Z';
	fclose(f);
	return zombie;
}

/* The instance is a process of this machine that no longer runs. */
static int instance_dead_here(const char *instance)
{
	char name[256] = "", host[256];
	long pid;

	gethostname(name, sizeof(name) - 1);
	if (sscanf(instance, "%255s %ld", host, &pid) != 2 || strcmp(host, name) != 0)
		return 0;
	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) != 0)
		return errno == ESRCH;
	return is_zombie(pid);
}

/* Take the host row over from a dead instance of this machine. */
static int take_over_dead(PGconn *c, const char *const *p)
{
	const char *q[1] = { p[0] };
	PGresult *r = fleet_q(c, "SELECT instance FROM hinge.fleet_hosts WHERE host_id = $1", 1, q);
	int dead = r != NULL && PQntuples(r) == 1 && instance_dead_here(PQgetvalue(r, 0, 0));

	PQclear(r);
	if (!dead)
		return HINGE_EINVAL;
	return fleet_exec(c, "UPDATE hinge.fleet_hosts SET labels = $2::jsonb, version = $3,"
			  " plugins = $4::jsonb, instance = $5, last_heartbeat = now() WHERE host_id = $1",
			  5, p);
}

int fleet_heartbeat(PGconn *c, const struct settings *fleet, const char *plugins_json)
{
	char *labels = json_dumps((json_t *)settings_json(fleet, "labels"), JSON_COMPACT);
	char late[32];
	const char *p[6];
	PGresult *r;
	int rc;

	snprintf(late, sizeof(late), "%lld", (long long)settings_ms(fleet, "late_after"));
	p[0] = fleet_host_id(fleet);
	p[1] = labels ? labels : "{}";
	p[2] = PACKAGE_VERSION;
	p[3] = plugins_json ? plugins_json : "[]";
	p[4] = instance_token();
	p[5] = late;
	/* Another live instance under the same id: refuse instead of taking over. */
	r = fleet_q(c, "INSERT INTO hinge.fleet_hosts AS h (host_id, labels, version, plugins, instance)"
	      " VALUES ($1, $2::jsonb, $3, $4::jsonb, $5)"
	      " ON CONFLICT (host_id) DO UPDATE SET labels = excluded.labels,"
	      "  version = excluded.version, plugins = excluded.plugins,"
	      "  instance = excluded.instance, last_heartbeat = now()"
	      " WHERE h.instance = excluded.instance"
	      "  OR h.last_heartbeat < now() - $6::bigint * interval '1 millisecond'"
	      " RETURNING host_id", 6, p);
	if (r == NULL) {
		free(labels);
		return HINGE_EUNAVAIL;
	}
	rc = PQntuples(r) == 1 ? 0 : take_over_dead(c, p); /* p[1] is labels */
	if (rc == HINGE_EINVAL)
		hlog(HINGE_LOG_ERROR, "fleet", "host id \"%s\" is used by another live agent; give this host its own fleet.host_id",
		     p[0]);
	PQclear(r);
	free(labels);
	return rc;
}

int fleet_hosts(PGconn *c, int64_t late_ms, json_t **out)
{
	char late[32];
	const char *p[1] = { late };
	PGresult *r;
	json_t *hosts = json_array();

	snprintf(late, sizeof(late), "%lld", (long long)late_ms);
	r = fleet_q(c, "SELECT host_id, labels::text, version, plugins::text,"
	      " last_heartbeat < now() - $1::bigint * interval '1 millisecond'"
	      "  AND pg_postmaster_start_time() < now() - $1::bigint * interval '1 millisecond',"
	      " drained, to_char(last_heartbeat AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
	      " FROM hinge.fleet_hosts ORDER BY host_id", 1, p);
	if (r == NULL) {
		json_decref(hosts);
		return HINGE_EUNAVAIL;
	}
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(hosts, json_pack("{s:s, s:o, s:s, s:o, s:b, s:b, s:s}",
			"host", PQgetvalue(r, i, 0), "labels", json_loads(PQgetvalue(r, i, 1), 0, NULL),
			"version", PQgetvalue(r, i, 2), "plugins", json_loads(PQgetvalue(r, i, 3), 0, NULL),
			"unreachable", PQgetvalue(r, i, 4)[0] == 't', "drained", PQgetvalue(r, i, 5)[0] == 't',
			"last_heartbeat", PQgetvalue(r, i, 6)));
	PQclear(r);
	*out = json_pack("{s:s, s:o}", "schema", "hinge.fleet-hosts/1", "hosts", hosts);
	return 0;
}

int fleet_event(PGconn *c, const char *id, const char *host, const char *kind,
		const char *message)
{
	const char *p[4] = { id, host, kind, message };

	return fleet_exec(c, "INSERT INTO hinge.fleet_events (rollout_id, host_id, kind, message)"
		     " VALUES ($1, $2, $3, $4)", 4, p);
}

static void new_id(char *buf, size_t len)
{
	unsigned char b[4];

	RAND_bytes(b, sizeof(b));
	snprintf(buf, len, "f%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
}

static void sha256_hex(const char *text, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Hosts the selector picks, in their stable order; NULL on error. */
static char **pick_hosts(PGconn *c, json_t *select, size_t *n)
{
	char *sel = json_dumps(select ? select : json_object(), JSON_COMPACT);
	const char *p[1] = { sel };
	PGresult *r = fleet_q(c, "SELECT host_id FROM hinge.fleet_hosts"
			" WHERE NOT drained AND labels @> $1::jsonb", 1, p);
	char **ids;

	free(sel);
	if (r == NULL)
		return NULL;
	*n = (size_t)PQntuples(r);
	ids = calloc(*n + 1, sizeof(*ids));
	for (size_t i = 0; ids != NULL && i < *n; i++)
		ids[i] = strdup(PQgetvalue(r, (int)i, 0));
	PQclear(r);
	if (ids != NULL)
		fleet_hosts_order(ids, *n);
	return ids;
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; ids != NULL && i < n; i++)
		free(ids[i]);
	free(ids);
}

static int insert_rollout(PGconn *c, const struct fleet_start *s, const char *id, int nwaves)
{
	char sha[65], nw[16], mf[16], late[32], bake[32], every[32];
	char *gates = json_dumps(s->gates ? s->gates : json_array(), JSON_COMPACT);
	const char *p[14];
	int rc;

	sha256_hex(s->change_text, sha);
	snprintf(nw, sizeof(nw), "%d", nwaves);
	snprintf(mf, sizeof(mf), "%d", s->max_failed);
	snprintf(late, sizeof(late), "%lld", (long long)s->late_ms);
	p[0] = id; p[1] = s->change_id; p[2] = s->change_text; p[3] = sha;
	p[4] = s->waves; p[5] = nw; p[6] = mf; p[7] = late;
	p[8] = s->run_once ? "true" : "false"; p[9] = s->reason; p[10] = s->actor;
	snprintf(bake, sizeof(bake), "%lld", (long long)s->gate_bake_ms);
	snprintf(every, sizeof(every), "%lld", (long long)s->gate_interval_ms);
	p[11] = gates ? gates : "[]"; p[12] = bake; p[13] = every;
	rc = fleet_exec(c, "INSERT INTO hinge.fleet_rollouts (id, change_id, change_text, sha256,"
		     " waves, nwaves, max_failed, late_ms, run_once, reason, actor, gates, gate_bake_ms,"
		     " gate_interval_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)",
		     14, p);
	free(gates);
	return rc;
}

/* Every --gate parses: else a message naming it, and nothing starts. */
static int check_gates(json_t *gates)
{
	struct fleet_gate g;
	char err[256];
	size_t i;
	json_t *t;

	json_array_foreach(gates, i, t) {
		if (fleet_gate_parse(json_string_value(t), &g, err, sizeof(err)) != 0) {
			hlog(HINGE_LOG_ERROR, "fleet", "--gate \"%s\": %s", json_string_value(t), err);
			return HINGE_EINVAL;
		}
		fleet_gate_free(&g);
	}
	return 0;
}

int fleet_start(PGconn *c, const struct fleet_start *s, char **id)
{
	struct fleet_wave_spec waves[FLEET_MAX_WAVES];
	int nwaves, totals[FLEET_MAX_WAVES], rc = HINGE_EUNAVAIL;
	char err[256], rid[16], wave[16];
	size_t n = 0, h = 0;
	char **ids;

	nwaves = fleet_waves_parse(s->waves, waves, err, sizeof(err));
	if (nwaves < 0) {
		hlog(HINGE_LOG_ERROR, "fleet", "--waves %s: %s", s->waves, err);
		return HINGE_EINVAL;
	}
	if (check_gates(s->gates) != 0)
		return HINGE_EINVAL;
	if (fleet_exec(c, "BEGIN", 0, NULL) != 0)
		return HINGE_EUNAVAIL;
	ids = pick_hosts(c, s->select, &n);
	if (ids == NULL)
		goto fail;
	if (n == 0) {
		hlog(HINGE_LOG_ERROR, "fleet", "the selector matches no host (see hinge fleet hosts)");
		rc = HINGE_EINVAL;
		goto fail;
	}
	fleet_waves_totals(waves, nwaves, (int)n, totals);
	new_id(rid, sizeof(rid));
	if (insert_rollout(c, s, rid, nwaves) != 0)
		goto fail;
	for (int w = 0; w < nwaves; w++) {
		snprintf(wave, sizeof(wave), "%d", w + 1);
		for (; h < (size_t)totals[w]; h++) {
			const char *p[3] = { rid, ids[h], wave };

			if (fleet_exec(c, "INSERT INTO hinge.fleet_assignments (rollout_id, host_id, wave)"
				  " VALUES ($1, $2, $3)", 3, p) != 0)
				goto fail;
		}
	}
	if (fleet_event(c, rid, NULL, "start", s->reason ? s->reason : "started") != 0 ||
	    fleet_exec(c, "NOTIFY hinge_fleet", 0, NULL) != 0 || fleet_exec(c, "COMMIT", 0, NULL) != 0)
		goto fail;
	free_ids(ids, n);
	*id = strdup(rid);
	return 0;
fail:
	rollback(c);
	free_ids(ids, n);
	return rc;
}
