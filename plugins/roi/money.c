/*
 * money.c - integer money: which line a balance transaction adds to,
 * totals per currency, exact conversion and decimal text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/money.h"

const char *const roi_line_names[ROI_NLINES] = {
	"gross", "refunds", "disputes", "fees", "other",
};

/* Stripe's list of zero-decimal and three-decimal currencies. */
static const char *const zero_decimal[] = {
	"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg",
	"rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf", NULL,
};
static const char *const three_decimal[] = { "bhd", "jod", "kwd", "omr", "tnd", NULL };

/* Movements of money that are not revenue: a payout is our own money. */
static const char *const not_revenue[] = {
	"payout", "payout_reversal", "transfer", "transfer_reversal", "topup",
	"topup_reversal", "connect_reserved_funds", "risk_reserved_funds", NULL,
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

int roi_currency_decimals(const char *code)
{
	if (code == NULL || strlen(code) != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (code[i] < 'a' || code[i] > 'z')
			return -1;
	if (in_list(zero_decimal, code))
		return 0;
	return in_list(three_decimal, code) ? 3 : 2;
}

int roi_totals_add(struct roi_totals *t, const struct roi_txn *x)
{
	const char *c = x->category;

	if (in_list(not_revenue, c))
		return 0;
	/* Refunds and disputes take money out: Stripe signs them negative. */
	if (strcmp(c, "charge") == 0 || strcmp(c, "payment") == 0) {
		t->line[ROI_GROSS] += x->amount;
		t->charges++;
	} else if (strcmp(c, "refund") == 0 || strcmp(c, "refund_failure") == 0 ||
		   strcmp(c, "partial_capture_reversal") == 0) {
		t->line[ROI_REFUNDS] -= x->amount;
		if (strcmp(c, "refund") == 0)
			t->refunded++;
	} else if (strcmp(c, "dispute") == 0 || strcmp(c, "dispute_reversal") == 0) {
		t->line[ROI_DISPUTES] -= x->amount;
	} else if (strcmp(c, "fee") == 0) {
		t->line[ROI_FEES] -= x->amount;
	} else {
		t->line[ROI_OTHER] += x->amount;
	}
	t->line[ROI_FEES] += x->fee;
	t->count++;
	return 1;
}

int64_t roi_totals_net(const struct roi_totals *t)
{
	return t->line[ROI_GROSS] - t->line[ROI_REFUNDS] - t->line[ROI_DISPUTES] -
	       t->line[ROI_FEES] + t->line[ROI_OTHER];
}

void roi_totals_merge(struct roi_totals *a, const struct roi_totals *b)
{
	for (int i = 0; i < ROI_NLINES; i++)
		a->line[i] += b->line[i];
	a->count += b->count;
	a->charges += b->charges;
	a->refunded += b->refunded;
}

struct roi_totals *roi_ledger_get(struct roi_ledger *l, const char *currency)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].currency, currency) == 0)
			return &l->rows[i].t;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct roi_ledger_row *rows = realloc(l->rows, cap * sizeof(*rows));

		if (rows == NULL)
			return NULL;
		l->rows = rows;
		l->cap = cap;
	}
	memset(&l->rows[l->n], 0, sizeof(l->rows[0]));
	strncpy(l->rows[l->n].currency, currency, sizeof(l->rows[0].currency) - 1);
	return &l->rows[l->n++].t;
}

int roi_ledger_add(struct roi_ledger *l, const struct roi_txn *x)
{
	struct roi_totals *t = roi_ledger_get(l, x->currency);

	if (t == NULL)
		return HINGE_ENOMEM;
	roi_totals_add(t, x);
	return 0;
}

void roi_ledger_free(struct roi_ledger *l)
{
	free(l->rows);
	memset(l, 0, sizeof(*l));
}

static int64_t pow10i(int n)
{
	int64_t v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* Digits with an optional sign and point, scaled to decimals; the first
 * dropped digit rounds half away from zero. */
static int parse_decimal(const char *text, int decimals, int64_t *out)
{
	const char *s = text;
	__int128 v = 0;
	int neg = 0, point = 0, frac = 0, digits = 0, round_up = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s != '\0'; s++) {
		if (*s == '.' && !point) {
			point = 1;
			continue;
		}
		if (*s < '0' || *s > '9')
			return HINGE_EINVAL;
		digits++;
		if (point && frac >= decimals) {
			if (frac++ == decimals)
				round_up = *s >= '5';
			continue;
		}
		v = v * 10 + (*s - '0');
		if (v > INT64_MAX)
			return HINGE_EINVAL;
		if (point)
			frac++;
	}
	if (digits == 0)
		return HINGE_EINVAL;
	for (; frac < decimals; frac++)
		if ((v *= 10) > INT64_MAX)
			return HINGE_EINVAL;
	v += round_up;
	if (v > INT64_MAX)
		return HINGE_EINVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int roi_rate_parse(const char *text, int64_t *nano)
{
	int64_t v;

	if (text == NULL || parse_decimal(text, 9, &v) != 0 || v <= 0)
		return HINGE_EINVAL;
	*nano = v;
	return 0;
}

int roi_money_parse(const char *text, int decimals, int64_t *out)
{
	if (text == NULL || decimals < 0)
		return HINGE_EINVAL;
	return parse_decimal(text, decimals, out);
}

int roi_convert(const struct roi_rates *rates, const char *from, int64_t minor, int64_t *out)
{
	__int128 num, den, q;
	int64_t nano = 0;

	if (strcmp(from, rates->to) == 0) {
		*out = minor;
		return 0;
	}
	for (size_t i = 0; i < rates->n; i++)
		if (strcmp(rates->rate[i].code, from) == 0)
			nano = rates->rate[i].nano;
	if (nano == 0 || roi_currency_decimals(from) < 0)
		return HINGE_ENODATA;
	num = (__int128)minor * nano * pow10i(roi_currency_decimals(rates->to));
	den = (__int128)pow10i(roi_currency_decimals(from)) * 1000000000;
	q = num / den;
	/* Round half away from zero: compare twice the remainder with den. */
	if ((num % den) * 2 >= den)
		q++;
	else if ((num % den) * 2 <= -den)
		q--;
	*out = (int64_t)q;
	return 0;
}

char *roi_money_format(int64_t minor, const char *code, char *buf, size_t len)
{
	int d = roi_currency_decimals(code);
	uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t scale = (uint64_t)pow10i(d < 0 ? 2 : d);

	if (d == 0)
		snprintf(buf, len, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)mag);
	else if (d == 3)
		snprintf(buf, len, "%s%llu.%03llu", minor < 0 ? "-" : "",
			 (unsigned long long)(mag / scale), (unsigned long long)(mag % scale));
	else
		snprintf(buf, len, "%s%llu.%02llu", minor < 0 ? "-" : "",
			 (unsigned long long)(mag / scale), (unsigned long long)(mag % scale));
	return buf;
}
