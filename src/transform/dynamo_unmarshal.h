// Unmarshalling DynamoDB JSON straight from a simdjson DOM into plain JSON text, the way boto3's
// TypeDeserializer + json.dumps would render it, without building AttributeValues:
//   {"S":"x"} -> "x"   {"N":"1.5"} -> 1.5   {"B":"AAE="} -> "AAE="   {"BOOL":true} -> true
//   {"NULL":true} -> null   {"M":{..}} -> {..}   {"L":[..]} -> [..]   {"SS":[..]} -> ["a",..]
//   {"NS":[..]} -> [1,..]   {"BS":[..]} -> ["AAE=",..]
// Numbers are written as their text when that is already plain JSON (DynamoDB's normalized form
// always is); other accepted spellings ("1e3", "007") are normalized first.
//
// Thread-safety: pure functions.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "catalog/catalog.h"

namespace tributary::transform {

struct PlainValueInfo {
  catalog::ColumnType type = catalog::ColumnType::kString;
  bool is_null = false;  // {"NULL":true}: no type information
};

// Appends the plain JSON of the DynamoDB attribute value `av` to `out` and describes its column
// type in `info`. On a malformed value returns false and sets `error` (allocating only then);
// `out` then ends with a partial value the caller must discard.
bool AppendPlainJson(simdjson::dom::element av, std::string& out, PlainValueInfo& info,
                     std::string& error);

// Appends DynamoDB number text as a JSON number. `integral` is set when the value is an integer
// that fits int64. False (with `error`) if the text is not a number.
bool AppendNumber(std::string_view text, std::string& out, bool& integral, std::string& error);

}  // namespace tributary::transform
