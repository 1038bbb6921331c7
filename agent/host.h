/*
 * host.h - the host table handed to plugins, and the per-plugin record the
 * loader keeps.  struct hinge_plugin is opaque to plugins.
 */
#ifndef HINGE_HOST_H
#define HINGE_HOST_H

#include <hinge/plugin.h>

struct settings; /* config.h */

struct hinge_plugin {
	char *name;
	char *path;
	const struct hinge_abi *abi;
	/* Validated settings of its config group; a reload swaps the pointer
	 * atomically while plugin threads read it (see loader_reload). */
	struct settings *settings;
	void *data;                /* plugin_data_set */
	int initialised;
};

/* One invocation of a plugin's operator subcommand. */
struct hinge_command {
	int json;    /* --json was given */
	int printed; /* the one document was printed */
};

/* The one host table. */
const struct hinge_host *host_table(void);

/* Set by SIGTERM/SIGINT handling; host->stopping reads it. */
void host_request_stop(void);
int host_stop_requested(void);

/* Paths of the state database, for db_open; set once by main. */
void host_set_state_path(const char *path);
/* Close the calling thread's cached state connection (samples, events). */
void host_release_thread_state(void);
/* The running step's deadline (clock_mono_ms, 0: none) for the calling thread:
 * from then on the host's stopping() and sleep_ms() report cancellation. */
void host_set_step_deadline(int64_t deadline_ms);

/* Give back the page cache of the calling thread's connection, if any. */
void host_shrink_thread_state(void);
/* CA bundle and proxy from the agent group; safe while plugins read them. */
void host_set_http(const char *ca_bundle, const char *proxy);
/* Free every CA bundle and proxy string ever set (at the very end). */
void host_release_http(void);

#endif
