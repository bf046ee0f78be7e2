// The crawler: catalogues data Tributary did not write, as AWS Glue's crawler would
// (docs/catalog.md "The crawler").
//
// Crawl() walks a folder, recognises JSON lines (plain or gzip), Parquet and CSV files by their
// content, derives partition keys from the folder levels (Hive `key=value` levels are named after
// the key; other levels are partition_0, partition_1, ... by depth, so Firehose's default
// YYYY/MM/DD/HH/ layout gives partition_0..partition_3), reads each new file's schema through a
// FileSchemaReader (implemented with DuckDB in src/query), merges the types with the catalog's
// rule (WidenColumnType), and registers the files in the catalog so SQL reads exactly them.
//
// Files are brought into the lake, not read in place: each is hard-linked (copied when a link is
// impossible, e.g. across file systems) to <lake>/<table>/<k1=v1>/<k2=v2>/.../<name>, with the
// partition values as Hive folders, and registered with the delivery commit protocol (linked under
// a '_' temporary name, registered, renamed). The SQL sandbox therefore stays "the lake and
// nothing else", and the lake copy is an ordinary Hive layout.
//
// Incremental: each registered file remembers its source path (DataFile::source = "crawl:" +
// path); a re-run registers only files it has not registered before (new folders and new files
// in old folders), in batches, so an interrupted crawl resumes where it stopped. Files that
// changed or vanished since their crawl are reported, not re-read (Glue's CRAWL_NEW_FOLDERS_ONLY
// does not revisit them either). Names starting with '.' or '_' (files and folders) are skipped,
// as Hadoop, Hive and Glue skip _SUCCESS, .crc, _temporary.
//
// Thread-safety: Crawl() is reentrant; two crawls of the same table at once are not supported.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"

namespace tributary::catalog {

enum class CrawlFormat { kJson, kParquet, kCsv };
std::string_view CrawlFormatName(CrawlFormat format);  // "json", "parquet", "csv"

// One file's schema as read from its content.
struct FileSchema {
  std::vector<Column> columns;  // in file order
  int64_t rows = 0;
};

// Reads a file's columns (typed with the catalog's types) and row count. Implementations must
// type a string column as timestamp only when every non-null value is one the query engine reads
// as a timestamp.
class FileSchemaReader {
 public:
  virtual ~FileSchemaReader() = default;
  virtual Result<FileSchema> Read(const std::string& path, CrawlFormat format, bool gzip) = 0;
};

struct CrawlProgress {
  const char* phase = "reading";  // "reading" schemas, then "registering"
  int64_t files_total = 0;        // new files to register in this run
  int64_t files_read = 0;
  int64_t files_done = 0;         // registered
  int64_t rows = 0;
  int64_t bytes = 0;
};

struct CrawlOptions {
  std::string source;     // the folder to crawl (made absolute)
  std::string table;      // table name ([a-z0-9_])
  std::string database = "default";
  std::string lake_root;  // absolute; the source must not be inside it (nor it inside the source)
  bool copy = false;      // copy files instead of hard-linking them
  int batch_files = 500;  // files registered per catalog transaction
  // Called every 100 files read, after each registered batch, and at the end.
  std::function<void(const CrawlProgress&)> progress;
};

struct CrawlReport {
  bool created = false;  // the table was created by this run
  std::string format;    // CrawlFormatName
  std::string compression = "none";
  std::vector<std::string> partition_keys;
  int64_t files_found = 0;       // data files under the source
  int64_t files_registered = 0;  // new files registered by this run
  int64_t files_already = 0;     // registered by an earlier run
  int64_t files_copied = 0;      // of files_registered, copied rather than linked
  int64_t rows = 0;              // rows in the newly registered files
  int64_t bytes = 0;
  int64_t schema_version = 0;    // after the run
  std::vector<std::string> warnings;
};

// Crawls options.source into table options.table (creating it on the first run). Errors
// (InvalidArgument unless noted), all before anything is registered: the source is missing or not
// a folder (NotFound), holds no data files, mixes formats (e.g. JSON and Parquet), has files at
// different folder depths or levels that disagree with the table's partition keys, or a file
// cannot be read as its format (file path and reader message); the table exists but was not
// crawled from this source (FailedPrecondition).
Result<CrawlReport> Crawl(Catalog& catalog, FileSchemaReader& reader, const CrawlOptions& options);

}  // namespace tributary::catalog
