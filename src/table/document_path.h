// Document paths (a.b[3].c) inside an item, and reading, setting and removing the value at one.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "core/status.h"

namespace tributary::table {

struct PathElement {
  std::string name;    // map key (when index < 0)
  int64_t index = -1;  // list index (when >= 0)
  bool is_index() const { return index >= 0; }
  friend bool operator==(const PathElement&, const PathElement&) = default;
};

// Never empty; the first element is always a name (a top-level attribute).
using DocumentPath = std::vector<PathElement>;

// "a.b[3]"
std::string PathToString(const DocumentPath& path);
// "[a, b, [3]]", the rendering DynamoDB uses in overlap errors.
std::string PathForError(const DocumentPath& path);

// The value at `path`, or nullptr when any step is missing or has the wrong type.
const AttributeValue* FindPath(const Item& item, const DocumentPath& path);

// Sets the value at `path`. The parent must exist and be a map (name step) or list (index step);
// an index past the end appends. Otherwise "The document path provided in the update expression
// is invalid for update".
Status SetPath(Item* item, const DocumentPath& path, AttributeValue value);

// Removes the value at `path`; a missing last step is a no-op, a missing or mistyped parent is
// the same error as SetPath.
Status RemovePath(Item* item, const DocumentPath& path);

// The parts of `item` named by `paths`, nested as in the item (ProjectionExpression semantics, and
// ReturnValues UPDATED_OLD / UPDATED_NEW): "a.b" yields {a: {b: ...}}, "l[3]" a list holding the
// element; list elements keep their order; missing paths are left out.
Item ProjectPaths(const Item& item, const std::vector<DocumentPath>& paths);

}  // namespace tributary::table
