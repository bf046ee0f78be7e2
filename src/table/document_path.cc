#include "table/document_path.h"

#include <map>

namespace tributary::table {

namespace {

const Status& InvalidForUpdate() {
  static const Status s =
      Status::InvalidArgument("The document path provided in the update expression is invalid for update");
  return s;
}

// The container holding the last step of `path`, or nullptr.
AttributeValue* FindParent(Item* item, const DocumentPath& path) {
  auto it = item->find(path[0].name);
  if (it == item->end()) return nullptr;
  AttributeValue* v = &it->second;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      if (v->type() != AttributeType::kL || static_cast<size_t>(e.index) >= v->list().size()) return nullptr;
      v = &v->mutable_list()[e.index];
    } else {
      if (v->type() != AttributeType::kM) return nullptr;
      auto m = v->mutable_map().find(e.name);
      if (m == v->mutable_map().end()) return nullptr;
      v = &m->second;
    }
  }
  return v;
}

}  // namespace

std::string PathToString(const DocumentPath& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i].is_index()) {
      out += "[" + std::to_string(path[i].index) + "]";
    } else {
      if (i > 0) out.push_back('.');
      out += path[i].name;
    }
  }
  return out;
}

std::string PathForError(const DocumentPath& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += ", ";
    out += path[i].is_index() ? "[" + std::to_string(path[i].index) + "]" : path[i].name;
  }
  return out + "]";
}

const AttributeValue* FindPath(const Item& item, const DocumentPath& path) {
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const AttributeValue* v = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      if (v->type() != AttributeType::kL || static_cast<size_t>(e.index) >= v->list().size()) return nullptr;
      v = &v->list()[e.index];
    } else {
      if (v->type() != AttributeType::kM) return nullptr;
      auto m = v->map().find(e.name);
      if (m == v->map().end()) return nullptr;
      v = &m->second;
    }
  }
  return v;
}

Status SetPath(Item* item, const DocumentPath& path, AttributeValue value) {
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return Status::Ok();
  }
  AttributeValue* parent = FindParent(item, path);
  if (parent == nullptr) return InvalidForUpdate();
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type() != AttributeType::kL) return InvalidForUpdate();
    auto& list = parent->mutable_list();
    if (static_cast<size_t>(last.index) < list.size()) {
      list[last.index] = std::move(value);
    } else {
      list.push_back(std::move(value));
    }
  } else {
    if (parent->type() != AttributeType::kM) return InvalidForUpdate();
    parent->mutable_map()[last.name] = std::move(value);
  }
  return Status::Ok();
}

Status RemovePath(Item* item, const DocumentPath& path) {
  if (path.size() == 1) {
    item->erase(path[0].name);
    return Status::Ok();
  }
  AttributeValue* parent = FindParent(item, path);
  if (parent == nullptr) return InvalidForUpdate();
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type() != AttributeType::kL) return InvalidForUpdate();
    auto& list = parent->mutable_list();
    if (static_cast<size_t>(last.index) < list.size()) list.erase(list.begin() + last.index);
  } else {
    if (parent->type() != AttributeType::kM) return InvalidForUpdate();
    parent->mutable_map().erase(last.name);
  }
  return Status::Ok();
}

namespace {

// The union of projected paths as a tree; `whole` means the entire value at this node.
struct ProjectionNode {
  bool whole = false;
  std::map<std::string, ProjectionNode> fields;
  std::map<int64_t, ProjectionNode> elements;
};

// Materializes `node` against `value`; false when nothing of it exists.
bool Project(const ProjectionNode& node, const AttributeValue& value, AttributeValue* out) {
  if (node.whole) {
    *out = value;
    return true;
  }
  if (!node.fields.empty() && value.type() == AttributeType::kM) {
    AttributeMap map;
    for (const auto& [name, child] : node.fields) {
      auto it = value.map().find(name);
      AttributeValue v;
      if (it != value.map().end() && Project(child, it->second, &v)) map.emplace(name, std::move(v));
    }
    if (map.empty()) return false;
    *out = AttributeValue::M(std::move(map));
    return true;
  }
  if (!node.elements.empty() && value.type() == AttributeType::kL) {
    AttributeList list;
    for (const auto& [index, child] : node.elements) {
      AttributeValue v;
      if (static_cast<size_t>(index) < value.list().size() && Project(child, value.list()[index], &v)) {
        list.push_back(std::move(v));
      }
    }
    if (list.empty()) return false;
    *out = AttributeValue::L(std::move(list));
    return true;
  }
  return false;
}

}  // namespace

Item ProjectPaths(const Item& item, const std::vector<DocumentPath>& paths) {
  std::map<std::string, ProjectionNode> roots;
  for (const DocumentPath& path : paths) {
    ProjectionNode* node = &roots[path[0].name];
    for (size_t i = 1; i < path.size() && !node->whole; ++i) {
      node = path[i].is_index() ? &node->elements[path[i].index] : &node->fields[path[i].name];
    }
    node->whole = true;
  }
  Item out;
  for (const auto& [name, node] : roots) {
    auto it = item.find(name);
    AttributeValue v;
    if (it != item.end() && Project(node, it->second, &v)) out.emplace(name, std::move(v));
  }
  return out;
}

}  // namespace tributary::table
