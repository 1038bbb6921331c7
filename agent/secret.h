/* secret.h - reading secret files (mode 0600 or stricter). */
#ifndef HINGE_SECRET_H
#define HINGE_SECRET_H

/*
 * Read path into a malloc'ed string, trailing newlines cut; the caller
 * frees it.  source and key name the setting in messages.  HINGE_EINVAL
 * when missing, empty or readable by group/others; HINGE_EUNAVAIL on I/O.
 */
int secret_read_file(const char *source, const char *key, const char *path,
		     char **out);

#endif
