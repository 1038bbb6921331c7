/*
 * fingerprint.h - a table's catalog entries (columns, types, nullability,
 * defaults, constraints, indexes) as one text, one sorted line per entry,
 * so that a rehearsal can compare the table before and after apply+revert.
 */
#ifndef MIGRATION_FINGERPRINT_H
#define MIGRATION_FINGERPRINT_H

#include <stddef.h>

/* The query: $1 is the table as regclass text; one row, one text column. */
extern const char mig_fingerprint_sql[];

/*
 * Compare fingerprints a (before) and b (after).  0 when equal; else 1,
 * with the first line that differs written to buf as
 * "before: LINE; after: LINE" ("(none)" for a missing line).
 */
int mig_fingerprint_diff(const char *a, const char *b, char *buf, size_t len);

#endif
