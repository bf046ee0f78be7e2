// The dashboard's static files, embedded into the binary at build time (cmake/EmbedFiles.cmake
// turns web/ and the chart library fetched by scripts/bootstrap into a generated source), so
// the page works with no internet and no files beside the binary.
//
//   /                          web/index.html
//   /assets/app.js             web/app.js
//   /assets/style.css          web/style.css
//   /assets/uPlot.iife.min.js  uPlot (npm uplot, pinned in scripts/bootstrap)
//   /assets/uPlot.min.css
//
// Thread-safety: immutable data.
#pragma once

#include <cstddef>
#include <string_view>

namespace tributary::server {

struct WebAsset {
  std::string_view path;          // URL path
  std::string_view content_type;  // without charset; all assets are UTF-8 text
  std::string_view body;
};

// The asset served at `path`, or null.
const WebAsset* FindWebAsset(std::string_view path);

// The generated table (web_assets_data.cc in the build directory).
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

}  // namespace tributary::server
