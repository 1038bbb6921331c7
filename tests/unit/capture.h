/*
 * capture.h - for unit tests: run code with stderr sent to a temporary
 * file and get back what it printed, to assert on messages.
 */
#ifndef HINGE_TEST_CAPTURE_H
#define HINGE_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct capture {
	int saved;
	FILE *tmp;
	char text[8192];
};

static inline void capture_start(struct capture *c)
{
	fflush(stderr);
	c->saved = dup(2);
	c->tmp = tmpfile();
	dup2(fileno(c->tmp), 2);
}

/* Restore stderr; c->text holds what was printed (truncated to 8 KiB). */
static inline const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->tmp);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->tmp);
	c->text[n] = '\0';
	fclose(c->tmp);
	return c->text;
}

#endif
