// `tributary catalog tables | show TABLE | partitions TABLE | files TABLE | versions TABLE`: what
// Glue's GetTables / GetTable / GetPartitions / GetTableVersions would say about the data
// directory's catalog, plus the registered files. Read-only (the catalog file is never created);
// SQLite's WAL lets it run beside `tributary up`.
#include <iostream>

#include "catalog/catalog.h"
#include "catalog/glue_json.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "query/query_result.h"
#include "query/result_format.h"
#include "runtime/data_dir.h"

namespace tributary::cli {
namespace {

std::string Time(int64_t ms) { return ms > 0 ? FormatUtcMillis(ms) + " UTC" : "-"; }

std::string Bytes(int64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(n));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, units[u]);
  }
  return buf;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string PartitionText(const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : values) parts.push_back(k + "=" + v);
  return parts.empty() ? "-" : Join(parts, "/");
}

// An aligned text table rendered by query::FormatTable (numbers right-aligned).
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> columns) {
    result_.column_names = std::move(columns);
    result_.column_types.assign(result_.column_names.size(), "VARCHAR");
  }
  void RightAlign(size_t column) { result_.column_types[column] = "BIGINT"; }
  void Add(std::vector<std::string> row) {
    auto& r = result_.rows.emplace_back();
    for (auto& v : row) r.emplace_back(std::move(v));
  }
  std::string Render() const { return query::FormatTable(result_); }

 private:
  query::QueryResult result_;
};

class CatalogCommand {
 public:
  explicit CatalogCommand(const CatalogArgs& args) : args_(args) {}

  int Run() {
    auto layout = runtime::DataDirLayout::Load(args_.data_dir);
    if (!layout.ok()) return ReportError("catalog", layout.status());
    catalog::CatalogOptions options;
    options.create_if_missing = false;
    auto opened = catalog::Catalog::Open(layout->catalog_path, options);
    if (!opened.ok()) return ReportError("catalog", opened.status());
    catalog_ = std::move(*opened);
    glue_.location_root = "file://" + layout->lake_root;
    lake_root_ = layout->lake_root;

    Status s;
    if (args_.action == "tables") {
      s = Tables();
    } else {
      auto table = catalog_->GetTable(args_.table);
      if (!table.ok()) return ReportError("catalog", table.status());
      if (args_.action == "show") s = Show(*table);
      if (args_.action == "partitions") s = Partitions(*table);
      if (args_.action == "files") s = Files(*table);
      if (args_.action == "versions") s = Versions(*table);
    }
    if (!s.ok()) return ReportError("catalog", s);
    return 0;
  }

 private:
  Result<catalog::GlueTableFacts> Facts(const catalog::TableDef& table) {
    catalog::GlueTableFacts facts;
    TRIB_ASSIGN_OR_RETURN(facts.stats, catalog_->GetTableStats(table.name));
    TRIB_ASSIGN_OR_RETURN(std::vector<catalog::DataFile> files, catalog_->ListFiles(table.name));
    facts.compression = catalog::CompressionOfFiles(files);
    return facts;
  }

  Status Tables() {
    TRIB_ASSIGN_OR_RETURN(std::vector<catalog::TableDef> tables, catalog_->ListTables());
    std::vector<catalog::TableDef> selected;
    for (auto& t : tables) {
      if (args_.database.empty() || t.database == args_.database) selected.push_back(std::move(t));
    }
    if (args_.json) {
      JsonWriter out;
      out.BeginObject();
      out.Key("TableList");
      out.BeginArray();
      for (const auto& t : selected) {
        TRIB_ASSIGN_OR_RETURN(catalog::GlueTableFacts facts, Facts(t));
        catalog::WriteGlueTable(out, t, facts, glue_);
      }
      out.EndArray();
      out.EndObject();
      std::cout << out.str() << "\n";
      return Status::Ok();
    }
    TextTable text({"database", "table", "format", "columns", "partition keys", "version", "files",
                    "rows", "size", "updated"});
    for (size_t c : {3u, 5u, 6u, 7u}) text.RightAlign(c);
    for (const auto& t : selected) {
      TRIB_ASSIGN_OR_RETURN(catalog::TableStats stats, catalog_->GetTableStats(t.name));
      text.Add({t.database, t.name, t.format, std::to_string(t.columns.size()),
                t.partition_keys.empty() ? "-" : Join(t.partition_keys, ", "),
                std::to_string(t.schema_version), Thousands(stats.files), Thousands(stats.rows),
                Bytes(stats.bytes), Time(t.updated_ms)});
    }
    std::cout << text.Render();
    return Status::Ok();
  }

