/*
 * utf8.h - text made valid UTF-8 before it becomes JSON: jansson refuses
 * a string that is not, and one line of a log file in Latin-1 must not
 * stop the capture of that file.
 */
#ifndef LOGGING_UTF8_H
#define LOGGING_UTF8_H

/* Is s (NUL-terminated) valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF)? */
int lg_utf8_valid(const char *s);

/*
 * Take over the malloc'ed s and return it made valid: s itself when it
 * is, else a new string in which each byte that starts no valid sequence
 * is U+FFFD (s is freed).  NULL, with s freed, when out of memory (or
 * when s is NULL).
 */
char *lg_utf8_repair(char *s);

#endif
