/*
 * source.c - CSV files and PostgreSQL queries as audit input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>
#include <libpq-fe.h>
#include <openssl/evp.h>

#include "plugins/bias_audit/csv.h"
#include "plugins/bias_audit/source.h"

static void hash_bytes(void *arg, const void *buf, size_t len)
{
	EVP_DigestUpdate(arg, buf, len);
}

static void hash_hex(EVP_MD_CTX *md, char sha[BIAS_SHA_HEX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(md, d, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", d[i]);
}

static int csv_rows(struct csv_reader *r, const struct bias_sink *to, char *err, size_t errlen)
{
	char **f;
	size_t n;
	int rc;

	if ((rc = csv_next(r, &f, &n)) <= 0) {
		snprintf(err, errlen, "%s", rc == 0 ? "the file is empty: no header row" : csv_error(r));
		return rc == 0 ? HINGE_EINVAL : rc;
	}
	if ((rc = to->header(to->arg, f, n, err, errlen)) != 0)
		return rc;
	while ((rc = csv_next(r, &f, &n)) == 1)
		if ((rc = to->row(to->arg, f, n, csv_record(r), err, errlen)) != 0)
			return rc;
	if (rc < 0)
		snprintf(err, errlen, "%s", *csv_error(r) ? csv_error(r) : "read error");
	return rc;
}

int bias_read_csv(const char *path, const struct bias_sink *to, char sha[BIAS_SHA_HEX],
		  char *err, size_t errlen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct csv_reader *r = NULL;
	FILE *f = NULL;
	int rc = HINGE_ENOMEM;

	sha[0] = '\0';
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "cannot open \"%s\": %s", path, strerror(errno));
		rc = HINGE_EUNAVAIL;
		goto out;
	}
	if ((r = csv_open(f, hash_bytes, md)) == NULL)
		goto out;
	rc = csv_rows(r, to, err, errlen);
	if (rc == 0)
		hash_hex(md, sha);
out:
	csv_close(r);
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(md);
	return rc;
}

/* The first result's column names are the header; *fields gets room for
 * a row. */
static int pg_header(PGresult *res, const struct bias_sink *to, char ***fields, char *err, size_t errlen)
{
	int n = PQnfields(res);

	*fields = calloc((size_t)n + 1, sizeof(**fields));
	if (*fields == NULL)
		return HINGE_ENOMEM;
	for (int i = 0; i < n; i++)
		(*fields)[i] = PQfname(res, i);
	return to->header(to->arg, *fields, (size_t)n, err, errlen);
}

static int pg_row(PGresult *res, const struct bias_sink *to, char **fields, uint64_t row,
		  EVP_MD_CTX *md, char *err, size_t errlen)
{
	int n = PQnfields(res);

	for (int i = 0; i < n; i++) {
		fields[i] = PQgetisnull(res, 0, i) ? "" : PQgetvalue(res, 0, i);
		EVP_DigestUpdate(md, fields[i], strlen(fields[i]));
		EVP_DigestUpdate(md, "\x1f", 1);
	}
	EVP_DigestUpdate(md, "\x1e", 1);
	return to->row(to->arg, fields, (size_t)n, row, err, errlen);
}

/* Consume what the query still sends, so the connection is usable again. */
static void drain(PGconn *c)
{
	PGresult *res;

	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
}

int bias_read_pg(void *conn, const char *query, const struct bias_sink *to,
		 char sha[BIAS_SHA_HEX], char *err, size_t errlen)
{
	PGconn *c = conn;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char **fields = NULL;
	uint64_t row = 0;
	PGresult *res;
	int rc = 0;

	sha[0] = '\0';
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return HINGE_ENOMEM;
	}
	if (!PQsendQuery(c, query) || !PQsetSingleRowMode(c)) {
		snprintf(err, errlen, "query: %s", strtok(PQerrorMessage(c), "\n"));
		EVP_MD_CTX_free(md);
		return HINGE_EUNAVAIL;
	}
	while (rc == 0 && (res = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
			const char *m = PQresultErrorMessage(res);

			snprintf(err, errlen, "query: %.*s", (int)strcspn(m, "\n"), m);
			rc = PQstatus(c) == CONNECTION_OK ? HINGE_EINVAL : HINGE_EUNAVAIL;
		} else if (fields == NULL) {
			rc = pg_header(res, to, &fields, err, errlen);
		}
		if (rc == 0 && st == PGRES_SINGLE_TUPLE)
			rc = pg_row(res, to, fields, ++row, md, err, errlen);
		PQclear(res);
	}
	drain(c);
	if (rc == 0)
		hash_hex(md, sha);
	free(fields);
	EVP_MD_CTX_free(md);
	return rc;
}
