/*
 * form.h - what the endpoint does with text: url-encoded bodies, HTML
 * escaping and the form template.  Pure string work.
 */
#ifndef FEEDBACK_FORM_H
#define FEEDBACK_FORM_H

#include <stddef.h>

/*
 * The decoded value of key in an application/x-www-form-urlencoded body
 * (or query string) of len bytes, into out (outsz bytes, NUL-ended).
 * Returns 1 when found, 0 when absent, -1 when the value does not fit or
 * holds a bad %-escape or a NUL.
 */
int fb_urlencoded_get(const char *body, size_t len, const char *key,
		      char *out, size_t outsz);

/*
 * The template with every {{name}} of names[n] replaced by the
 * HTML-escaped values[i]; other text is copied.  Returns a malloc'ed
 * string the caller frees, or NULL when out of memory.
 */
char *fb_template_fill(const char *tpl, const char *const *names,
		       const char *const *values, size_t n);

#endif
