// Internal to src/config: YAML text -> PipelineConfig, with located structural and type errors.
#pragma once

#include <string_view>

#include "config/diagnostics.h"
#include "config/pipeline_config.h"

namespace tributary::config::internal {

// Parses `text` into `*out`, applying defaults and reporting every YAML syntax error, unknown or
// duplicate key, missing required key and badly typed value to `diag`. Does not check names,
// ranges or references (ValidatePipelineConfig does). Never throws.
void ReadPipelineYaml(std::string_view text, std::string_view file_name, Diagnostics& diag,
                      PipelineConfig* out);

// The SQL table name a delivery gets when `table` is not given: snake_case of the delivery name
// ("P1_OrdersFirehose" -> "p1_orders_firehose"), other characters replaced by '_'.
std::string DefaultTableName(std::string_view delivery_name);

}  // namespace tributary::config::internal
