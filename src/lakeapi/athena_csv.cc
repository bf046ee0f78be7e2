#include "lakeapi/athena_csv.h"

namespace tributary::lakeapi {

void AppendCsvRow(const CsvRow& row, std::string* out) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!row[i]) continue;
    out->push_back('"');
    for (char c : *row[i]) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  }
  out->push_back('\n');
}

std::string ResultCsv(const query::QueryResult& result) {
  std::string out;
  CsvRow header(result.column_names.begin(), result.column_names.end());
  AppendCsvRow(header, &out);
  for (const auto& row : result.rows) AppendCsvRow(row, &out);
  return out;
}

Result<CsvRowReader> CsvRowReader::Open(const std::string& path, uint64_t offset) {
  CsvRowReader r;
  r.in_ = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*r.in_) return Status::NotFound("cannot open result file " + path);
  r.in_->seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(r.in_->tellg());
  if (offset > size) return Status::InvalidArgument("offset past the end of the result file");
  r.in_->seekg(static_cast<std::streamoff>(offset));
  r.offset_ = offset;
  return r;
}

int CsvRowReader::Get() {
  int c = in_->get();
  if (c != std::char_traits<char>::eof()) ++offset_;
  return c;
}

Result<std::optional<CsvRow>> CsvRowReader::Next() {
  constexpr int kEof = std::char_traits<char>::eof();
  int c = Get();
  if (c == kEof) return std::optional<CsvRow>();
  CsvRow row;
  while (true) {
    if (c == '"') {
      std::string value;
      while (true) {
        c = Get();
        if (c == kEof) return Status::DataLoss("result file: unterminated quoted value");
        if (c == '"') {
          if (in_->peek() == '"') {
            Get();
            value.push_back('"');
            continue;
          }
          break;
        }
        value.push_back(static_cast<char>(c));
      }
      row.emplace_back(std::move(value));
      c = Get();
    } else {
      row.emplace_back(std::nullopt);  // empty unquoted: NULL
    }
    if (c == ',') {
      c = Get();
      continue;
    }
    if (c == '\n' || c == kEof) break;
    return Status::DataLoss("result file: unexpected character after a value");
  }
  return std::optional<CsvRow>(std::move(row));
}

}  // namespace tributary::lakeapi
