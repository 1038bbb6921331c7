/*
 * probe_run.c - the counterfactual probe: for a sample of records, ask
 * the model for a score as recorded and with the protected attribute
 * swapped, and count the decisions that flip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "plugins/bias_audit/bias.h"
#include "plugins/bias_audit/http.h"
#include "plugins/bias_audit/probe.h"
#include "plugins/bias_audit/stats.h"
#include "plugins/bias_audit/store.h"

struct flips {
	uint64_t probed, skipped, up, down;
};


/* The model's decision for one request. */
static int decide(struct bias *b, CURL *c, const json_t *req, int *sel, char *err, size_t errlen)
{
	const struct bias_http_opts o = {
		.timeout_ms = (long)b->h->setting_ms(b->p, "probe_timeout"),
		.ca_bundle = b->h->http_ca_bundle(b->p),
		.proxy = b->h->http_proxy(b->p),
	};
	char *body = json_dumps(req, JSON_COMPACT), *answer = NULL;
	json_t *doc;
	double score;
	int rc;

	if (body == NULL)
		return HINGE_ENOMEM;
	rc = bias_http_post(c, b->h->setting_str(b->p, "probe_url"), body, &o, &answer, err, errlen);
	free(body);
	if (rc != 0)
		return rc;
	doc = json_loads(answer, 0, NULL);
	free(answer);
	if (doc == NULL) {
		snprintf(err, errlen, "probe_url: the model's answer is not JSON");
		return HINGE_EFAIL;
	}
	rc = bias_probe_score(doc, b->h->setting_str(b->p, "probe_score_path"), &score, err, errlen);
	json_decref(doc);
	if (rc != 0)
		return HINGE_EFAIL;
	*sel = score >= b->h->setting_double(b->p, "probe_threshold");
	return 0;
}

/* One record, as recorded and swapped. */
static int probe_one(struct bias *b, CURL *c, const struct bias_sample *s, size_t i,
		     struct flips *f, char *err, size_t errlen)
{
	const char *attr = b->h->setting_str(b->p, "probe_attribute");
	const json_t *tmpl = (const json_t *)b->h->setting_json(b->p, "probe_request");
	const json_t *swap = (const json_t *)b->h->setting_json(b->p, "probe_swap");
	char *const *names = bias_sample_names(s), *const *fields = bias_sample_fields(s, i);
	size_t n = bias_sample_width(s), col;
	const char *other;
	json_t *orig, *cf;
	int a = 0, z = 0, rc;

	for (col = 0; col < n && strcmp(names[col], attr) != 0; col++)
		;
	if (col == n) {
		snprintf(err, errlen, "probe_attribute: column \"%s\" is not in the input", attr);
		return HINGE_EINVAL;
	}
	if ((other = json_string_value(json_object_get(swap, fields[col]))) == NULL) {
		f->skipped++;
		return 0;
	}
	orig = bias_probe_request(tmpl, names, fields, n, attr, fields[col], err, errlen);
	cf = orig ? bias_probe_request(tmpl, names, fields, n, attr, other, err, errlen) : NULL;
	rc = cf == NULL ? HINGE_EINVAL : decide(b, c, orig, &a, err, errlen);
	if (rc == 0)
		rc = decide(b, c, cf, &z, err, errlen);
	json_decref(orig);
	json_decref(cf);
	if (rc != 0)
		return rc;
	f->probed++;
	f->up += !a && z;
	f->down += a && !z;
	return 0;
}

static int probe_all(struct bias *b, const struct bias_sample *s, struct flips *f,
		     char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	int rc = c ? 0 : HINGE_ENOMEM;

	for (size_t i = 0; rc == 0 && i < bias_sample_size(s); i++) {
		char why[480];

		if ((rc = probe_one(b, c, s, i, f, why, sizeof(why))) != 0)
			snprintf(err, errlen, "row %llu: %s", (unsigned long long)bias_sample_rowno(s, i), why);
	}
	curl_easy_cleanup(c);
	return rc;
}

