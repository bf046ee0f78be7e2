#include "runtime/status_report.h"

#include "core/json_writer.h"

namespace tributary::runtime {

std::string StatusReportJson(std::string_view data_dir, bool running, std::string_view stages_json,
                             const catalog::Catalog& catalog) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data_dir");
  w.String(data_dir);
  w.Key("running");
  w.Bool(running);
  w.Key("stages");
  if (stages_json.empty()) {
    w.Null();
  } else {
    w.Raw(stages_json);
  }
  w.Key("tables");
  w.BeginArray();
  auto tables = catalog.ListTables();
  if (tables.ok()) {
    for (const auto& t : *tables) {
      auto st = catalog.GetTableStats(t.name);
      if (!st.ok()) continue;
      w.BeginObject();
      w.Key("name");
      w.String(t.name);
      w.Key("files");
      w.Int(st->files);
      w.Key("rows");
      w.Int(st->rows);
      w.Key("bytes");
      w.Int(st->bytes);
      w.Key("partitions");
      w.Int(st->partitions);
      w.Key("last_commit_ms");
      w.Int(st->last_commit_ms);
      if (auto cs = catalog.GetCompactionStats(t.name); cs.ok()) {
        w.Key("compactions");
        w.Int(cs->compactions);
        w.Key("compacted_files_in");
        w.Int(cs->files_in);
        w.Key("compacted_files_out");
        w.Int(cs->files_out);
        w.Key("retired_pending");
        w.Int(cs->retired_pending);
      }
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace tributary::runtime
