/*
 * fb.h - what the feedback plugin's files share: the plugin's context and
 * the registration entry of each part.  Only plugin.c builds the context.
 */
#ifndef FEEDBACK_FB_H
#define FEEDBACK_FB_H

#include <hinge/plugin.h>

/* The plugin's context, made in init and freed in fini. */
struct fb {
	struct hinge_plugin *p;
	const struct hinge_host *h;
};

/*
 * Migrations of the plugin's tables in PostgreSQL schema `hinge` (flags,
 * flag_enabled(), the ratings table the endpoint writes), NULL-ended.
 */
extern const char *const fb_pg_migrations[];

/*
 * Connect with the `conninfo` setting and bring schema `hinge` up to
 * date.  *conn is a PGconn * the caller closes with PQfinish.  Returns 0
 * or the HINGE_E* code of host->pg_connect / pg_migrate (already logged
 * by the host).
 */
int fb_pg_open(struct fb *fb, void **conn);

/* Register the feedback.exposure action.  Returns 0 or a HINGE_E* code. */
int fb_exposure_register(struct fb *fb);

/* Register the feedback.* metrics.  Returns 0 or a HINGE_E* code. */
int fb_metrics_register(struct fb *fb);

/* Register the `feedback` command.  Returns 0 or a HINGE_E* code. */
int fb_command_register(struct fb *fb);

#endif
