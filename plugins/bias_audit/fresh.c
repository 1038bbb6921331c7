/*
 * fresh.c - the age rules of audits read by gates.
 */
#include <hinge/plugin.h>

#include "plugins/bias_audit/fresh.h"

int bias_audit_fresh(const json_t *audit, int64_t now_ms, int64_t max_age_ms, int64_t since_ms)
{
	int64_t started = json_integer_value(json_object_get(audit, "started_ms"));
	int64_t finished = json_integer_value(json_object_get(audit, "finished_ms"));

	if (max_age_ms > 0 && now_ms - finished > max_age_ms)
		return HINGE_ENODATA;
	if (since_ms > 0 && started < since_ms)
		return HINGE_ENODATA;
	return 0;
}
