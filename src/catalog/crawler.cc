#include "catalog/crawler.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <system_error>

#include "catalog/partition_spec.h"
#include "catalog/sqlite_catalog.h"

namespace tributary::catalog {
namespace {

namespace fs = std::filesystem;

constexpr char kSourcePrefix[] = "crawl:";
constexpr char kSourceParam[] = "crawler.source";

struct FoundFile {
  fs::path path;                   // absolute
  std::vector<std::string> dirs;   // folder levels below the source
  int64_t size = 0;
  CrawlFormat format = CrawlFormat::kJson;
  bool gzip = false;
};

bool Hidden(const std::string& name) { return !name.empty() && (name[0] == '.' || name[0] == '_'); }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Up to `n` leading bytes of the file, decompressed when `gzip`.
Result<std::string> Head(const fs::path& path, bool gzip, size_t n) {
  std::string out(n, '\0');
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) return Status::InvalidArgument(path.string() + ": cannot open");
    int got = gzread(f, out.data(), static_cast<unsigned>(n));
    gzclose(f);
    if (got < 0) {
      return Status::InvalidArgument(path.string() + ": not a readable gzip file");
    }
    out.resize(static_cast<size_t>(got));
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path.string() + ": cannot open for reading");
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// Recognises a file by its content: PAR1 magic = Parquet; gzip magic = compressed, then the
// decompressed start decides; '{' first = JSON lines; other printable text = CSV.
Status Classify(FoundFile& file) {
  TRIB_ASSIGN_OR_RETURN(std::string head, Head(file.path, false, 4));
  if (head == "PAR1") {
    file.format = CrawlFormat::kParquet;
    return Status::Ok();
  }
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    file.gzip = true;
  }
  TRIB_ASSIGN_OR_RETURN(std::string text, Head(file.path, file.gzip, 4096));
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) {
    return Status::InvalidArgument(file.path.string() + ": no data (empty or only whitespace)");
  }
  if (text[i] == '{') {
    file.format = CrawlFormat::kJson;
    return Status::Ok();
  }
  if (text[i] == '[') {
    return Status::InvalidArgument(file.path.string() +
                                   ": a JSON array file; the crawler reads JSON lines (one "
                                   "object per line), as Firehose writes them");
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      return Status::InvalidArgument(file.path.string() +
                                     ": unrecognised format (binary content that is neither "
                                     "Parquet, gzip, JSON lines nor CSV)");
    }
  }
  file.format = CrawlFormat::kCsv;
  return Status::Ok();
}

// The name the file gets in the lake: its own, plus the extension the query engine reads it by.
std::string LakeName(const FoundFile& file) {
  std::string name = file.path.filename().string();
  const std::string lower = Lower(name);
  switch (file.format) {
    case CrawlFormat::kParquet:
      return EndsWith(lower, ".parquet") ? name : name + ".parquet";
    case CrawlFormat::kCsv:
      if (file.gzip) return EndsWith(lower, ".csv.gz") ? name : name + ".csv.gz";
      return EndsWith(lower, ".csv") ? name : name + ".csv";
    case CrawlFormat::kJson:
      if (file.gzip) {
        if (EndsWith(lower, ".json.gz")) return name;
        return (EndsWith(lower, ".gz") ? name.substr(0, name.size() - 3) : name) + ".json.gz";
      }
      for (const char* misleading : {".parquet", ".csv", ".gz", ".zst"}) {
        if (EndsWith(lower, misleading)) return name + ".json";
      }
      return name;
  }
  return name;
}

// Partition key names from the folder levels of `files` (all at the same depth).
std::vector<std::string> PartitionKeys(const std::vector<FoundFile>& files) {
  const size_t depth = files.front().dirs.size();
  std::vector<std::string> keys;
  for (size_t level = 0; level < depth; ++level) {
    std::string key;
    bool hive = true;
    for (const FoundFile& f : files) {
      const std::string& dir = f.dirs[level];
      const size_t eq = dir.find('=');
      if (eq == std::string::npos || eq == 0) {
        hive = false;
        break;
      }
      auto name = UnescapePathName(dir.substr(0, eq));
      std::string k = name.ok() ? Lower(*name) : "";
      if (k.empty() || (!key.empty() && k != key)) {
        hive = false;
        break;
      }
      key = k;
    }
    keys.push_back(hive ? key : "partition_" + std::to_string(level));
  }
  // A Hive key repeated at two levels cannot name two columns: the later level gets partition_N.
  std::set<std::string> seen;
  for (size_t level = 0; level < keys.size(); ++level) {
    if (!seen.insert(keys[level]).second) keys[level] = "partition_" + std::to_string(level);
  }
  return keys;
}

