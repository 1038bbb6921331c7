/*
 * csv.c - RFC 4180 records from a stream, one at a time.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/bias_audit/csv.h"

struct csv_reader {
	FILE *f;
	csv_bytes_fn on_bytes;
	void *arg;
	char in[65536];
	size_t in_len, in_pos;
	char *text;      /* the record's fields, each NUL-terminated */
	size_t len, cap;
	size_t *starts;  /* offsets of the fields in text */
	char **fields;
	size_t nfields, fcap, width;
	uint64_t record, line, next_line;
	char err[256];
};

struct csv_reader *csv_open(FILE *f, csv_bytes_fn on_bytes, void *arg)
{
	struct csv_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fcap = 16;
	r->starts = malloc(r->fcap * sizeof(*r->starts));
	if (r->starts == NULL) {
		free(r);
		return NULL;
	}
	r->f = f;
	r->on_bytes = on_bytes;
	r->arg = arg;
	r->next_line = 1;
	return r;
}

void csv_close(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->text);
	free(r->starts);
	free(r->fields);
	free(r);
}

uint64_t csv_record(const struct csv_reader *r) { return r->record; }
uint64_t csv_line(const struct csv_reader *r) { return r->line; }
const char *csv_error(const struct csv_reader *r) { return r->err; }

__attribute__((format(printf, 2, 3)))
static int fail(struct csv_reader *r, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(r->err, sizeof(r->err), "row %llu (line %llu): ",
			 (unsigned long long)r->record, (unsigned long long)r->line);

	va_start(ap, fmt);
	vsnprintf(r->err + k, sizeof(r->err) - (size_t)k, fmt, ap);
	va_end(ap);
	return HINGE_EINVAL;
}

/* The next input byte, or EOF. */
static int get(struct csv_reader *r)
{
	if (r->in_pos == r->in_len) {
		r->in_len = fread(r->in, 1, sizeof(r->in), r->f);
		r->in_pos = 0;
		if (r->in_len == 0)
			return EOF;
		if (r->on_bytes != NULL)
			r->on_bytes(r->arg, r->in, r->in_len);
	}
	return (unsigned char)r->in[r->in_pos++];
}

static int peek(struct csv_reader *r)
{
	int c = get(r);

	if (c != EOF)
		r->in_pos--;
	return c;
}

static int put(struct csv_reader *r, char c)
{
	if (r->len == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		char *p = realloc(r->text, ncap);

		if (p == NULL)
			return HINGE_ENOMEM;
		r->text = p;
		r->cap = ncap;
	}
	r->text[r->len++] = c;
	return 0;
}

/* End the current field and start the next. */
static int end_field(struct csv_reader *r)
{
	if (put(r, '\0') != 0)
		return HINGE_ENOMEM;
	if (r->nfields + 1 >= r->fcap) {
		size_t ncap = r->fcap ? r->fcap * 2 : 16;
		size_t *p = realloc(r->starts, ncap * sizeof(*p));

		if (p == NULL)
			return HINGE_ENOMEM;
		r->starts = p;
		r->fcap = ncap;
	}
	r->starts[++r->nfields] = r->len;
	return 0;
}

/* A quoted field's content up to its closing quote. */
static int read_quoted(struct csv_reader *r)
{
	for (;;) {
		int c = get(r);

		if (c == EOF)
			return fail(r, "a quoted field is not closed before the end of the file");
		if (c == '"') {
			if (peek(r) != '"')
				return 0;
			get(r);
		}
		if (c == '\n')
			r->next_line++;
		if (put(r, (char)c) != 0)
			return HINGE_ENOMEM;
	}
}

/* After a field: 1 at a comma, 0 at the end of the record, or an error. */
static int separator(struct csv_reader *r, int c)
{
	if (c == ',')
		return 1;
	if (c == '\r' && peek(r) == '\n')
		c = get(r);
	if (c == '\n') {
		r->next_line++;
		return 0;
	}
	if (c == EOF)
		return 0;
	return fail(r, "unexpected %s after field %zu", c == '"' ? "quote" : "character",
		    r->nfields);
}

static int build(struct csv_reader *r, char ***fields, size_t *n)
{
	char **p = realloc(r->fields, (r->nfields + 1) * sizeof(*p));

	if (p == NULL)
		return HINGE_ENOMEM;
	r->fields = p;
	for (size_t i = 0; i < r->nfields; i++)
		p[i] = r->text + r->starts[i];
	p[r->nfields] = NULL;
	if (r->record == 1)
		r->width = r->nfields;
	else if (r->nfields != r->width)
		return fail(r, "%zu fields where the header has %zu", r->nfields, r->width);
	*fields = p;
	*n = r->nfields;
	return 1;
}

int csv_next(struct csv_reader *r, char ***fields, size_t *n)
{
	int c = get(r), rc;

	r->err[0] = '\0';
	if (c == EOF)
		return ferror(r->f) ? HINGE_EUNAVAIL : 0;
	r->record++;
	r->line = r->next_line;
	r->starts[0] = r->len = r->nfields = 0;
	for (;;) {
		if (c == '"') {
			if ((rc = read_quoted(r)) != 0)
				return rc;
			c = get(r);
		} else {
			while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
				if (c == '"')
					return fail(r, "a quote inside unquoted field %zu", r->nfields + 1);
				if (put(r, (char)c) != 0)
					return HINGE_ENOMEM;
				c = get(r);
			}
		}
		if (end_field(r) != 0)
			return HINGE_ENOMEM;
		rc = separator(r, c);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return build(r, fields, n);
		c = get(r);
	}
}
