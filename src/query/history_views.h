// Change-history views over a CDC table (the seed's "version tracking / OldImage support"):
//
//   <table>_current  the latest state of every key, keys whose latest change is a REMOVE left
//                    out: one row per live key, with the key columns first, then the table's
//                    other columns.
//   <table>_history  every version of every key: one row per INSERT or MODIFY, with
//                    version (1, 2, ... per key; a re-INSERT after a REMOVE continues the count),
//                    valid_from (its creation_datetime), valid_to (the creation_datetime of the
//                    next change of the key, NULL while current), ended_by_event (INSERT, MODIFY
//                    or REMOVE; NULL while current), ended_by_event_id and
//                    ended_by_sequence_number of that change, is_current, then the table's columns.
//
// Changes are ordered by sequence_number (a decimal string; compared numerically by length then
// text), then creation_datetime, then event_id, never by wall clock alone, so the result is the
// same on every run even when two changes share a millisecond. A change delivered twice (same
// key and sequence number) counts once.
//
// A table gets these views when it has the columns cdc_event_type, creation_datetime and
// sequence_number or event_id (what the cdc-flatten processor writes) plus every one of its
// recorded key columns (catalog/table_keys.h: the table parameter "tributary.key_columns"); a view
// name already taken by a table is skipped. A table that has a column named like one _history
// adds (version, valid_from, valid_to, ended_by_event, ended_by_event_id,
// ended_by_sequence_number, is_current) gets no history views.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "query/table_view.h"

namespace tributary::query {

// A view defined by SQL over other views.
struct DerivedView {
  std::string name;
  std::string select_sql;  // the SELECT after "CREATE VIEW name AS"

  friend bool operator==(const DerivedView&, const DerivedView&) = default;
};

// Why `table` gets no history views with `key_columns` (no keys recorded, a needed column
// missing, a column colliding with one _history adds), or "" when it gets them. Crawled tables
// follow the same rule: `tributary crawl --key-columns` records the keys and prints this reason
// when the crawled columns do not allow the views (a snapshot without change columns has no
// change history to show).
std::string WhyNoHistoryViews(const TableView& table, const std::vector<std::string>& key_columns);

// The _current and _history views of `table` keyed by `key_columns`, or none when
// WhyNoHistoryViews() gives a reason. A non-text sequence_number (a crawled table's bigint) is
// compared as text the same way.
std::vector<DerivedView> HistoryViews(const TableView& table,
                                      const std::vector<std::string>& key_columns);

}  // namespace tributary::query
