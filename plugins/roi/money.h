/*
 * money.h - money in integer minor units: currencies, the lines a balance
 * transaction adds to (gross, refunds, disputes, fees, other), totals per
 * currency, and conversion to one reporting currency.
 *
 * Nothing here allocates but struct roi_ledger, which roi_ledger_free
 * releases.  Amounts are int64_t minor units (cents, yen, fils), signed.
 */
#ifndef ROI_MONEY_H
#define ROI_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* The lines of a report.  Net is derived: see roi_totals_net. */
enum roi_line { ROI_GROSS, ROI_REFUNDS, ROI_DISPUTES, ROI_FEES, ROI_OTHER, ROI_NLINES };

/* The names of the lines, "gross" ... "other", indexed by enum roi_line. */
extern const char *const roi_line_names[ROI_NLINES];

/* One Stripe balance transaction, as much of it as a report needs. */
struct roi_txn {
	char id[64];
	int64_t created;     /* unix seconds */
	char category[40];   /* Stripe's reporting_category */
	char currency[4];    /* lower-case ISO 4217 code */
	int64_t amount;      /* gross amount, minor units, signed as Stripe gives it */
	int64_t fee;         /* Stripe's fee on it, minor units */
};

struct roi_totals {
	int64_t line[ROI_NLINES];
	int64_t count;       /* transactions that added to a line */
	int64_t charges;     /* of which charges */
	int64_t refunded;    /* of which refunds */
};

/*
 * The decimals of a currency's minor unit: 0 for zero-decimal currencies
 * (jpy, krw, ...), 3 for bhd, jod, kwd, omr and tnd, 2 for every other
 * well-formed code; -1 when code is not three lower-case letters.
 */
int roi_currency_decimals(const char *code);

/*
 * Add one transaction to totals.  Returns 1 when it counts toward revenue,
 * 0 when it is a movement of money that does not (payouts, transfers,
 * top-ups, reserves) and left totals alone.
 */
int roi_totals_add(struct roi_totals *t, const struct roi_txn *x);

/* gross - refunds - disputes - fees + other: what Stripe's net sums to. */
int64_t roi_totals_net(const struct roi_totals *t);

/* Add b's lines and counts to a's. */
void roi_totals_merge(struct roi_totals *a, const struct roi_totals *b);

/* Totals per currency, in order of first appearance. */
struct roi_ledger {
	size_t n, cap;
	struct roi_ledger_row {
		char currency[4];
		struct roi_totals t;
	} *rows;
};

/*
 * The row of currency, added (zeroed) when missing.  NULL when out of
 * memory.  The pointer is valid until the next call on the ledger.
 */
struct roi_totals *roi_ledger_get(struct roi_ledger *l, const char *currency);

/* Add a transaction to its currency's row: 0, or HINGE_ENOMEM. */
int roi_ledger_add(struct roi_ledger *l, const struct roi_txn *x);

/* Release the rows; the ledger is empty and reusable afterwards. */
void roi_ledger_free(struct roi_ledger *l);

/*
 * Exchange rates to one reporting currency: rate[i] is how many major
 * units of the reporting currency one major unit of code[i] buys, kept as
 * an integer in billionths so that conversion is exact integer arithmetic.
 */
struct roi_rates {
	char to[4];
	size_t n;
	struct roi_rate {
		char code[4];
		int64_t nano;
	} *rate;
};

/*
 * Parse a decimal rate text ("1.0825") into billionths.  0, or
 * HINGE_EINVAL when text is not a positive decimal with at most nine
 * decimals.
 */
int roi_rate_parse(const char *text, int64_t *nano);

/*
 * Convert minor units of from into minor units of rates->to, rounding
 * half away from zero.  The reporting currency converts to itself.
 * 0, or HINGE_ENODATA when rates has no rate for from.
 */
int roi_convert(const struct roi_rates *rates, const char *from, int64_t minor, int64_t *out);

/*
 * Format minor units of code as a decimal ("-12.34", "500", "1.234") into
 * buf of len bytes; returns buf.
 */
char *roi_money_format(int64_t minor, const char *code, char *buf, size_t len);

/*
 * Parse a decimal ("12.345678", "-3", "0.5") into minor units with the
 * given decimals, rounding half away from zero.  0, or HINGE_EINVAL.
 */
int roi_money_parse(const char *text, int decimals, int64_t *out);

#endif
