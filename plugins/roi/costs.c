/*
 * costs.c - fixed costs per period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/costs.h"
#include "plugins/roi/money.h"

static int parse_one(const json_t *e, size_t i, int decimals, struct roi_fixed_cost *c,
		     char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(e, "name"));
	const json_t *amount = json_object_get(e, "amount");
	char num[64];

	if (name == NULL || strlen(name) >= sizeof(c->name)) {
		snprintf(err, errlen, "fixed_costs[%zu]: a name (up to 63 characters) is required", i);
		return HINGE_EINVAL;
	}
	strcpy(c->name, name);
	if (json_is_string(amount))
		snprintf(num, sizeof(num), "%s", json_string_value(amount));
	else if (json_is_integer(amount))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(amount));
	else if (json_is_real(amount))
		snprintf(num, sizeof(num), "%.9f", json_real_value(amount));
	else
		num[0] = '\0';
	if (roi_money_parse(num, decimals, &c->amount) != 0 || c->amount < 0) {
		snprintf(err, errlen, "fixed_costs \"%s\": amount must be a decimal of at least 0",
			 name);
		return HINGE_EINVAL;
	}
	if (roi_period_parse(json_string_value(json_object_get(e, "per")), &c->per) != 0) {
		snprintf(err, errlen, "fixed_costs \"%s\": per must be hour, day, week or month",
			 name);
		return HINGE_EINVAL;
	}
	return 0;
}

int roi_fixed_parse(const json_t *list, int decimals, struct roi_fixed_costs *out,
		    char *err, size_t errlen)
{
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (list == NULL)
		return 0;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "fixed_costs must be a list of { name; amount; per; }");
		return HINGE_EINVAL;
	}
	if (json_array_size(list) == 0)
		return 0;
	if ((out->c = calloc(json_array_size(list), sizeof(*out->c))) == NULL)
		return HINGE_ENOMEM;
	for (i = 0; i < json_array_size(list); i++) {
		if ((rc = parse_one(json_array_get(list, i), i, decimals, &out->c[i], err,
				    errlen)) != 0) {
			roi_fixed_free(out);
			return rc;
		}
		out->n++;
	}
	return 0;
}

void roi_fixed_free(struct roi_fixed_costs *f)
{
	free(f->c);
	memset(f, 0, sizeof(*f));
}

int64_t roi_fixed_between(const struct roi_fixed_costs *f, const struct roi_tz *tz,
			  int64_t from, int64_t to)
{
	int64_t total = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct roi_fixed_cost *c = &f->c[i];

		for (int64_t s = roi_period_start(c->per, tz, from); s < to;) {
			int64_t e = roi_period_next(c->per, tz, s);
			int64_t a = s > from ? s : from, b = e < to ? e : to;
			__int128 num = (__int128)c->amount * (b - a);

			total += (int64_t)((num * 2 + (e - s)) / (2 * (e - s)));
			s = e;
		}
	}
	return total;
}
