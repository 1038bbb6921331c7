/*
 * loader.h - loading plugins with dlopen (RTLD_NOW | RTLD_LOCAL).
 *
 * For each enabled plugin: check the file's and directory's owners and
 * modes, dlopen, find the one entry symbol, compare the ABI block (size,
 * major, minor: the field that differs is named), check its config group
 * against its settings table, run its state migrations, call init.
 * Plugins are never dlclosed once init ran.
 */
#ifndef HINGE_LOADER_H
#define HINGE_LOADER_H

#include <stddef.h>

struct config;
struct state;
struct hinge_plugin;

/*
 * Load every enabled plugin of cfg from its plugin_dir.  st may be NULL
 * (config check, plan): then plugin tables are not migrated.
 * Returns 0 or HINGE_EINVAL (exit 2) with the file and reason logged.
 */
int loader_load_all(struct config *cfg, struct state *st);

/* Load one plugin file (for tests and the third-party example). */
int loader_load_file(const char *path, const char *name,
		     const struct config *cfg, struct hinge_plugin **out);

struct hinge_plugin *loader_plugin_at(size_t i);
struct hinge_plugin *loader_plugin(const char *name);

/* Call every plugin's reload after settings were re-read (SIGHUP). */
int loader_reload(struct config *cfg);

/* fini every plugin and free registrations (the objects stay mapped). */
void loader_shutdown(void);

#endif
