#include "query/trino_macros.h"

namespace tributary::query {

const std::vector<std::string>& TrinoCompatibilityMacros() {
  static const std::vector<std::string> kMacros = {
      // Dates and times. date_parse/date_format take MySQL-style format codes; Execute()
      // rewrites a literal format to DuckDB's codes before DuckDB sees it
      // (RewriteTrinoDateFormats in sql_text.h), because strptime/strftime need a constant
      // format and a macro cannot compute one.
      "CREATE OR REPLACE MACRO date_parse(s, f) AS strptime(s, f)",
      "CREATE OR REPLACE MACRO date_format(ts, f) AS strftime(ts, f)",
      // format_datetime/parse_datetime take Joda patterns, rewritten the same way
      // (JodaToDuckDbDateFormat). parse_datetime returns TIMESTAMP WITH TIME ZONE, as in Trino.
      "CREATE OR REPLACE MACRO format_datetime(ts, f) AS strftime(ts, f)",
      "CREATE OR REPLACE MACRO parse_datetime(s, f) AS CAST(strptime(s, f) AS TIMESTAMPTZ)",
      "CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
      "CREATE OR REPLACE MACRO from_iso8601_date(s) AS CAST(s AS DATE)",
      "CREATE OR REPLACE MACRO from_unixtime(n) AS to_timestamp(n)",
      "CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts)",
      // Trino: DATE -> 2024-05-01, TIMESTAMP -> 2024-05-01T10:00:00.123,
      // TIMESTAMP WITH TIME ZONE -> 2024-05-01T10:00:00.123Z (session zone is UTC).
      "CREATE OR REPLACE MACRO to_iso8601(x) AS CASE typeof(x) "
      "WHEN 'DATE' THEN strftime(CAST(x AS DATE), '%Y-%m-%d') "
      "WHEN 'TIMESTAMP WITH TIME ZONE' THEN "
      "strftime(CAST(x AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%S.%gZ') "
      "ELSE strftime(CAST(x AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') END",
      // Trino's day_of_week/dow is ISO (Monday=1 .. Sunday=7); DuckDB's dayofweek is 0=Sunday.
      "CREATE OR REPLACE MACRO day_of_week(x) AS isodow(x)",
      "CREATE OR REPLACE MACRO dow(x) AS isodow(x)",
      "CREATE OR REPLACE MACRO day_of_month(x) AS dayofmonth(x)",
      "CREATE OR REPLACE MACRO day_of_year(x) AS dayofyear(x)",
      "CREATE OR REPLACE MACRO doy(x) AS dayofyear(x)",
      "CREATE OR REPLACE MACRO week_of_year(x) AS week(x)",
      "CREATE OR REPLACE MACRO year_of_week(x) AS isoyear(x)",
      "CREATE OR REPLACE MACRO yow(x) AS isoyear(x)",
      "CREATE OR REPLACE MACRO last_day_of_month(x) AS last_day(x)",
      "CREATE OR REPLACE MACRO current_timezone() AS current_setting('TimeZone')",
      // DuckDB's millisecond() includes the seconds (5.123 s -> 5123); Trino's is 0..999.
      "CREATE OR REPLACE MACRO millisecond(x) AS system.main.millisecond(x) % 1000",

      // date_add(unit, n, x) and date_diff(unit, a, b) with Trino's unit names (case-insensitive:
      // millisecond, second, minute, hour, day, week, month, quarter, year). A DATE stays a DATE
      // and accepts only day..year, as in Trino; month arithmetic clamps to the month's end
      // (2024-01-31 + 1 month = 2024-02-29) in both. DuckDB's own two-argument date_add(x,
      // interval) keeps working. date_diff counts whole units like Trino (DuckDB's own date_diff
      // counts boundaries crossed: 10:59 -> 11:01 is 1 hour there, 0 in Trino); DuckDB's
      // date_sub(unit, a, b) counts whole units, so date_diff is that.
      R"(CREATE OR REPLACE MACRO trino_interval(unit, n) AS CASE lower(unit)
         WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n)
         WHEN 'minute' THEN to_minutes(n) WHEN 'hour' THEN to_hours(n)
         WHEN 'day' THEN to_days(CAST(n AS INTEGER)) WHEN 'week' THEN to_weeks(CAST(n AS INTEGER))
         WHEN 'month' THEN to_months(CAST(n AS INTEGER))
         WHEN 'quarter' THEN to_months(CAST(3 * n AS INTEGER))
         WHEN 'year' THEN to_years(CAST(n AS INTEGER))
         ELSE error('''' || unit || ''' is not a valid TIMESTAMP field') END)",
      R"(CREATE OR REPLACE MACRO date_add(unit VARCHAR, n BIGINT, x DATE) AS
         CASE WHEN lower(unit) IN ('day', 'week', 'month', 'quarter', 'year')
         THEN CAST(x + trino_interval(unit, n) AS DATE)
         ELSE error('''' || unit || ''' is not a valid DATE field') END,
         (unit VARCHAR, n BIGINT, x TIMESTAMP) AS x + trino_interval(unit, n),
         (unit VARCHAR, n BIGINT, x TIMESTAMPTZ) AS x + trino_interval(unit, n),
         (x, i) AS x + i)",
      R"(CREATE OR REPLACE MACRO date_diff(unit, a, b) AS CASE WHEN lower(unit) IN
         ('millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year')
         THEN date_sub(lower(unit), a, b)
         ELSE error('''' || unit || ''' is not a valid TIMESTAMP field') END)",

      // JSON. Trino's json_extract_scalar returns NULL when the path selects an object or array;
      // DuckDB's json_extract_string would return its JSON text.
      "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS CASE "
      "WHEN json_type(json_extract(j, p)) IN ('OBJECT', 'ARRAY') THEN NULL "
      "ELSE json_extract_string(j, p) END",
      "CREATE OR REPLACE MACRO json_parse(s) AS json(s)",
      "CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)",

      // Aggregates, strings, arrays.
      "CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x), "
      "(x, e) AS approx_count_distinct(x)",
      "CREATE OR REPLACE MACRO approx_percentile(x, p) AS approx_quantile(x, p)",
      "CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
      // Trino's regexp_replace replaces every match (DuckDB's, without 'g', only the first) and
      // writes groups as $1 (DuckDB: \1); the two-argument form removes every match. DuckDB's
      // four-argument form (with regex options) is not reachable under this name.
      R"(CREATE OR REPLACE MACRO regexp_replace(s, p) AS system.main.regexp_replace(s, p, '', 'g'),
         (s, p, r) AS system.main.regexp_replace(s, p,
           system.main.regexp_replace(r, '\$(\d)', '\\\1', 'g'), 'g'))",
      // Arrays and maps. element_at is 1-based, counts from the end when negative, and is NULL
      // out of range (Trino errors on 0; this returns NULL); on a map it is the value or NULL
      // (DuckDB's own element_at returns a list). cardinality counts a list's elements, a map's
      // entries or a JSON array's elements (DuckDB's own takes maps only).
      "CREATE OR REPLACE MACRO element_at(c, k) AS c[k]",
      R"(CREATE OR REPLACE MACRO cardinality(c) AS CAST(CASE WHEN typeof(c) LIKE 'MAP(%'
         THEN len(json_keys(to_json(c))) ELSE json_array_length(to_json(c)) END AS BIGINT))",
      "CREATE OR REPLACE MACRO levenshtein_distance(a, b) AS levenshtein(a, b)",
      "CREATE OR REPLACE MACRO array_join(a, sep) AS array_to_string(a, sep)",
  };
  return kMacros;
}

}  // namespace tributary::query
