/* fingerprint.c - catalog fingerprints of a table and their comparison. */
#include <stdio.h>
#include <string.h>

#include "plugins/migration/fingerprint.h"

/*
 * Column numbers are left out: a column dropped and added again is the
 * same table to the application, though attnum differs.
 */
const char mig_fingerprint_sql[] =
	"SELECT coalesce(string_agg(line, E'\\n' ORDER BY line), '') FROM ("
	" SELECT 'column ' || quote_ident(a.attname) || ' '"
	"  || format_type(a.atttypid, a.atttypmod)"
	"  || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
	"  || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line"
	" FROM pg_attribute a LEFT JOIN pg_attrdef d"
	"  ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	" WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped"
	" UNION ALL"
	" SELECT 'constraint ' || quote_ident(conname) || ' '"
	"  || pg_get_constraintdef(oid)"
	"  || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END"
	" FROM pg_constraint WHERE conrelid = $1::regclass"
	" UNION ALL"
	" SELECT 'index ' || pg_get_indexdef(indexrelid)"
	"  || CASE WHEN indisvalid THEN '' ELSE ' (invalid)' END"
	" FROM pg_index WHERE indrelid = $1::regclass) AS f";

/* The line of text starting at s, as a length; s is never NULL. */
static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

int mig_fingerprint_diff(const char *a, const char *b, char *buf, size_t len)
{
	while (*a != '\0' || *b != '\0') {
		size_t la = line_len(a), lb = line_len(b);

		if (la != lb || memcmp(a, b, la) != 0) {
			snprintf(buf, len, "before: %.*s; after: %.*s",
				 (int)(*a ? la : 6), *a ? a : "(none)",
				 (int)(*b ? lb : 6), *b ? b : "(none)");
			return 1;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	if (len > 0)
		buf[0] = '\0';
	return 0;
}
