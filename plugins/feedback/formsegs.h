/*
 * formsegs.h - the segment values of a feedback form as the endpoint
 * sees them: from the form link (GET), from the form shown (POST), and
 * their two texts, the JSON stored with the form and its rating and the
 * canonical text the token binds (TOKEN.md).
 */
#ifndef FEEDBACK_FORMSEGS_H
#define FEEDBACK_FORMSEGS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>

#include "fb.h"

/* The two texts of one set of segment values, both malloc'ed. */
struct fb_form_segments {
	char *json;  /* a JSON object text: {"plan": "pro"} */
	char *canon; /* fb_segments_canonical's text: plan=pro */
};

/*
 * The texts of segs, a JSON object of string values, which this takes
 * over (json_decref, also when segs is NULL).  Returns 0, or -1 when out
 * of memory (nothing to free then).
 */
int fb_form_segments_of(json_t *segs, struct fb_form_segments *out);

/* Free the texts of s (not s). */
void fb_form_segments_free(struct fb_form_segments *s);

/*
 * The segment values the form link of request c carries, one query
 * parameter per configured segment (`&plan=pro`), as a JSON object the
 * caller frees; absent ones are left out.  NULL with *bad naming the
 * parameter when a value is not 1 to 128 printable characters, or with
 * *bad NULL when out of memory.
 */
json_t *fb_link_segments(struct fb *fb, struct MHD_Connection *c, const char **bad);

/*
 * The values of the configured segments recorded when the form of txn
 * was shown (hinge.feedback_shown.segments over conn; other keys there
 * are left out, as a link binds only the configured ones), as a JSON
 * object of strings
 * the caller frees: empty when the form was not shown or had none.
 * Non-string values come as their text, SQL NULLs are left out (as
 * jsonb_populate_record leaves the column NULL either way).  NULL when
 * the database fails (logged) or memory runs out.
 */
json_t *fb_recorded_segments(struct fb *fb, PGconn *conn, const char *txn);

#endif
