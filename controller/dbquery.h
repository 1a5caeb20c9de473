/* dbquery.h - the MongoDB-style queries the stock client sends in db_request, matched
 * the way the stock DictDB does (dictdb.py): {key: value} for equality, or
 * {key: {"$op": arg, ...}} with $lt $gt $lte $gte $eq $ne $in $nin $all $mod $exists.
 * Dates travel as ISO 8601 strings; two strings that both read as dates are compared as
 * dates (so "...:52Z" equals "...:52.000000Z"), other strings as text, numbers as
 * numbers. Values that cannot be ordered (None, or a date against a number) do not
 * match an ordering operator (the stock hub raises TypeError for the whole query). */
#ifndef IPPC_DBQUERY_H
#define IPPC_DBQUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "records.h"

/* Parse an ISO 8601 date ("2026-11-25T12:02:52.109945Z", offsets +HH:MM, no zone = UTC)
 * into microseconds since the epoch. Returns 0 / -1 (not a date). */
int ippc_date_parse(const char *s, int64_t *us);

/* Check a query before running it: NULL when fine, else error content for the reply. */
json_t *ippc_dbquery_check(const json_t *query);
bool ippc_dbquery_match(const ippc_record_t *rec, const json_t *query);

#endif
