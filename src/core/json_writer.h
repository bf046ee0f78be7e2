// JsonWriter: a small, fast, append-only JSON serializer into a std::string.
//
// The caller is responsible for well-formed nesting (Begin/End pairs, Key before each object
// value); commas are inserted automatically. Strings are escaped per RFC 8259; non-ASCII UTF-8 is
// passed through unchanged. Reuse one writer (Clear()) on hot paths to avoid allocation.
//
// Thread-safety: not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tributary {

class JsonWriter {
 public:
  JsonWriter() { stack_.reserve(16); }

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(double value);  // shortest round-trip form; NaN/Inf become null
  void Bool(bool value);
  void Null();
  // Appends pre-serialized JSON as one value.
  void Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }
  void Clear() {
    out_.clear();
    stack_.clear();
    need_comma_ = false;
  }

  // Appends `s` to `out` as a quoted, escaped JSON string.
  static void AppendQuoted(std::string& out, std::string_view s);

 private:
  void Separate();

  std::string out_;
  std::vector<char> stack_;
  bool need_comma_ = false;
};

}  // namespace tributary
