// ColumnSet: the catalog columns observed in a batch of delivered rows, in first-seen order, with
// types widened by the catalog's rule as values are observed. Processors that know their output
// types (cdc-flatten) report them while writing rows; for the others (jq, Lambda) delivery calls
// InferColumns on each row. Delivery passes Columns() to Catalog::CommitFiles.
//
// Observing the same row shape again is cheap: BeginRow() resets a cursor and each Observe()
// first compares against the column expected next, so homogeneous rows cost one string compare
// per column and no hashing or allocation.
//
// Thread-safety: not thread-safe; owned by one delivery worker.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"

namespace tributary::transform {

class ColumnSet {
 public:
  void BeginRow() { cursor_ = 0; }
  // A non-null value of `type` in column `name`.
  void Observe(std::string_view name, catalog::ColumnType type) { Note(name, true, type); }
  // A JSON null in column `name`: the column exists but says nothing about its type.
  void ObserveNull(std::string_view name) { Note(name, false, catalog::ColumnType::kString); }

  // Typed columns in first-seen order. Columns only ever seen null are left out (they are
  // reported once a value arrives; the JSON files carry the nulls meanwhile).
  std::vector<catalog::Column> Columns() const;
  // All observations of `other`, in its order.
  void Merge(const ColumnSet& other);
  void Clear();
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    catalog::ColumnType type;
    bool typed;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void Note(std::string_view name, bool typed, catalog::ColumnType type);
  void Update(Entry& e, bool typed, catalog::ColumnType type);

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
  size_t cursor_ = 0;
};

// The catalog type of one JSON row value, for processors that do not report types:
//   string -> string, or timestamp when shaped "YYYY-MM-DD HH:MM:SS[.f...]" (the seed's format);
//   integer that fits int64 -> bigint; other numbers -> double; true/false -> boolean;
//   object/array -> json; null -> no type (ObserveNull).
// Observes every top-level field of the JSON object `row` into `columns` (BeginRow included).
// InvalidArgument if `row` is not one JSON object.
Status InferColumns(std::string_view row, ColumnSet& columns);

// True for "YYYY-MM-DD HH:MM:SS" optionally followed by '.' and 1..9 digits.
bool LooksLikeTimestamp(std::string_view s);

}  // namespace tributary::transform
