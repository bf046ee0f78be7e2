// Key columns of a catalog table: the names of the source table's key attributes (DynamoDB hash
// key, then range key), recorded by the runtime when it wires a delivery to its source tables, so
// the query layer can build the change-history views <table>_current and <table>_history
// (query/history_views.h) without the pipeline config.
//
// Stored as the table parameter "tributary.key_columns" (TableDef::parameters, so Glue's GetTable
// shows it): escaped names joined by '/' (partition_spec.h), e.g. "order_id" or "pk/sk".
//
// Thread-safety: free functions over a thread-safe Catalog.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"

namespace tributary::catalog {

inline constexpr std::string_view kKeyColumnsParameter = "tributary.key_columns";

// Records `keys` (non-empty names, in key-schema order) for the existing `table`; an empty list
// forgets them. Writes only when the value changes.
Status RecordKeyColumns(Catalog& catalog, std::string_view table,
                        const std::vector<std::string>& keys);

// The recorded key columns of `table`, or an empty list when none were recorded. NotFound when
// the table does not exist.
Result<std::vector<std::string>> KeyColumns(const Catalog& catalog, std::string_view table);

}  // namespace tributary::catalog
