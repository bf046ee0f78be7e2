// DynamoDB JSON <-> AttributeValue / Item through simdjson's DOM. Kept apart from
// attribute_value.h so that only code that parses JSON pays for simdjson's header.
//
// Errors are InvalidArgument with messages in DynamoDB's style, naming the offending attribute.
#pragma once

#include <simdjson.h>

#include "core/attribute_value.h"
#include "core/status.h"

namespace tributary {

// {"S":"x"} and friends. Exactly one type key; N validated and normalized; B base64-decoded.
Result<AttributeValue> AttributeValueFromDom(simdjson::dom::element element);
// {"name": {"S":"x"}, ...}
Result<AttributeMap> ItemFromDom(simdjson::dom::element element);

// One parser per thread; simdjson parsers are not thread-safe.
simdjson::dom::parser& ThreadLocalJsonParser();

}  // namespace tributary
