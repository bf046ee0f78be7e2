// Textual rewrites QueryEngine applies to Athena (Trino) SQL before DuckDB sees it, besides the
// date-format translation of sql_text.h. Each one keeps the query's results; it exists for
// compatibility (qualified names) or so DuckDB can push a filter into the scan (timestamps).
// Strings, quoted identifiers (unless being rewritten) and comments are never changed.
//
// Thread-safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace tributary::query {

// now() and current_timestamp used as an operand of a comparison, as CAST(... AS TIMESTAMP).
//
// Why: in Trino and DuckDB both are TIMESTAMP WITH TIME ZONE, while the lake's timestamp columns
// are TIMESTAMP. For `creation_datetime >= now() - interval '10' minute` DuckDB therefore casts
// the column, on every row, and cannot use the filter to skip Parquet row groups (287 ms instead
// of 7 ms on 10M rows). Why it keeps results: the session time zone is always UTC
// (QueryEngine locks it), where TIMESTAMP <-> TIMESTAMP WITH TIME ZONE is an order-preserving
// one-to-one map, and interval arithmetic and date_trunc on either give the same instant. So a
// comparison against the TIMESTAMP value is true exactly when the original was, whatever the type
// of the other side (a TIMESTAMPTZ side converts the TIMESTAMP back in UTC; DATE and VARCHAR
// sides convert the same way to both types).
//
// Rewritten occurrences (case-insensitive; not after '.', not when already inside a CAST):
//   - directly after a comparison operator (=, <>, !=, <, <=, >, >=), after BETWEEN or the AND
//     of a BETWEEN, opening parentheses allowed in between: `x >= now() - interval '1' hour`,
//     `x BETWEEN current_timestamp - interval '1' day AND now()`;
//   - directly before one, after optional `+`/`-` INTERVAL terms and closing parentheses:
//     `now() - interval '1' hour <= x`;
//   - as the last argument of date_add(unit, n, ...) or date_trunc(unit, ...) whose call is
//     itself such an operand: `x > date_add('minute', -10, now())`.
// Anything else (a select-list `now()`, `to_unixtime(now())`, now() in a function argument) is
// left alone, so what a query returns never changes type.
std::string RewriteCurrentTimestampComparisons(std::string_view sql);

// Athena-style qualified table names reduced to the bare view name: `<db>.<table>` and
// `<catalog>.<db>.<table>` (each part bare or double-quoted, any letter case) become `<table>`
// (as written) when <catalog> is "awsdatacatalog", <db> is in `databases` and <table> is in
// `tables` (both lower-case). Column references qualified the same way (`default.orders.price`)
// keep working since only the `<db>.` / `<catalog>.<db>.` prefix is dropped. Every view lives in
// DuckDB's one schema; the catalog's table names are unique across its databases.
std::string StripCatalogQualifiers(std::string_view sql, const std::set<std::string>& databases,
                                   const std::set<std::string>& tables);

}  // namespace tributary::query
