/*
 * source.h - reading an audit's input row by row into a sink (the
 * accumulator, the probe's sample), while taking the SHA-256 of what was
 * read.
 */
#ifndef BIAS_SOURCE_H
#define BIAS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define BIAS_SHA_HEX 65 /* 64 hex digits and a NUL */

/*
 * Where rows go: header() once with the column names, then row() for each
 * row (row numbers count the header as row 1 for CSV, from 1 for
 * queries).  Both return 0 or a negative HINGE_E* code with a message in
 * err.  The strings are valid during the call only.
 */
struct bias_sink {
	int (*header)(void *arg, char *const *names, size_t n, char *err, size_t errlen);
	int (*row)(void *arg, char *const *fields, size_t n, uint64_t row, char *err,
		   size_t errlen);
	void *arg;
};

/*
 * Read the CSV file at path (a header row, then one row per decision)
 * into the sink.  sha gets the hex SHA-256 of the file's bytes.  Returns 0;
 * HINGE_EUNAVAIL when the file cannot be opened or read; HINGE_EINVAL when
 * its content is bad (err names the row); HINGE_ENOMEM.
 */
int bias_read_csv(const char *path, const struct bias_sink *to, char sha[BIAS_SHA_HEX],
		  char *err, size_t errlen);

/*
 * Run query on conn (a PGconn *) and read its rows one at a time into the
 * sink (column names are the header).  sha gets the SHA-256 of the rows' text, each
 * field followed by 0x1f and each row by 0x1e.  Returns 0; HINGE_EINVAL
 * when the query fails or a value is bad (err says which);
 * HINGE_EUNAVAIL when the connection breaks; HINGE_ENOMEM.
 */
int bias_read_pg(void *conn, const char *query, const struct bias_sink *to,
		 char sha[BIAS_SHA_HEX], char *err, size_t errlen);

#endif