  Status Show(const catalog::TableDef& t) {
    TRIB_ASSIGN_OR_RETURN(catalog::GlueTableFacts facts, Facts(t));
    if (args_.json) {
      JsonWriter out;
      out.BeginObject();
      out.Key("Table");
      catalog::WriteGlueTable(out, t, facts, glue_);
      out.EndObject();
      std::cout << out.str() << "\n";
      return Status::Ok();
    }
    const catalog::GlueStorageFormat format = catalog::GlueStorageFormatFor(t);
    std::cout << "Table            " << t.database << "." << t.name << "\n"
              << "Location         " << catalog::GlueLocation(t.location, glue_) << "\n"
              << "Format           " << t.format << " (compression " << facts.compression << ")\n";
    if (!format.serialization_library.empty()) {
      std::cout << "SerDe            " << format.serialization_library << "\n"
                << "InputFormat      " << format.input_format << "\n"
                << "OutputFormat     " << format.output_format << "\n";
    }
    std::cout << "Schema version   " << t.schema_version << " (`tributary catalog versions "
              << t.name << "` lists them)\n"
              << "Created          " << Time(t.created_ms) << "\n"
              << "Updated          " << Time(t.updated_ms) << "\n"
              << "Data             " << Thousands(facts.stats.files) << " files, "
              << Thousands(facts.stats.rows) << " rows, " << Bytes(facts.stats.bytes) << " in "
              << Thousands(facts.stats.partitions) << " partitions; last commit "
              << Time(facts.stats.last_commit_ms) << "\n\n";
    TextTable columns({"column", "type", "tributary type", "partition key"});
    for (const auto& c : t.columns) {
      bool shadowed = false;
      for (const auto& key : t.partition_keys) shadowed = shadowed || key == c.name;
      if (shadowed) continue;
      columns.Add({c.name, std::string(catalog::GlueTypeName(c.type)),
                   std::string(catalog::ColumnTypeName(c.type)), ""});
    }
    for (const auto& key : t.partition_keys) columns.Add({key, "string", "string", "yes"});
    std::cout << columns.Render();
    if (!t.parameters.empty()) {
      std::cout << "\nParameters\n";
      for (const auto& [k, v] : t.parameters) std::cout << "  " << k << " = " << v << "\n";
    }
    return Status::Ok();
  }

  Status Partitions(const catalog::TableDef& t) {
    TRIB_ASSIGN_OR_RETURN(std::vector<catalog::PartitionInfo> partitions,
                          catalog_->ListPartitions(t.name));
    if (args_.json) {
      JsonWriter out;
      out.BeginObject();
      out.Key("Partitions");
      out.BeginArray();
      TRIB_ASSIGN_OR_RETURN(std::vector<catalog::DataFile> files, catalog_->ListFiles(t.name));
      const std::string compression = catalog::CompressionOfFiles(files);
      for (const auto& p : partitions) catalog::WriteGluePartition(out, t, p, glue_, compression);
      out.EndArray();
      out.EndObject();
      std::cout << out.str() << "\n";
      return Status::Ok();
    }
    std::vector<std::string> header = t.partition_keys;
    for (const char* h : {"files", "rows", "size", "created", "location"}) header.push_back(h);
    TextTable text(header);
    text.RightAlign(t.partition_keys.size());
    text.RightAlign(t.partition_keys.size() + 1);
    for (const auto& p : partitions) {
      std::vector<std::string> row;
      for (const auto& [k, v] : p.values) row.push_back(v);
      row.resize(t.partition_keys.size());
      row.push_back(Thousands(p.files));
      row.push_back(Thousands(p.rows));
      row.push_back(Bytes(p.bytes));
      row.push_back(Time(p.created_ms));
      row.push_back(catalog::GlueLocation(p.location, glue_));
      text.Add(std::move(row));
    }
    std::cout << text.Render();
    return Status::Ok();
  }

