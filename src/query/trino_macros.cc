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

      // JSON. Trino's json_extract_scalar returns NULL when the path selects an object or array;
      // DuckDB's json_extract_string would return its JSON text.
      "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS CASE "
      "WHEN json_type(json_extract(j, p)) IN ('OBJECT', 'ARRAY') THEN NULL "
      "ELSE json_extract_string(j, p) END",
      "CREATE OR REPLACE MACRO json_parse(s) AS json(s)",
      "CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)",

      // Aggregates, strings, arrays.
      "CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x)",
      "CREATE OR REPLACE MACRO approx_percentile(x, p) AS approx_quantile(x, p)",
      "CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
      "CREATE OR REPLACE MACRO levenshtein_distance(a, b) AS levenshtein(a, b)",
      "CREATE OR REPLACE MACRO array_join(a, sep) AS array_to_string(a, sep)",
  };
  return kMacros;
}

}  // namespace tributary::query
