// Helpers for building DuckDB SQL text and for screening user SQL before DuckDB sees it.
//
// Thread-safety: free functions over values; safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary::query {

// "name", with embedded double quotes doubled: safe for any table or column name.
std::string QuoteIdentifier(std::string_view name);

// 'text', with embedded single quotes doubled (DuckDB strings never treat '\' as an escape).
std::string QuoteStringLiteral(std::string_view text);

// `sql` without leading/trailing whitespace and trailing semicolons, so one statement can be
// embedded as a subquery.
std::string_view TrimStatement(std::string_view sql);

// The complete statements in `text`, for a shell that reads SQL line by line: each ends at a ';'
// outside strings, quoted identifiers and comments. Statements are returned without their ';'
// and surrounding whitespace; empty ones (";;", a lone comment) are dropped. The text after the
// last such ';' (an unfinished statement) goes to *rest unless rest is nullptr.
std::vector<std::string> SplitStatements(std::string_view text, std::string* rest);

// The name of a built-in DuckDB function that user SQL may not call, if `sql` calls one.
//
// Some table functions have effects beyond reading the lake that DuckDB's configuration lock
// does not stop: enable_logging(storage := 'file', storage_path := ...) writes files,
// enable_profiling/checkpoint change engine state, arrow_scan dereferences raw pointers,
// query()/query_table()/json_execute_serialized_sql() run SQL text that was built at run time.
// The check is deliberately textual and conservative: it scans the raw text (string literals
// and comments included) for a listed name, as a whole word in any letter case, followed by
// optional quotes, whitespace and comments and then '('. A false positive is an error message;
// a miss is impossible because DuckDB has no way to spell an identifier other than literally.
std::optional<std::string> FindDeniedFunctionCall(std::string_view sql);

// The leading keyword of `sql` if the statement is not one that only reads, else nullopt.
//
// Read-only statements start (after comments and opening parentheses) with SELECT, WITH, FROM,
// VALUES, TABLE, SHOW, DESCRIBE/DESC, SUMMARIZE, PIVOT/UNPIVOT, or EXPLAIN [ANALYZE] followed by
// one of those. This is checked before DuckDB prepares the statement because preparing already
// has effects for some statements (EXPORT DATABASE creates its directory) and EXPLAIN ANALYZE
// runs its statement; QueryEngine checks the prepared statement type as well.
std::optional<std::string> FindNonReadOnlyStatement(std::string_view sql);

// Trino's date_parse/date_format format codes (MySQL style) as DuckDB strptime/strftime codes:
// %i -> %M (minutes), %s -> %S, %M -> %B (month name), %W -> %A, %h -> %I, %T -> %H:%M:%S,
// %r -> %I:%M:%S %p, %c %e %k %l -> %-m %-d %-H %-I; %% and the codes both share (%Y %y %m %d
// %H %I %S %f %p %a %b %j %w) are kept. Codes DuckDB lacks (%D %U %u %V %v %X %x) are kept too,
// and DuckDB reports them.
std::string MysqlToDuckDbDateFormat(std::string_view format);

// Trino's format_datetime/parse_datetime patterns (Joda-Time) as DuckDB strftime/strptime codes:
// yyyy/yyy/y -> %Y, yy -> %y, xxxx -> %G, w/ww -> %V, e -> %u, E..EEE -> %a, EEEE -> %A,
// D -> %-j, DDD -> %j, M -> %-m, MM -> %m, MMM -> %b, MMMM -> %B, d -> %-d, dd -> %d, a -> %p,
// h -> %-I, hh -> %I, H -> %-H, HH -> %H, m -> %-M, mm -> %M, s -> %-S, ss -> %S, SSS -> %g
// (milliseconds), SSSSSS -> %f, SSSSSSSSS -> %n; the zone letters print the session zone, which
// is always UTC: z and ZZZ -> "UTC", Z -> "+0000", ZZ -> "+00:00". 'quoted text' and every
// non-letter are literal ('' is a quote). InvalidArgument for letters Joda rejects or DuckDB cannot
// express (G, C, K, k, S counts other than 3, 6 and 9, ...), as Trino rejects an illegal pattern.
Result<std::string> JodaToDuckDbDateFormat(std::string_view pattern);

// `sql` with the format argument of every call whose format is a string literal translated for
// DuckDB: date_parse(x, '<literal>') and date_format(x, '<literal>') by MysqlToDuckDbDateFormat,
// format_datetime(x, '<literal>') and parse_datetime(x, '<literal>') by JodaToDuckDbDateFormat
// (whose error is returned, naming the pattern). Calls whose format is not a plain string literal
// are left alone. Strings, quoted identifiers and comments are skipped, so only real calls are
// touched.
Result<std::string> RewriteTrinoDateFormats(std::string_view sql);

}  // namespace tributary::query
