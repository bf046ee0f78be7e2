// TableOrderWriter: the SalesGenerator's OrderWriter over an embedded TableEngine table.
//
// Thread-safety: as thread-safe as TableEngine (fully); one generator per writer is typical.
#pragma once

#include <string>

#include "runtime/sales_generator.h"
#include "table/table_engine.h"

namespace tributary::runtime {

class TableOrderWriter final : public OrderWriter {
 public:
  // `engine` must outlive the writer.
  TableOrderWriter(table::TableEngine* engine, std::string table)
      : engine_(engine), table_(std::move(table)) {}

  Result<std::optional<EventName>> Put(const Item& item) override;
  Result<std::optional<EventName>> Update(const Item& key, const Item& set_values) override;
  Result<std::optional<EventName>> Delete(const Item& key) override;

 private:
  table::TableEngine* engine_;
  std::string table_;
};

}  // namespace tributary::runtime