Result<PartitionValues> ValuesOf(const FoundFile& file, const std::vector<std::string>& keys) {
  PartitionValues values;
  for (size_t level = 0; level < keys.size(); ++level) {
    const std::string& dir = file.dirs[level];
    std::string value = dir;
    const size_t eq = dir.find('=');
    if (eq != std::string::npos && eq > 0) {
      auto name = UnescapePathName(dir.substr(0, eq));
      if (name.ok() && Lower(*name) == keys[level]) {
        auto unescaped = UnescapePathName(dir.substr(eq + 1));
        value = unescaped.ok() ? *unescaped : dir.substr(eq + 1);
      }
    } else if (keys[level] != "partition_" + std::to_string(level)) {
      return Status::InvalidArgument("folder '" + dir + "' (level " + std::to_string(level + 1) +
                                     " of " + file.path.string() + ") is not '" + keys[level] +
                                     "=<value>' like the table's partition key " + keys[level]);
    }
    values.emplace_back(keys[level], std::move(value));
  }
  return values;
}

std::string Relative(const FoundFile& f, const fs::path& root) {
  return f.path.lexically_relative(root).string();
}

Result<std::vector<FoundFile>> Walk(const fs::path& root, std::vector<std::string>& warnings) {
  std::vector<FoundFile> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return Status::InvalidArgument("cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::InvalidArgument("cannot list " + root.string() + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    if (Hidden(name)) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (entry.is_directory(ec)) continue;
    if (!entry.is_regular_file(ec)) continue;
    FoundFile f;
    f.path = entry.path();
    f.size = static_cast<int64_t>(entry.file_size(ec));
    if (f.size == 0) {
      warnings.push_back(Relative(f, root) + ": empty file skipped");
      continue;
    }
    for (const auto& part : f.path.parent_path().lexically_relative(root)) {
      if (part != ".") f.dirs.push_back(part.string());
    }
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(),
            [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
  return files;
}

bool Inside(const fs::path& inner, const fs::path& outer) {
  auto rel = inner.lexically_relative(outer);
  return !rel.empty() && *rel.begin() != "..";
}

// Hard link (or copy) `from` to `to`, replacing a stale `to`. Sets *copied when it copied.
Status Bring(const fs::path& from, const fs::path& to, bool copy, bool* copied) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) return Status::Internal("cannot create " + to.parent_path().string() + ": " + ec.message());
  fs::remove(to, ec);
  *copied = false;
  if (!copy) {
    fs::create_hard_link(from, to, ec);
    if (!ec) return Status::Ok();
  }
  ec.clear();
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::Internal("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  *copied = true;
  return Status::Ok();
}

}  // namespace

std::string_view CrawlFormatName(CrawlFormat format) {
  switch (format) {
    case CrawlFormat::kJson:
      return "json";
    case CrawlFormat::kParquet:
      return "parquet";
    case CrawlFormat::kCsv:
      return "csv";
  }
  return "json";
}

