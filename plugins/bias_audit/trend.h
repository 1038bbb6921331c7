/*
 * trend.h - each figure across a series of audits.
 */
#ifndef BIAS_TREND_H
#define BIAS_TREND_H

#include <stdio.h>

#include <jansson.h>

/*
 * From stored audits (bias_store_get documents, oldest first) the series
 * {"audits": [ids], "series": [{"dimension", "figure", "values": [x or
 * null per audit]}]}, a new reference; NULL when out of memory.
 */
json_t *bias_trend(const json_t *audits);

/* The trend as a text table: one row per figure, one column per audit. */
void bias_trend_print(FILE *out, const json_t *trend);

#endif
