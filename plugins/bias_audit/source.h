/*
 * source.h - reading an audit's input into the accumulator, streamed,
 * while taking the SHA-256 of what was read.
 */
#ifndef BIAS_SOURCE_H
#define BIAS_SOURCE_H

#include <stddef.h>

#include "plugins/bias_audit/acc.h"

#define BIAS_SHA_HEX 65 /* 64 hex digits and a NUL */

/*
 * Read the CSV file at path (a header row, then one row per decision).
 * sha gets the hex SHA-256 of the file's bytes.  Returns 0;
 * HINGE_EUNAVAIL when the file cannot be opened or read; HINGE_EINVAL when
 * its content is bad (err names the row); HINGE_ENOMEM.
 */
int bias_read_csv(const char *path, struct bias_acc *a, char sha[BIAS_SHA_HEX],
		  char *err, size_t errlen);

/*
 * Run query on conn (a PGconn *) and read its rows one at a time (column
 * names are the header).  sha gets the SHA-256 of the rows' text, each
 * field followed by 0x1f and each row by 0x1e.  Returns 0; HINGE_EINVAL
 * when the query fails or a value is bad (err says which);
 * HINGE_EUNAVAIL when the connection breaks; HINGE_ENOMEM.
 */
int bias_read_pg(void *conn, const char *query, struct bias_acc *a,
		 char sha[BIAS_SHA_HEX], char *err, size_t errlen);

#endif
