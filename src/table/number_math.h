// Exact decimal arithmetic on DynamoDB numbers for the update expression's "+" and "-" and for
// ADD. Operands are normalized numbers; the result is normalized and checked against DynamoDB's
// limits (38 significant digits, magnitude 1E-130..9.99E+125) with DynamoDB's messages.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary::table {

Result<std::string> AddNumbers(std::string_view a, std::string_view b);
Result<std::string> SubtractNumbers(std::string_view a, std::string_view b);

}  // namespace tributary::table
