#include "query/history_views.h"

#include <algorithm>

#include "query/sql_text.h"

namespace tributary::query {
namespace {

bool HasColumn(const TableView& table, const std::string& name) {
  return std::any_of(table.columns.begin(), table.columns.end(),
                     [&](const catalog::Column& c) { return c.name == name; }) ||
         std::find(table.partition_keys.begin(), table.partition_keys.end(), name) !=
             table.partition_keys.end();
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string WhyNoHistoryViews(const TableView& table,
                              const std::vector<std::string>& key_columns) {
  if (key_columns.empty()) {
    return "no key columns are recorded (table parameter tributary.key_columns; `tributary crawl "
           "--key-columns`)";
  }
  std::vector<std::string> missing;
  for (const char* needed : {"cdc_event_type", "creation_datetime"}) {
    if (!HasColumn(table, needed)) missing.push_back(needed);
  }
  if (!HasColumn(table, "sequence_number") && !HasColumn(table, "event_id")) {
    missing.push_back("sequence_number or event_id");
  }
  for (const std::string& key : key_columns) {
    if (!HasColumn(table, key)) missing.push_back(key + " (a key column)");
  }
  if (!missing.empty()) {
    return "the table has no column " + Join(missing, ", ") +
           ": the views order each key's changes by the columns a CDC flatten writes "
           "(cdc_event_type, creation_datetime, sequence_number or event_id)";
  }
  // The columns _history adds must not collide with the table's own.
  for (const char* added : {"version", "valid_from", "valid_to", "ended_by_event",
                            "ended_by_event_id", "ended_by_sequence_number", "is_current"}) {
    if (HasColumn(table, added)) {
      return std::string("the table has its own column '") + added + "', a name _history adds";
    }
  }
  return "";
}

std::vector<DerivedView> HistoryViews(const TableView& table,
                                      const std::vector<std::string>& key_columns) {
  if (!WhyNoHistoryViews(table, key_columns).empty()) return {};
  const bool has_sequence = HasColumn(table, "sequence_number");
  const bool has_event_id = HasColumn(table, "event_id");
  // A crawled table may type sequence numbers as bigint: compare them as text all the same
  // (length, then text: numeric order for non-negative integers of any size).
  const bool sequence_is_text = std::any_of(
      table.columns.begin(), table.columns.end(), [](const catalog::Column& c) {
        return c.name == "sequence_number" && c.type == catalog::ColumnType::kString;
      });
  const std::string sequence =
      sequence_is_text || !has_sequence ? "sequence_number" : "CAST(sequence_number AS VARCHAR)";
  std::vector<std::string> keys;
  for (const std::string& key : key_columns) keys.push_back(QuoteIdentifier(key));
  const std::string source = QuoteIdentifier(table.name);
  const std::string partition = Join(keys, ", ");

  // Change order: sequence number (numeric strings compare by length, then text), then time,
  // then event id. NULLs sort first in ascending order so a row without them is never "latest".
  std::vector<std::string> order;
  if (has_sequence) order.push_back("length(" + sequence + ") ASC NULLS FIRST");
  if (has_sequence) order.push_back(sequence + " ASC NULLS FIRST");
  order.push_back("creation_datetime ASC NULLS FIRST");
  if (has_event_id) order.push_back("event_id ASC NULLS FIRST");
  std::string order_struct = "struct_pack(";
  {
    std::vector<std::string> fields;
    if (has_sequence) {
      fields.push_back("n := length(" + sequence + ")");
      fields.push_back("s := " + sequence);
    }
    fields.push_back("t := creation_datetime");
    if (has_event_id) fields.push_back("e := event_id");
    order_struct += Join(fields, ", ") + ")";
  }
  const std::string identity = has_sequence ? "sequence_number" : "event_id";

  DerivedView current;
  current.name = table.name + "_current";
  // max_by over the whole row: a hash aggregate per key, cheaper than sorting every change. The
  // key columns are selected from the GROUP BY (not from the row struct) so that a filter on them
  // (WHERE order_id = ...) is pushed down to the scan.
  current.select_sql = "SELECT " + partition + ", tributary_latest.* EXCLUDE (" + partition +
                       ") FROM (SELECT " + partition + ", max_by(tributary_row, " + order_struct +
                       ") AS tributary_latest FROM " + source + " AS tributary_row GROUP BY " +
                       partition + ") WHERE tributary_latest.cdc_event_type IS DISTINCT FROM 'REMOVE'";

  DerivedView history;
  history.name = table.name + "_history";
  const std::string window = "(PARTITION BY " + partition + " ORDER BY " + Join(order, ", ") + ")";
  history.select_sql =
      "WITH tributary_changes AS (SELECT * FROM " + source + " QUALIFY row_number() OVER (PARTITION BY " +
      partition + ", " + identity + " ORDER BY " + Join(order, ", ") +
      ") = 1), tributary_chained AS (SELECT *, "
      "creation_datetime AS valid_from, "
      "lead(creation_datetime) OVER tributary_w AS valid_to, "
      "lead(cdc_event_type) OVER tributary_w AS ended_by_event, " +
      std::string(has_event_id ? "lead(event_id) OVER tributary_w" : "CAST(NULL AS VARCHAR)") +
      " AS ended_by_event_id, " +
      (has_sequence ? "lead(sequence_number) OVER tributary_w" : "CAST(NULL AS VARCHAR)") +
      " AS ended_by_sequence_number FROM tributary_changes WINDOW tributary_w AS " + window +
      ") SELECT " + partition + ", row_number() OVER " + window +
      " AS version, valid_from, valid_to, ended_by_event, ended_by_event_id, "
      "ended_by_sequence_number, valid_to IS NULL AS is_current, * EXCLUDE (" + partition +
      ", valid_from, valid_to, ended_by_event, ended_by_event_id, ended_by_sequence_number) "
      "FROM tributary_chained WHERE cdc_event_type IS DISTINCT FROM 'REMOVE'";
  return {current, history};
}

}  // namespace tributary::query
