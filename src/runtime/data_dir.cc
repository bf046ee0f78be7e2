#include "runtime/data_dir.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/dynamo_json.h"
#include "core/json_writer.h"

namespace tributary::runtime {

namespace fs = std::filesystem;

namespace {

std::string Resolve(const fs::path& base, const std::string& p) {
  fs::path path(p);
  if (path.is_relative()) path = base / path;
  return path.lexically_normal().string();
}

bool Inside(const std::string& child, const std::string& parent) {
  std::string p = parent;
  if (!p.empty() && p.back() != '/') p += '/';
  return child == parent || child.rfind(p, 0) == 0;
}

}  // namespace

Result<DataDirLayout> DataDirLayout::ForConfig(const std::string& data_dir,
                                               const config::PipelineConfig& config) {
  std::error_code ec;
  fs::path base = fs::absolute(data_dir, ec);
  if (ec) return Status::InvalidArgument("bad data directory '" + data_dir + "': " + ec.message());
  base = base.lexically_normal();
  DataDirLayout l;
  l.data_dir = base.string();
  if (!l.data_dir.empty() && l.data_dir.size() > 1 && l.data_dir.back() == '/') l.data_dir.pop_back();
  l.table_dir = (base / "table").string();
  l.stream_dir = (base / "stream").string();
  l.status_path = (base / "status.json").string();
  l.layout_path = (base / "layout.json").string();
  l.catalog_path = Resolve(base, config.catalog.path);
  l.lake_root = Resolve(base, "lake");
  for (size_t i = 0; i < config.deliveries.size(); ++i) {
    const auto& d = config.deliveries[i];
    std::string root = Resolve(base, d.destination.path);
    if (!root.empty() && root.back() == '/') root.pop_back();
    if (i == 0) {
      l.lake_root = root;
    } else if (root != l.lake_root) {
      return config::ConfigError(d.destination.at("path"),
                                 "all deliveries must share one destination path in this version "
                                 "(first: " + l.lake_root + ")");
    }
  }
  if (l.lake_root == l.data_dir || Inside(l.data_dir, l.lake_root)) {
    return Status::InvalidArgument("the lake (" + l.lake_root +
                                   ") must be a folder of its own inside or beside the data dir");
  }
  for (const std::string* p : {&l.catalog_path, &l.table_dir, &l.stream_dir}) {
    if (Inside(*p, l.lake_root)) {
      return Status::InvalidArgument("'" + *p + "' must not be inside the lake (" + l.lake_root +
                                     "): SQL may read anything in the lake");
    }
  }
  return l;
}

Status DataDirLayout::Create() const {
  std::error_code ec;
  for (const std::string& d : {data_dir, lake_root, fs::path(catalog_path).parent_path().string()}) {
    fs::create_directories(d, ec);
    if (ec) return Status::Internal("cannot create directory '" + d + "': " + ec.message());
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("table_dir");
  w.String(table_dir);
  w.Key("stream_dir");
  w.String(stream_dir);
  w.Key("catalog_path");
  w.String(catalog_path);
  w.Key("lake_root");
  w.String(lake_root);
  w.EndObject();
  return WriteFileAtomically(layout_path, w.str() + "\n");
}

Result<DataDirLayout> DataDirLayout::Load(const std::string& data_dir) {
  std::error_code ec;
  fs::path base = fs::absolute(data_dir, ec).lexically_normal();
  std::string layout_path = (base / "layout.json").string();
  if (!fs::exists(layout_path)) {
    return Status::NotFound("'" + data_dir + "' is not a Tributary data directory (no layout.json); " +
                            "run `tributary up` or `tributary demo` with --data-dir first");
  }
  TRIB_ASSIGN_OR_RETURN(std::string text, ReadFile(layout_path));
  simdjson::dom::element e;
  if (ThreadLocalJsonParser().parse(text).get(e)) return Status::DataLoss(layout_path + " is not valid JSON");
  DataDirLayout l;
  l.data_dir = base.string();
  l.layout_path = layout_path;
  l.status_path = (base / "status.json").string();
  std::string_view s;
  auto field = [&](const char* key, std::string* out) -> Status {
    if (e[key].get_string().get(s)) return Status::DataLoss(layout_path + " lacks '" + key + "'");
    *out = std::string(s);
    return Status::Ok();
  };
  TRIB_RETURN_IF_ERROR(field("table_dir", &l.table_dir));
  TRIB_RETURN_IF_ERROR(field("stream_dir", &l.stream_dir));
  TRIB_RETURN_IF_ERROR(field("catalog_path", &l.catalog_path));
  TRIB_RETURN_IF_ERROR(field("lake_root", &l.lake_root));
  return l;
}

Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal("cannot write " + tmp);
    out << contents;
    if (!out.flush()) return Status::Internal("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace tributary::runtime
