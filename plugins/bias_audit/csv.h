/*
 * csv.h - a streaming RFC 4180 reader: quoted fields, doubled quotes,
 * CRLF or LF line ends, newlines inside quotes.  Memory holds one record.
 * Every record must have as many fields as the first (the header).
 */
#ifndef BIAS_CSV_H
#define BIAS_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct csv_reader;

/* Called with every byte block read, e.g. to checksum the input. */
typedef void (*csv_bytes_fn)(void *arg, const void *buf, size_t len);

/*
 * A reader of f (not closed by csv_close); on_bytes may be NULL.
 * Returns NULL when out of memory.  Free with csv_close.
 */
struct csv_reader *csv_open(FILE *f, csv_bytes_fn on_bytes, void *arg);

/*
 * The next record: 1 with *fields (n of them, NUL-terminated strings) valid
 * until the next call, 0 at the end of input, or a negative HINGE_E* code
 * with csv_error() saying what is wrong and where.  An empty line is a
 * record of one empty field, as RFC 4180 reads it, except at the very end.
 */
int csv_next(struct csv_reader *r, char ***fields, size_t *n);

/* The record just returned (1 = the header) and the line it started on. */
uint64_t csv_record(const struct csv_reader *r);
uint64_t csv_line(const struct csv_reader *r);

/* The last error's message ("" when none); borrowed from the reader. */
const char *csv_error(const struct csv_reader *r);

void csv_close(struct csv_reader *r);

#endif