/* The verdict and figures into doc. */
static void conclude(struct bias *b, json_t *doc, int rc, const struct flips *f, const char *err)
{
	double limit = b->h->setting_double(b->p, "flip_rate_max");
	const char *verdict = "INCONCLUSIVE";
	json_t *reasons = json_array();
	struct bias_prop rate;
	char msg[128];

	bias_wilson(f->up + f->down, f->probed, b->policy.z, &rate);
	if (rc != 0)
		json_array_append_new(reasons, json_string(err));
	else if (!rate.defined)
		json_array_append_new(reasons, json_string("no record of the sample could be swapped "
							   "(see probe_swap)"));
	else if (rate.p > limit) {
		verdict = "FAIL";
		snprintf(msg, sizeof(msg), "flip rate %.4f > %g", rate.p, limit);
		json_array_append_new(reasons, json_string(msg));
	} else {
		verdict = "PASS";
	}
	json_object_set_new(doc, "verdict", json_string(verdict));
	json_object_set_new(doc, "reasons", reasons);
	json_object_set_new(doc, "flip_rate", rc == 0 && rate.defined ? json_real(rate.p) : json_null());
	json_object_set_new(doc, "flip_rate_interval", rc == 0 && rate.defined
			    ? json_pack("[f, f]", rate.lo, rate.hi) : json_null());
	json_object_set_new(doc, "flip_rate_max", json_real(limit));
	json_object_set_new(doc, "probed", json_integer((json_int_t)f->probed));
	json_object_set_new(doc, "skipped", json_integer((json_int_t)f->skipped));
	json_object_set_new(doc, "flips_up", json_integer((json_int_t)f->up));
	json_object_set_new(doc, "flips_down", json_integer((json_int_t)f->down));
}

static int store(struct bias *b, json_t *doc)
{
	struct hinge_db *db;
	int rc;

	if ((rc = b->h->db_open(b->p, &db)) != 0)
		return rc;
	if ((rc = b->h->db_begin(db)) == 0) {
		rc = bias_store_probe_insert(b->h->db_sqlite(db), doc);
		if (rc == 0)
			rc = b->h->db_commit(db);
		else
			b->h->db_rollback(db);
	}
	b->h->db_close(db);
	return rc;
}

/* Sample the input and probe it; rc as bias_probe_run. */
static int sample_and_probe(struct bias *b, const char *csv_path, json_t *doc, struct flips *f,
			    char *err, size_t errlen)
{
	struct bias_sample *s = bias_sample_new((size_t)b->h->setting_int(b->p, "probe_sample"),
						(uint64_t)b->h->setting_int(b->p, "probe_seed"));
	const struct bias_sink to = { bias_sample_header, bias_sample_row, s };
	char source[1100] = "", sha[BIAS_SHA_HEX] = "";
	int rc;

	if (s == NULL)
		return HINGE_ENOMEM;
	if ((rc = bias_http_url_ok(b->h->setting_str(b->p, "probe_url"), err, errlen)) == 0)
		rc = bias_read_input(b, csv_path, &to, source, sizeof(source), sha, err, errlen);
	json_object_set_new(doc, "source", json_string(source));
	json_object_set_new(doc, "input_sha256", json_string(sha));
	json_object_set_new(doc, "sample", json_integer((json_int_t)bias_sample_size(s)));
	if (rc == 0)
		rc = probe_all(b, s, f, err, errlen);
	bias_sample_free(s);
	return rc;
}

static int probe_run(struct bias *b, const char *csv_path, json_t **probe)
{
	struct flips f = { 0 };
	char err[600] = "";
	json_t *doc;
	int rc;

	*probe = NULL;
	if (b->h->setting_str(b->p, "probe_url") == NULL || b->h->setting_json(b->p, "probe_request") == NULL ||
	    b->h->setting_str(b->p, "probe_attribute") == NULL || b->h->setting_json(b->p, "probe_swap") == NULL) {
		b->h->log(b->p, HINGE_LOG_ERROR, "%s: the probe needs probe_url, probe_request, "
			  "probe_attribute and probe_swap", b->h->setting_where(b->p, "probe_url"));
		return HINGE_EINVAL;
	}
	doc = json_pack("{s:s, s:I, s:s}", "schema", "hinge.bias_audit.probe/1", "started_ms",
			(json_int_t)bias_now_ms(), "attribute", b->h->setting_str(b->p, "probe_attribute"));
	if (doc == NULL)
		return HINGE_ENOMEM;
	rc = sample_and_probe(b, csv_path, doc, &f, err, sizeof(err));
	if (rc == HINGE_ENOMEM) {
		json_decref(doc);
		return rc;
	}
	if (rc != 0)
		b->h->log(b->p, HINGE_LOG_ERROR, "the probe is inconclusive: %s", err);
	conclude(b, doc, rc, &f, err);
	json_object_set_new(doc, "finished_ms", json_integer((json_int_t)bias_now_ms()));
	if (store(b, doc) != 0) {
		json_decref(doc);
		return HINGE_EUNAVAIL;
	}
	*probe = doc;
	if (rc == HINGE_EUNAVAIL)
		return rc;
	return strcmp(json_string_value(json_object_get(doc, "verdict")), "PASS") == 0 ? 0 : HINGE_EFAIL;
}

int bias_probe_run(struct bias *b, const char *csv_path, json_t **probe)
{
	int rc;

	*probe = NULL;
	if ((rc = bias_has_input(b, csv_path)) != 0)
		return rc;
	pthread_mutex_lock(&b->lock);
	rc = probe_run(b, csv_path, probe);
	pthread_mutex_unlock(&b->lock);
	return rc;
}
