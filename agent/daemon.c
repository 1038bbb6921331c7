/*
 * daemon.c - `hinge agent`: one thread per job and per service, and a
 * main loop that handles signals, reloads, pruning and the watchdog.
 * One agent per state database: a lock file beside it, held with flock.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/cli.h"
#include "agent/config.h"
#include "agent/daemon.h"
#include "agent/engine.h"
#include "agent/fleet_agent.h"
#include "agent/fleet_exec.h"
#include "agent/host.h"
#include "agent/job_wake.h"
#include "agent/loader.h"
#include "agent/log.h"
#include "agent/pg.h"
#include "agent/registry.h"
#include "state/state.h"

static volatile sig_atomic_t reload_requested;
static char *state_db_path; /* each job thread opens its own connection */

struct worker {
	pthread_t thread;
	const struct reg_job *job;
	const struct reg_service *service;
	const struct settings *fleet;
	int started;
	int done; /* set by the worker as it ends (atomic) */
};

static void on_stop(int sig)
{
	(void)sig;
	host_request_stop();
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { 0 };

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void sleep_ms(int64_t ms)
{
	while (ms > 0 && !host_stop_requested() && !reload_requested) {
		int64_t slice = ms < 50 ? ms : 50;
		struct timespec ts = { 0, (long)slice * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

/* A job's figures, for `hinge metrics`, in the kv row "agent.job.NAME". */
static void record_job(struct state *st, const char *name, int ok)
{
	char key[256], *old = NULL, *text;
	json_t *v;

	snprintf(key, sizeof(key), "agent.job.%s", name);
	if (st == NULL || state_begin(st) != 0)
		return;
	state_kv_get(st, key, &old);
	v = old ? json_loads(old, 0, NULL) : NULL;
	if (v == NULL)
		v = json_pack("{s:i, s:i, s:i}", "runs", 0, "failures", 0, "last_success_ms", 0);
	json_object_set_new(v, "runs", json_integer(json_integer_value(json_object_get(v, "runs")) + 1));
	if (ok)
		json_object_set_new(v, "last_success_ms", json_integer(state_now_ms()));
	else
		json_object_set_new(v, "failures",
				    json_integer(json_integer_value(json_object_get(v, "failures")) + 1));
	text = json_dumps(v, JSON_COMPACT);
	if (text != NULL && state_kv_set(st, key, text) == 0)
		state_commit(st);
	else
		state_rollback(st);
	free(text);
	free(old);
	json_decref(v);
}

/* How long a job sleeps before it gives its memory back. */
#define RELEASE_AFTER_MS 100

/* A failing job backs off, doubling, to ten times its interval; one that
 * succeeded runs again at its interval or when its plugin wakes it. */
static void *job_thread(void *arg)
{
	struct worker *w = arg;
	const struct reg_job *j = w->job;
	int64_t wait = j->j.interval_ms;
	struct state *st = NULL;

	pg_thread_cancel_on_stop(1);
	if (state_open(state_db_path, 0, &st) != 0)
		st = NULL;
	while (!host_stop_requested()) {
		int rc = j->j.run(j->j.data);

		record_job(st, j->qname, rc == 0);
		if (rc == 0) {
			wait = j->j.interval_ms;
		} else {
			wait = wait * 2 > j->j.interval_ms * 10 ? j->j.interval_ms * 10 : wait * 2;
			hlog(HINGE_LOG_WARNING, "hinge", "job %s failed; next run in %lld ms", j->qname,
			     (long long)wait);
		}
		/*
		 * Idle until the next run: neither the page caches nor the
		 * freed memory need stay resident.  They are given back once
		 * the job has slept RELEASE_AFTER_MS unwoken: a job that runs
		 * again sooner would only fault them back in, and malloc_trim
		 * trims every thread's arena, not just this one's.
		 */
		if (job_sleep(j, wait < RELEASE_AFTER_MS ? wait : RELEASE_AFTER_MS, rc == 0) ||
		    wait <= RELEASE_AFTER_MS || host_stop_requested())
			continue;
		state_release_memory(st);
		host_shrink_thread_state();
		malloc_trim(0);
		job_sleep(j, wait - RELEASE_AFTER_MS, rc == 0);
	}
	state_close(st);
	host_release_thread_state();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *service_thread(void *arg)
{
	struct worker *w = arg;
	int rc;

	pg_thread_cancel_on_stop(1);
	rc = w->service->s.run(w->service->s.data);

	if (rc != 0 && !host_stop_requested())
		hlog(HINGE_LOG_ERROR, "hinge", "service %s stopped with an error", w->service->qname);
	host_release_thread_state();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Set when another live agent has this host's fleet id: the agent exits 2. */
static volatile int fleet_refused;

static void *fleet_thread(void *arg)
{
	struct worker *w = arg;

	struct fleet_work *work = fleet_exec_new(w->fleet, state_db_path);

	if (work == NULL)
		hlog(HINGE_LOG_ERROR, "hinge", "the fleet loop cannot open the state database; it only heartbeats");
	if (fleet_agent_run(w->fleet, work) != 0) {
		fleet_refused = 1;
		host_request_stop();
	}
	fleet_exec_free(work);
	host_release_thread_state();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int start_workers(const struct settings *fleet, struct worker **out, size_t *n)
{
	size_t nj = 0, ns = 0, k = 0;
	sigset_t all, old;
	struct worker *w;

	while (registry_job_at(nj) != NULL)
		nj++;
	while (registry_service_at(ns) != NULL)
		ns++;
	w = calloc(nj + ns + 2, sizeof(*w));
	if (w == NULL)
		return HINGE_ENOMEM;
	/* Workers inherit a full mask: signals go to the main thread only. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (size_t i = 0; i < nj; i++, k++) {
		w[k].job = registry_job_at(i);
		w[k].started = pthread_create(&w[k].thread, NULL, job_thread, &w[k]) == 0;
	}
	for (size_t i = 0; i < ns; i++, k++) {
		w[k].service = registry_service_at(i);
		w[k].started = pthread_create(&w[k].thread, NULL, service_thread, &w[k]) == 0;
	}
	if (fleet != NULL) {
		w[k].fleet = fleet;
		w[k].started = pthread_create(&w[k].thread, NULL, fleet_thread, &w[k]) == 0;
		k++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*out = w;
	*n = k;
	return 0;
}

/*
 * Wake services, then wait for every worker up to stop_timeout.  Returns
 * the number that did not stop: their data must then stay allocated.
 */
static size_t stop_workers(struct worker *w, size_t n, int64_t timeout_ms)
{
	int64_t deadline = state_now_ms() + timeout_ms, next_cancel = 0;
	size_t stuck = 0;

	host_request_stop();
	for (size_t i = 0; i < n; i++)
		if (w[i].service != NULL && w[i].service->s.stop != NULL)
			w[i].service->s.stop(w[i].service->s.data);
	for (size_t i = 0; i < n; i++) {
		while (w[i].started && !__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE) &&
		       state_now_ms() < deadline) {
			struct timespec ts = { 0, 10 * 1000000L };

			/* Queries in flight, and any a job starts after. */
			if (state_now_ms() >= next_cancel) {
				pg_cancel_stopping();
				next_cancel = state_now_ms() + 500;
			}
			nanosleep(&ts, NULL);
		}
		if (!w[i].started)
			continue;
		if (__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE)) {
			pthread_join(w[i].thread, NULL);
		} else {
			hlog(HINGE_LOG_WARNING, "hinge", "%s %s did not stop within %lld ms",
			     w[i].job ? "job" : w[i].service ? "service" : "the fleet loop",
			     w[i].job ? w[i].job->qname : w[i].service ? w[i].service->qname : "",
			     (long long)timeout_ms);
			pthread_detach(w[i].thread);
			stuck++;
		}
	}
	return stuck;
}

static long read_pid(int fd)
{
	char pid[32] = "";
	ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

	if (n > 0)
		pid[n] = '\0';
	return atol(pid) > 0 ? atol(pid) : -1;
}

long daemon_agent_pid(const char *state_db)
{
	char path[4200];
	long pid = 0;
	int fd;

	snprintf(path, sizeof(path), "%s.agent-lock", state_db);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	/* Only a lock held elsewhere means an agent; any other error, none. */
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
		pid = read_pid(fd);
	close(fd);
	return pid;
}

static int take_agent_lock(const char *state_db, int *fd_out)
{
	char path[4200];
	int fd, tries = 0;

	snprintf(path, sizeof(path), "%s.agent-lock", state_db);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "cannot open \"%s\": %m", path);
		return HINGE_EUNAVAIL;
	}
	/* A command probing for the agent holds the lock shared for a few
	 * microseconds: try for 200 ms before calling it another agent. */
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		long pid;

		if (++tries < 20) {
			sleep_ms(10);
			continue;
		}
		pid = read_pid(fd);

		if (pid > 0)
			hlog(HINGE_LOG_ERROR, "hinge", "another agent (pid %ld) is running on \"%s\"", pid, state_db);
		else
			hlog(HINGE_LOG_ERROR, "hinge", "another agent (pid ?) is running on \"%s\"", state_db);
		close(fd);
		return HINGE_EBUSY;
	}
	if (ftruncate(fd, 0) == 0) {
		char pid[32];
		int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		if (pwrite(fd, pid, (size_t)len, 0) != len)
			hlog(HINGE_LOG_DEBUG, "hinge", "cannot write the agent's pid: %m");
	}
	*fd_out = fd;
	return 0;
}

static void reload(struct cli *c)
{
	struct config *fresh = NULL;

	reload_requested = 0;
	hlog(HINGE_LOG_NOTICE, "hinge", "SIGHUP: reloading %s", c->config->file);
	if (config_load(c->config->file, &fresh) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "the new configuration is invalid; keeping the old one");
		return;
	}
	if (loader_reload(fresh) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "the new plugin settings are invalid; keeping the old ones");
		config_free(fresh);
		return;
	}
	/* The fleet thread keeps the fleet group it started with. */
	settings_free(fresh->fleet);
	fresh->fleet = c->config->fleet;
	c->config->fleet = NULL;
	/* Plugins hold copies of their settings; the agent group is ours. */
	config_free(c->config);
	c->config = fresh;
	cli_apply_agent_settings(c);
	hlog(HINGE_LOG_NOTICE, "hinge", "configuration reloaded");
}

static void main_loop(struct cli *c)
{
	int64_t next_prune = 0, next_watchdog = 0, watchdog_ms = 0;
	const char *wd = getenv("WATCHDOG_USEC");

	if (wd != NULL && settings_bool(c->config->agent, "watchdog"))
		watchdog_ms = atoll(wd) / 2000;
	while (!host_stop_requested()) {
		int64_t now = state_now_ms();

		if (reload_requested)
			reload(c);
		if (now >= next_prune) {
			state_prune(c->state, settings_ms(c->config->agent, "retention_events"),
				    settings_ms(c->config->agent, "retention_samples"));
			next_prune = now + settings_ms(c->config->agent, "prune_interval");
		}
		/* Detached and orphaned rollouts, due re-rehearsals. */
		engine_daemon_poll(c->state);
		if (watchdog_ms > 0 && now >= next_watchdog) {
			sd_notify_text("WATCHDOG=1");
			next_watchdog = now + watchdog_ms;
		}
		sleep_ms(settings_ms(c->config->agent, "request_poll"));
	}
}

/* Free memory kept for reuse between two trims, and the allocation size
 * from which memory is mapped on its own instead. */
#define RETAIN_BYTES (32 << 20)

int daemon_run(struct cli *c)
{
	struct worker *w = NULL;
	size_t n = 0;
	int status, lock_fd = -1;

	install_signals();
	/*
	 * glibc gives every thread that allocates an arena of its own; the
	 * agent's threads mostly sleep, so one arena keeps its idle memory
	 * small without contention worth having.
	 */
	mallopt(M_ARENA_MAX, 1);
	/*
	 * Under load a thread frees megabytes and takes them again at once
	 * (the logging plugin's rounds and reads): given back to the system
	 * at each free, every page was faulted in again, a quarter of the
	 * delivery's CPU.  Freed memory stays while the agent works, and is
	 * given back once a job idles (job_thread's malloc_trim).
	 */
	mallopt(M_TRIM_THRESHOLD, RETAIN_BYTES);
	mallopt(M_MMAP_THRESHOLD, RETAIN_BYTES);
	if ((status = cli_prepare(c, CLI_NEED_CONFIG)) != 0)
		return status;
	cli_make_state_dir(c, settings_str(c->config->agent, "state_db"));
	status = take_agent_lock(settings_str(c->config->agent, "state_db"), &lock_fd);
	if (status != 0)
		return cli_exit_status(status);
	if ((status = cli_prepare(c, CLI_NEED_STATE | CLI_NEED_PLUGINS)) != 0) {
		close(lock_fd);
		return status;
	}
	if (engine_configure(c->config->agent) != 0) {
		close(lock_fd);
		return 2;
	}
	state_db_path = strdup(state_path(c->state));
	if (state_db_path == NULL || start_workers(c->config->fleet, &w, &n) != 0) {
		close(lock_fd);
		return 5;
	}
	hlog(HINGE_LOG_NOTICE, "hinge", "agent started (pid %ld, %zu jobs and services)", (long)getpid(), n);
	sd_notify_text("READY=1");
	main_loop(c);
	sd_notify_text("STOPPING=1");
	hlog(HINGE_LOG_NOTICE, "hinge", "stopping");
	if (stop_workers(w, n, settings_ms(c->config->agent, "stop_timeout")) +
	    engine_daemon_stop(settings_ms(c->config->agent, "stop_timeout")) > 0) {
		/*
		 * A thread still runs plugin code: freeing the registrations
		 * under it would be a use after free.  Leave at once instead;
		 * everything the state database holds is committed.
		 */
		hlog(HINGE_LOG_ERROR, "hinge", "agent stopped with work still running");
		fflush(NULL);
		_exit(1);
	}
	free(w);
	free(state_db_path);
	close(lock_fd);
	hlog(HINGE_LOG_NOTICE, "hinge", "agent stopped");
	return fleet_refused ? 2 : 0;
}

int cmd_agent(struct cli *c, int argc, char **argv)
{
	if (cli_wants_help(argc, argv) || argc != 1) {
		int help = cli_wants_help(argc, argv);

		fprintf(help ? stdout : stderr, "usage: hinge agent\n  run the agent in the foreground (systemd runs this)\n");
		return help ? 0 : 2;
	}
	if (c->json) {
		fprintf(stderr, "hinge: agent has no --json\n");
		return 2;
	}
	return daemon_run(c);
}
