// Internal to src/config: error collection and "did you mean" suggestions, shared by the YAML
// reader and the validator.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "core/status.h"

namespace tributary::config::internal {

// Optimal-string-alignment edit distance (an adjacent transposition counts as one edit),
// ASCII case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` if it is near enough to be a likely typo of it.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

// "a, b, c"
std::string JoinNames(std::span<const std::string_view> names);

// " (did you mean 'x'?)" when a candidate is close, else " (<label>: a, b, c)", else "".
std::string Suggestion(std::string_view word, std::span<const std::string_view> candidates,
                       std::string_view label = "expected one of");

// Collects located errors; the Status carries them one per line, ordered by line and column.
// Not thread-safe.
class Diagnostics {
 public:
  void Error(const Location& at, std::string_view what);
  bool ok() const { return errors_.empty(); }
  size_t error_count() const { return errors_.size(); }
  Status ToStatus() const;

 private:
  static constexpr size_t kMaxReported = 20;
  struct Entry {
    int line;
    int column;
    std::string message;
  };
  std::vector<Entry> errors_;
};

}  // namespace tributary::config::internal
