// Turns the catalog's tables and committed files into the TableViews QueryEngine serves.
//
// Thread-safety: a pure function over a thread-safe Catalog.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "query/query_engine.h"
#include "query/table_view.h"

namespace tributary::query {

// One TableView per catalog table, with its columns, partition keys and the absolute paths of its
// committed files (lake_root + DataFile::path, normalized), newest data first: by
// DataFile::max_event_ms descending, then latest commit first (so a Top-N query over Parquet
// files, `ORDER BY creation_datetime DESC LIMIT 10`, reads the newest row groups first and skips
// the rest by their statistics).
//
// The commit protocol registers a file's final path in the catalog and only then renames the file
// from a temporary name (the same name with a leading '_', in the same folder). So a registered
// file may briefly, or after a crash before recovery, exist only under its temporary name: that
// name is used instead. A registered file that exists under neither name is left out, and a line
// naming it is appended to `warnings` (if given), rather than failing every query on the table.
// A path that would leave the lake root ("..", absolute) is an error (kDataLoss: the catalog is
// corrupt).
Result<std::vector<TableView>> ViewsFromCatalog(const catalog::Catalog& catalog,
                                                const std::string& lake_root,
                                                std::vector<std::string>* warnings = nullptr);

// The TableView of `table` over exactly `files` (e.g. the files one commit registered), resolved
// like ViewsFromCatalog: a file present only under its '_' temporary name is read under it; one
// present under neither name is left out and its catalog path appended to `missing` (if given).
Result<TableView> ViewOfFiles(catalog::TableDef table, const std::vector<catalog::DataFile>& files,
                              const std::string& lake_root, std::vector<std::string>* missing);

// ViewsFromCatalog(catalog, engine.lake_root()) plus the change-history views of every table
// with recorded key columns (history_views.h, catalog/table_keys.h), then engine.ReplaceViews():
// cheap when nothing changed (a few catalog reads and a stat per file), so call it before serving
// a query or after each commit. If DuckDB rejects the history views, the tables are still
// replaced without them and a warning says why. A view may list a file under its '_' temporary name until the rename; refreshing again
// picks up the final name, so a query that fails on a vanished file should refresh and retry once.
Status RefreshViews(QueryEngine& engine, const catalog::Catalog& catalog,
                    std::vector<std::string>* warnings = nullptr);

}  // namespace tributary::query
