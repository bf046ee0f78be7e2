#include "config/diagnostics.h"

#include <algorithm>
#include <cctype>

namespace tributary::config::internal {

namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool IsPrefixIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rolling rows: d[i-2], d[i-1], d[i].
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
          Lower(a[i - 2]) == Lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  // Allow about one edit per three characters, at least one.
  const size_t allowed = std::max<size_t>(1, word.size() / 3);
  std::optional<std::string_view> best;
  size_t best_distance = allowed + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    // A truncated or extended name ("interval" for "interval_ms") is a likely slip too.
    if (d > 1 && std::min(word.size(), c.size()) >= 4 && IsPrefixIgnoringCase(word, c)) d = 1;
    if (d < best_distance && d < std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string Suggestion(std::string_view word, std::span<const std::string_view> candidates,
                       std::string_view label) {
  if (auto match = ClosestMatch(word, candidates)) {
    return " (did you mean '" + std::string(*match) + "'?)";
  }
  if (candidates.empty()) return "";
  return " (" + std::string(label) + ": " + JoinNames(candidates) + ")";
}

void Diagnostics::Error(const Location& at, std::string_view what) {
  errors_.push_back(Entry{at.line, at.column, ConfigError(at, what).message()});
}

Status Diagnostics::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::vector<Entry> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string message;
  const size_t shown = std::min(errors_.size(), kMaxReported);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) message += '\n';
    message += sorted[i].message;
  }
  if (errors_.size() > shown) {
    message += "\n... and " + std::to_string(errors_.size() - shown) + " more errors";
  }
  return Status::InvalidArgument(std::move(message));
}

}  // namespace tributary::config::internal