  Status Files(const catalog::TableDef& t) {
    TRIB_ASSIGN_OR_RETURN(std::vector<catalog::DataFile> files, catalog_->ListFiles(t.name));
    if (args_.json) {
      JsonWriter out;
      out.BeginObject();
      out.Key("Files");
      out.BeginArray();
      for (const auto& f : files) {
        out.BeginObject();
        out.Key("Path");
        out.String(f.path);
        out.Key("Location");
        out.String(glue_.location_root + "/" + f.path);
        out.Key("PartitionValues");
        out.BeginObject();
        for (const auto& [k, v] : f.partition_values) {
          out.Key(k);
          out.String(v);
        }
        out.EndObject();
        out.Key("RowCount");
        out.Int(f.row_count);
        out.Key("SizeBytes");
        out.Int(f.size_bytes);
        out.Key("MinEventTimeMs");
        out.Int(f.min_event_ms);
        out.Key("MaxEventTimeMs");
        out.Int(f.max_event_ms);
        out.Key("Source");
        out.String(f.source);
        out.Key("FirstSequence");
        out.String(f.first_sequence);
        out.Key("LastSequence");
        out.String(f.last_sequence);
        out.Key("CommitTime");
        out.String(FormatIsoMillis(f.committed_ms) + "+00:00");
        out.EndObject();
      }
      out.EndArray();
      out.EndObject();
      std::cout << out.str() << "\n";
      return Status::Ok();
    }
    TextTable text({"path", "partition", "rows", "size", "committed", "source"});
    text.RightAlign(2);
    int64_t rows = 0, bytes = 0;
    for (const auto& f : files) {
      text.Add({f.path, PartitionText(f.partition_values), Thousands(f.row_count),
                Bytes(f.size_bytes), Time(f.committed_ms), f.source});
      rows += f.row_count;
      bytes += f.size_bytes;
    }
    std::cout << text.Render() << "total: " << Thousands(static_cast<int64_t>(files.size()))
              << " files, " << Thousands(rows) << " rows, " << Bytes(bytes) << " (under "
              << lake_root_ << ")\n";
    return Status::Ok();
  }

  Status Versions(const catalog::TableDef& t) {
    TRIB_ASSIGN_OR_RETURN(std::vector<catalog::SchemaVersion> versions,
                          catalog_->ListSchemaVersions(t.name));
    if (args_.json) {
      JsonWriter out;
      out.BeginObject();
      out.Key("TableVersions");
      out.BeginArray();
      // Newest first, as Glue's GetTableVersions lists them.
      for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        catalog::WriteGlueTableVersion(out, t, *it, glue_);
      }
      out.EndArray();
      out.EndObject();
      std::cout << out.str() << "\n";
      return Status::Ok();
    }
    for (const auto& v : versions) {
      std::cout << "version " << v.version << "  " << Time(v.created_ms) << "  " << v.note << "\n";
      for (const auto& change : v.changes) {
        std::cout << "  " << catalog::DescribeColumnChange(change) << "\n";
      }
      std::vector<std::string> columns;
      for (const auto& c : v.columns) {
        columns.push_back(c.name + " " + std::string(catalog::ColumnTypeName(c.type)));
      }
      std::cout << "  schema: " << (columns.empty() ? "(no columns)" : Join(columns, ", "))
                << "\n";
    }
    return Status::Ok();
  }

  const CatalogArgs& args_;
  std::unique_ptr<catalog::Catalog> catalog_;
  catalog::GlueJsonOptions glue_;
  std::string lake_root_;
};

}  // namespace

int RunCatalog(const CatalogArgs& args) { return CatalogCommand(args).Run(); }

}  // namespace tributary::cli
