// Athena's result files: CSV with a header row where every value is double-quoted (a quote
// inside is doubled) and SQL NULL is an empty, unquoted field; rows end with "\n".
//
//   "id","price"
//   "a1","12.5"
//   "a2",
//
// CsvRowReader reads such a file back from a byte offset, which is what GetQueryResults' paging
// token records, so a page costs only the rows it returns.
//
// Thread-safety: value types / one owner.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/query_result.h"

namespace tributary::lakeapi {

using CsvRow = std::vector<std::optional<std::string>>;

// Appends one row.
void AppendCsvRow(const CsvRow& row, std::string* out);
// The whole file: the header (column names) then every row.
std::string ResultCsv(const query::QueryResult& result);

class CsvRowReader {
 public:
  // Opens `path` and seeks to `offset` (which must be the start of a row).
  static Result<CsvRowReader> Open(const std::string& path, uint64_t offset);

  // The next row; nullopt at the end of the file. DataLoss for malformed input.
  Result<std::optional<CsvRow>> Next();
  // Byte offset of the next unread row.
  uint64_t offset() const { return offset_; }

 private:
  CsvRowReader() = default;
  int Get();
  std::unique_ptr<std::ifstream> in_;
  uint64_t offset_ = 0;
};

}  // namespace tributary::lakeapi