Result<CrawlReport> Crawl(Catalog& catalog, FileSchemaReader& reader, const CrawlOptions& options) {
  TRIB_RETURN_IF_ERROR(ValidateTableName(options.table));
  TRIB_RETURN_IF_ERROR(ValidateTableName(options.database, "database"));
  std::error_code ec;
  const fs::path source = fs::absolute(options.source, ec).lexically_normal();
  const fs::path lake = fs::path(options.lake_root).lexically_normal();
  if (!fs::exists(source, ec)) return Status::NotFound("" + source.string() + " does not exist");
  if (!fs::is_directory(source, ec)) {
    return Status::InvalidArgument("" + source.string() + " is not a folder");
  }
  std::string source_str = source.string();
  while (source_str.size() > 1 && source_str.back() == '/') source_str.pop_back();
  if (source == lake || Inside(source, lake) || Inside(lake, source)) {
    return Status::InvalidArgument("" + source_str + " and the lake " + lake.string() +
                                   " overlap; crawl a folder outside the data directory's lake");
  }

  CrawlReport report;
  TRIB_ASSIGN_OR_RETURN(std::vector<FoundFile> found, Walk(source, report.warnings));
  report.files_found = static_cast<int64_t>(found.size());
  if (found.empty()) {
    return Status::InvalidArgument("no data files under " + source_str +
                                   " (empty files and names starting with '.' or '_' are skipped)");
  }

  // What an earlier run registered.
  std::optional<TableDef> existing;
  std::map<std::string, int64_t> registered;  // source path -> size at registration
  {
    auto table = catalog.GetTable(options.table);
    if (table.ok()) {
      auto it = table->parameters.find(kSourceParam);
      if (it == table->parameters.end() || it->second != source_str) {
        return Status::FailedPrecondition(
            "table '" + options.table + "' already exists and was " +
            (it == table->parameters.end() ? std::string("not created by the crawler")
                                           : "crawled from " + it->second) +
            "; crawl it from the same folder or choose another --table");
      }
      TRIB_ASSIGN_OR_RETURN(std::vector<DataFile> files, catalog.ListFiles(options.table));
      for (const DataFile& f : files) {
        if (f.source.rfind(kSourcePrefix, 0) == 0) {
          registered[f.source.substr(sizeof(kSourcePrefix) - 1)] = f.size_bytes;
        }
      }
      existing = std::move(*table);
    } else if (table.status().code() != StatusCode::kNotFound) {
      return table.status();
    }
  }

  std::vector<FoundFile> fresh;
  int64_t changed = 0;
  std::set<std::string> seen;
  for (FoundFile& f : found) {
    seen.insert(f.path.string());
    auto it = registered.find(f.path.string());
    if (it == registered.end()) {
      fresh.push_back(std::move(f));
    } else {
      ++report.files_already;
      if (it->second != f.size) ++changed;
    }
  }
  if (changed > 0) {
    report.warnings.push_back(std::to_string(changed) +
                              " already crawled file(s) changed size since their crawl; they are "
                              "not re-read (crawl registers new files only)");
  }
  int64_t vanished = 0;
  for (const auto& [path, size] : registered) vanished += seen.count(path) ? 0 : 1;
  if (vanished > 0) {
    report.warnings.push_back(std::to_string(vanished) +
                              " crawled file(s) no longer exist under the source; they stay "
                              "registered (their lake copies keep the data)");
  }

  // Layout: every file at the same depth, partition keys agreeing with the table's.
  std::vector<std::string> keys;
  if (existing) {
    keys = existing->partition_keys;
  } else {
    for (const FoundFile& f : fresh) {
      if (f.dirs.size() != fresh.front().dirs.size()) {
        return Status::InvalidArgument(
            "files at different folder depths under " + source_str + ": '" +
            Relative(fresh.front(), source) + "' (" + std::to_string(fresh.front().dirs.size()) +
            " folder levels) and '" + Relative(f, source) + "' (" + std::to_string(f.dirs.size()) +
            "); Glue would make separate tables: crawl each folder on its own");
      }
    }
    keys = PartitionKeys(fresh);
  }
  report.partition_keys = keys;

  // Formats: one per table (JSON lines plain or gzip count as one).
  std::optional<CrawlFormat> format;
  if (existing) {
    for (CrawlFormat f : {CrawlFormat::kJson, CrawlFormat::kParquet, CrawlFormat::kCsv}) {
      if (existing->format == CrawlFormatName(f)) format = f;
    }
  }
  std::vector<PartitionValues> values(fresh.size());
  const FoundFile* first_of_format = nullptr;
  for (size_t i = 0; i < fresh.size(); ++i) {
    FoundFile& f = fresh[i];
    if (f.dirs.size() != keys.size()) {
      return Status::InvalidArgument("'" + Relative(f, source) + "' is " +
                                     std::to_string(f.dirs.size()) + " folder levels deep, but table '" +
                                     options.table + "' has " + std::to_string(keys.size()) +
                                     " partition levels");
    }
    TRIB_RETURN_IF_ERROR(Classify(f));
    TRIB_ASSIGN_OR_RETURN(values[i], ValuesOf(f, keys));
    if (!format) {
      format = f.format;
      first_of_format = &f;
    } else if (*format != f.format) {
      return Status::InvalidArgument(
          "mixed file formats under " + source_str + ": '" + Relative(f, source) + "' is " +
          std::string(CrawlFormatName(f.format)) + " but " +
          (first_of_format != nullptr ? "'" + Relative(*first_of_format, source) + "' is "
                                      : "table '" + options.table + "' holds ") +
          std::string(CrawlFormatName(*format)) + "; a table has one format: crawl them separately");
    }
  }
  report.format = std::string(CrawlFormatName(format.value_or(CrawlFormat::kJson)));

  // Read every new file's schema before registering anything.
  CrawlProgress progress;
  progress.files_total = static_cast<int64_t>(fresh.size());
  std::vector<FileSchema> schemas;
  schemas.reserve(fresh.size());
  std::vector<Column> observed;
  for (const FoundFile& f : fresh) {
    auto schema = reader.Read(f.path.string(), f.format, f.gzip);
    if (!schema.ok()) {
      return Status::InvalidArgument("cannot read " + f.path.string() + " as " +
                                     std::string(CrawlFormatName(f.format)) +
                                     (f.gzip ? " (gzip)" : "") + ": " + schema.status().message());
    }
    for (const Column& c : schema->columns) observed.push_back(c);
    schemas.push_back(std::move(*schema));
    ++progress.files_read;
    if (options.progress && progress.files_read % 100 == 0) options.progress(progress);
  }
  progress.phase = "registering";
  size_t gzip = 0;
  for (const FoundFile& f : fresh) gzip += f.gzip ? 1 : 0;

  if (!existing) {
    TableDef def;
    def.name = options.table;
    def.database = options.database;
    def.location = options.table;
    def.format = report.format;
    def.partition_keys = keys;
    def.parameters = {{kSourceParam, source_str},
                      {"classification", report.format},
                      {"compressionType", gzip == 0 ? "none" : gzip == fresh.size() ? "gzip" : "mixed"},
                      {"UPDATED_BY_CRAWLER", "tributary crawl"}};
    if (*format == CrawlFormat::kCsv) def.parameters["skip.header.line.count"] = "1";
    const fs::path folder = lake / def.location;
    if (fs::exists(folder, ec) && !fs::is_empty(folder, ec)) {
      return Status::FailedPrecondition("the lake folder " + folder.string() +
                                        " already exists and is not empty; choose another --table");
    }
    TRIB_RETURN_IF_ERROR(catalog.EnsureTable(def));
    report.created = true;
  }
  TRIB_ASSIGN_OR_RETURN(TableDef table, catalog.GetTable(options.table));

  // Register in batches: link under '_' names, commit, rename (the delivery commit protocol).
  const size_t batch = static_cast<size_t>(std::max(1, options.batch_files));
  for (size_t start = 0; start < fresh.size(); start += batch) {
    const size_t end = std::min(fresh.size(), start + batch);
    std::vector<DataFile> files;
    std::vector<std::pair<fs::path, fs::path>> renames;
    std::vector<Column> batch_columns;
    for (size_t i = start; i < end; ++i) {
      const FoundFile& f = fresh[i];
      const std::string spec = FormatPartitionSpec(values[i]);
      const std::string relative =
          table.location + "/" + (spec.empty() ? "" : spec + "/") + LakeName(f);
      const fs::path final_path = lake / relative;
      const fs::path temp_path = final_path.parent_path() / ("_" + final_path.filename().string());
      bool copied = false;
      TRIB_RETURN_IF_ERROR(Bring(f.path, temp_path, options.copy, &copied));
      report.files_copied += copied ? 1 : 0;
      DataFile file;
      file.path = relative;
      file.partition_values = values[i];
      file.row_count = schemas[i].rows;
      file.size_bytes = f.size;
      file.source = kSourcePrefix + f.path.string();
      files.push_back(std::move(file));
      renames.emplace_back(temp_path, final_path);
      for (const Column& c : schemas[i].columns) batch_columns.push_back(c);
      progress.rows += schemas[i].rows;
      progress.bytes += f.size;
    }
    // The first batch carries every observed column, so the schema is complete from the start.
    Status s = catalog.CommitFiles(options.table, start == 0 ? observed : batch_columns, files, {});
    if (!s.ok()) {
      for (const auto& [temp, final_path] : renames) fs::remove(temp, ec);
      return s;
    }
    for (const auto& [temp, final_path] : renames) {
      fs::rename(temp, final_path, ec);
      if (ec) {
        return Status::Internal("registered " + final_path.string() +
                                " but could not rename it into place: " + ec.message());
      }
    }
    progress.files_done = static_cast<int64_t>(end);
    if (options.progress) options.progress(progress);
  }
  if (fresh.empty() && options.progress) options.progress(progress);

  report.files_registered = static_cast<int64_t>(fresh.size());
  report.rows = progress.rows;
  report.bytes = progress.bytes;
  TRIB_ASSIGN_OR_RETURN(table, catalog.GetTable(options.table));
  report.schema_version = table.schema_version;
  auto compression = table.parameters.find("compressionType");
  if (compression != table.parameters.end()) report.compression = compression->second;
  const int64_t runs = [&] {
    auto it = table.parameters.find("crawler.runs");
    return it == table.parameters.end() ? 0 : std::atoll(it->second.c_str());
  }();
  TRIB_RETURN_IF_ERROR(catalog.SetTableParameters(
      options.table, {{"crawler.runs", std::to_string(runs + 1)},
                      {"crawler.last_run_files", std::to_string(report.files_registered)}}));
  return report;
}

}  // namespace tributary::catalog
