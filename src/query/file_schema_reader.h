// DuckDbFileSchemaReader: the crawler's FileSchemaReader (catalog/crawler.h) on DuckDB's readers:
// read_json (newline-delimited, the whole file sampled), read_csv (header row, dialect sniffed)
// and read_parquet, typed with the catalog's types:
//   integers -> bigint; UBIGINT, HUGEINT, FLOAT, DOUBLE, DECIMAL -> double; BOOLEAN -> boolean;
//   Parquet TIMESTAMP -> timestamp; STRUCT, MAP, lists, JSON -> json; everything else -> string,
//   except that a text column (or one DuckDB guessed as a timestamp/date) is a timestamp when
//   every non-null value has a date and a time and casts to TIMESTAMP (ISO 8601 / RFC 3339:
//   "2024-05-01 10:00:00", "...T10:00:00.123", "...Z", "...+00:00"), which is exactly what the
//   query engine's views read as timestamps. Date-only values and values with a non-zero UTC
//   offset stay strings (the engine's cast would drop the offset).
//
// The database is confined like the query engine's: it can read only the crawled folder
// (enable_external_access=false, allowed_directories, extensions off, configuration locked).
//
// Thread-safety: not thread-safe; one crawl at a time.
#pragma once

#include <memory>
#include <string>

#include "catalog/crawler.h"

namespace tributary::query {

class DuckDbFileSchemaReader final : public catalog::FileSchemaReader {
 public:
  // `directory`: the absolute folder every read file is under.
  static Result<std::unique_ptr<DuckDbFileSchemaReader>> Open(const std::string& directory);
  ~DuckDbFileSchemaReader() override;

  Result<catalog::FileSchema> Read(const std::string& path, catalog::CrawlFormat format,
                                   bool gzip) override;

 private:
  struct Handles;
  explicit DuckDbFileSchemaReader(std::unique_ptr<Handles> handles);
  std::unique_ptr<Handles> handles_;
};

}  // namespace tributary::query
