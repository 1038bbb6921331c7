/*
 * report.h - an audit as a Markdown report for people.
 */
#ifndef BIAS_REPORT_H
#define BIAS_REPORT_H

#include <stdio.h>

#include <jansson.h>

/*
 * Write the audit (the document bias_store_get returns) as Markdown to
 * out: verdict, input and its checksum, reasons, and per dimension a table
 * of groups and one of figures.  Returns 0, or -1 when out fails.
 */
int bias_report_markdown(FILE *out, const json_t *audit);

#endif
