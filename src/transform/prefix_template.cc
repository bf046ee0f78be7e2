#include "transform/prefix_template.h"

#include <algorithm>
#include <random>

namespace tributary::transform {

namespace {

constexpr int64_t kDayMs = 86400000;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Largest count per supported letter; 0 = unsupported.
int MaxCount(char letter) {
  switch (letter) {
    case 'G': case 'Q': case 'q': case 'M': case 'L': case 'E': case 'X': case 'x': case 'Z':
      return 5;
    case 'u': case 'y': case 'S': case 'n': case 'A':
      return 9;
    case 'D':
      return 3;
    case 'd': case 'H': case 'k': case 'K': case 'h': case 'm': case 's':
      return 2;
    case 'a':
      return 1;
    default:
      return 0;
  }
}

int64_t GranularityOf(char letter) {
  switch (letter) {
    case 'S': case 'n': case 'A':
      return 1;
    case 's':
      return 1000;
    case 'm':
      return 60000;
    case 'H': case 'k': case 'K': case 'h': case 'a':
      return 3600000;
    default:
      return kDayMs;
  }
}

constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",
                                       "May",     "June",     "July",      "August",
                                       "September", "October", "November", "December"};
constexpr const char* kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

// Days since 1970-01-01 of a civil date (inverse of ToUtc's calendar).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Decimal digits of v >= 0, zero-padded to at least `width`.
void AppendNumber(std::string& out, int64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int i = n; i < width; ++i) out += '0';
  while (n > 0) out += buf[--n];
}

void AppendText(std::string& out, const char* full, int count) {
  std::string_view name(full);
  if (count <= 3) {
    out.append(name.substr(0, 3));
  } else if (count == 4) {
    out.append(name);
  } else {
    out += name.front();
  }
}

const char* OrdinalSuffix(int n) { return n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th"; }

}  // namespace

Result<TimestampPattern> TimestampPattern::Parse(std::string_view pattern, size_t* error_at) {
  auto fail = [&](size_t at, std::string what) -> Status {
    if (error_at != nullptr) *error_at = at;
    return Status::InvalidArgument("timestamp pattern '" + std::string(pattern) + "': " + what);
  };
  if (pattern.empty()) return fail(0, "is empty");
  TimestampPattern out;
  auto literal = [&](std::string_view text) {
    if (out.fields_.empty() || out.fields_.back().letter != 0) out.fields_.emplace_back();
    out.fields_.back().literal.append(text);
  };
  size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {  // '' = one quote
        literal("'");
        i += 2;
        continue;
      }
      std::string text;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= pattern.size()) return fail(i, "unterminated quoted text");
        if (pattern[j] != '\'') {
          text += pattern[j];
        } else if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
          text += '\'';
          ++j;
        } else {
          break;
        }
      }
      literal(text);
      i = j + 1;
      continue;
    }
    if (c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
      return fail(i, std::string("'") + c +
                         "' is reserved (optional sections are not supported); quote it as '" +
                         c + "'");
    }
    if (!IsAsciiLetter(c)) {
      literal(std::string_view(&c, 1));
      ++i;
      continue;
    }
    size_t j = i;
    while (j < pattern.size() && pattern[j] == c) ++j;
    const int count = static_cast<int>(j - i);
    const int max = MaxCount(c);
    if (max == 0) {
      return fail(i, std::string("pattern letter '") + c +
                         "' is not supported (supported: G u y Q q M L d D E a H k K h m s S n A "
                         "X x Z; quote literal text as 'text')");
    }
    if (count > max) {
      return fail(i, "too many pattern letters '" + std::string(static_cast<size_t>(count), c) +
                         "' (at most " + std::to_string(max) + ")");
    }
    Field f;
    f.letter = c;
    f.count = count;
    out.fields_.push_back(std::move(f));
    out.granularity_ms_ = std::min(out.granularity_ms_, GranularityOf(c));
    i = j;
  }
  return out;
}

void TimestampPattern::Append(const UtcTime& t, std::string& out) const {
  const int64_t year = std::max<int64_t>(t.year, 0);
  for (const Field& f : fields_) {
    const int n = f.count;
    switch (f.letter) {
      case 0:
        out += f.literal;
        break;
      case 'G':
        out += n <= 3 ? "AD" : n == 4 ? "Anno Domini" : "A";
        break;
      case 'u':
      case 'y':
        if (n == 2) {
          AppendNumber(out, year % 100, 2);
        } else {
          AppendNumber(out, year, n);
        }
        break;
      case 'Q':
      case 'q': {
        const int q = (t.month - 1) / 3 + 1;
        if (n <= 2) {
          AppendNumber(out, q, n);
        } else if (n == 3) {
          out += 'Q';
          AppendNumber(out, q, 1);
        } else if (n == 4) {
          AppendNumber(out, q, 1);
          out += OrdinalSuffix(q);
          out += " quarter";
        } else {
          AppendNumber(out, q, 1);
        }
        break;
      }
      case 'M':
      case 'L':
        if (n <= 2) {
          AppendNumber(out, t.month, n);
        } else {
          AppendText(out, kMonthNames[t.month - 1], n);
        }
        break;
      case 'd':
        AppendNumber(out, t.day, n);
        break;
      case 'D': {
        const int64_t doy = DaysFromCivil(t.year, t.month, t.day) - DaysFromCivil(t.year, 1, 1) + 1;
        AppendNumber(out, doy, n);
        break;
      }
      case 'E': {
        const int64_t days = DaysFromCivil(t.year, t.month, t.day);
        // 1970-01-01 was a Thursday (index 3 from Monday).
        const int64_t dow = ((days % 7) + 7 + 3) % 7;
        AppendText(out, kDayNames[dow], n);
        break;
      }
      case 'a':
        out += t.hour < 12 ? "AM" : "PM";
        break;
      case 'H':
        AppendNumber(out, t.hour, n);
        break;
      case 'k':
        AppendNumber(out, t.hour == 0 ? 24 : t.hour, n);
        break;
      case 'K':
        AppendNumber(out, t.hour % 12, n);
        break;
      case 'h':
        AppendNumber(out, t.hour % 12 == 0 ? 12 : t.hour % 12, n);
        break;
      case 'm':
        AppendNumber(out, t.minute, n);
        break;
      case 's':
        AppendNumber(out, t.second, n);
        break;
      case 'S': {
        std::string nanos;
        AppendNumber(nanos, static_cast<int64_t>(t.millis) * 1000000, 9);
        out.append(nanos, 0, static_cast<size_t>(n));
        break;
      }
      case 'n':
        AppendNumber(out, static_cast<int64_t>(t.millis) * 1000000, n);
        break;
      case 'A':
        AppendNumber(out,
                     ((static_cast<int64_t>(t.hour) * 60 + t.minute) * 60 + t.second) * 1000 +
                         t.millis,
                     n);
        break;
      case 'X':
        out += 'Z';
        break;
      case 'x':
        out += n == 1 ? "+00" : (n == 2 || n == 4) ? "+0000" : "+00:00";
        break;
      case 'Z':
        out += n <= 3 ? "+0000" : n == 4 ? "GMT" : "Z";
        break;
      default:
        break;
    }
  }
}

std::string_view PrefixRoleName(PrefixRole role) {
  return role == PrefixRole::kPrefix ? "prefix" : "error_output_prefix";
}

void AppendRandomString(std::string& out) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (size_t i = 0; i < PrefixTemplate::kRandomStringLength; ++i) {
    out += kChars[rng() % 36];
  }
}

void PrefixTemplate::AppendPart(const PrefixPart& part, const UtcTime& time,
                                std::string_view error_output_type, std::string& out) {
  switch (part.kind) {
    case PrefixPart::Kind::kLiteral:
      out += part.text;
      break;
    case PrefixPart::Kind::kTimestamp:
      part.timestamp.Append(time, out);
      break;
    case PrefixPart::Kind::kRandomString:
      AppendRandomString(out);
      break;
    case PrefixPart::Kind::kErrorOutputType:
      out += error_output_type;
      break;
    case PrefixPart::Kind::kQueryKey:
    case PrefixPart::Kind::kLambdaKey:
      break;
  }
}

Result<PrefixTemplate> PrefixTemplate::Parse(std::string_view text, PrefixRole role,
                                             size_t* error_at) {
  const std::string what(PrefixRoleName(role));
  auto fail = [&](size_t at, const std::string& why) -> Status {
    if (error_at != nullptr) *error_at = at;
    return Status::InvalidArgument(what + " '" + std::string(text) + "': " + why);
  };
  if (text.size() > kMaxTemplateBytes) {
    return fail(kMaxTemplateBytes, "is longer than " + std::to_string(kMaxTemplateBytes) + " bytes");
  }
  PrefixTemplate t;
  t.text_ = std::string(text);
  t.role_ = role;
  std::vector<PrefixPart> current;
  auto add_literal = [&](std::string_view s) {
    if (current.empty() || current.back().kind != PrefixPart::Kind::kLiteral) {
      current.emplace_back();
    }
    current.back().text.append(s);
  };
  auto end_segment = [&](size_t at) -> Status {
    if (current.empty()) {
      return fail(at, t.segments_.empty() && at == 0
                          ? "must not start with '/'"
                          : "has an empty folder level ('//'); every level needs a name");
    }
    t.segments_.push_back(std::move(current));
    current.clear();
    return Status::Ok();
  };

  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '/') {
      TRIB_RETURN_IF_ERROR(end_segment(i));
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return fail(i, "contains a control character");
    }
    if (c == '\\') return fail(i, "contains '\\' (use '/' between folders)");
    if (c != '!' || i + 1 >= text.size() || text[i + 1] != '{') {
      add_literal(std::string_view(&c, 1));
      ++i;
      continue;
    }
    // An expression: !{namespace:value}. The first '}' outside quotes ends it.
    const size_t start = i;
    size_t j = i + 2;
    bool quoted = false;
    while (j < text.size() && (quoted || text[j] != '}')) {
      if (text[j] == '\'') quoted = !quoted;
      ++j;
    }
    if (j >= text.size()) return fail(start, "expression '!{' is not closed with '}'");
    const std::string_view body = text.substr(start + 2, j - start - 2);
    const size_t colon = body.find(':');
    if (colon == std::string_view::npos) {
      return fail(start, "expression '!{" + std::string(body) +
                             "}' needs the form !{namespace:value}");
    }
    const std::string_view ns = body.substr(0, colon);
    const std::string_view value = body.substr(colon + 1);
    const size_t value_at = start + 2 + colon + 1;
    PrefixPart part;
    if (ns == "timestamp") {
      size_t at = 0;
      Result<TimestampPattern> p = TimestampPattern::Parse(value, &at);
      if (!p.ok()) return fail(value_at + at, p.status().message());
      // Split the pattern at its literal '/', which are folder separators.
      TimestampPattern piece;
      auto flush_piece = [&]() {
        if (!piece.fields_.empty()) {
          PrefixPart tp;
          tp.kind = PrefixPart::Kind::kTimestamp;
          tp.timestamp = std::move(piece);
          current.push_back(std::move(tp));
        }
        piece = TimestampPattern();
      };
      for (const TimestampPattern::Field& f : p->fields_) {
        if (f.letter != 0) {
          piece.fields_.push_back(f);
          piece.granularity_ms_ = std::min(piece.granularity_ms_, GranularityOf(f.letter));
          continue;
        }
        size_t s = 0;
        while (s <= f.literal.size()) {
          size_t slash = f.literal.find('/', s);
          if (slash == std::string::npos) slash = f.literal.size();
          if (slash > s) {
            TimestampPattern::Field lit;
            lit.literal = f.literal.substr(s, slash - s);
            piece.fields_.push_back(std::move(lit));
          }
          if (slash == f.literal.size()) break;
          flush_piece();
          TRIB_RETURN_IF_ERROR(end_segment(start));
          s = slash + 1;
        }
      }
      flush_piece();
      t.has_timestamp_ = true;
      t.has_expressions_ = true;
      t.granularity_ms_ = std::min(t.granularity_ms_, p->granularity_ms());
      i = j + 1;
      continue;
    }
    if (ns == "firehose") {
      if (value == "random-string") {
        part.kind = PrefixPart::Kind::kRandomString;
        t.has_random_string_ = true;
      } else if (value == "error-output-type") {
        if (role != PrefixRole::kErrorOutputPrefix) {
          return fail(start, "!{firehose:error-output-type} is allowed only in "
                             "error_output_prefix");
        }
        part.kind = PrefixPart::Kind::kErrorOutputType;
        t.has_error_output_type_ = true;
      } else {
        return fail(value_at, "unknown firehose expression '" + std::string(value) +
                                  "' (expected random-string or error-output-type)");
      }
    } else if (ns == "partitionKeyFromQuery" || ns == "partitionKeyFromLambda") {
      if (role != PrefixRole::kPrefix) {
        return fail(start, "!{" + std::string(ns) + ":...} is not allowed in " + what);
      }
      if (value.empty() || value.size() > 256 ||
          !std::all_of(value.begin(), value.end(), [](char ch) {
            return IsAsciiLetter(ch) || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
                   ch == '.';
          })) {
        return fail(value_at, "partition key name '" + std::string(value) +
                                  "' must be 1 to 256 of [A-Za-z0-9_.-]");
      }
      part.kind = ns == "partitionKeyFromQuery" ? PrefixPart::Kind::kQueryKey
                                                : PrefixPart::Kind::kLambdaKey;
      part.text = std::string(value);
      t.has_partition_keys_ = true;
    } else {
      return fail(start, "unknown namespace '" + std::string(ns) +
                             "' (expected timestamp, firehose, partitionKeyFromQuery or "
                             "partitionKeyFromLambda)");
    }
    t.has_expressions_ = true;
    current.push_back(std::move(part));
    i = j + 1;
  }
  if (!current.empty()) {
    t.segments_.push_back(std::move(current));
    t.ends_with_slash_ = false;
  } else {
    t.ends_with_slash_ = !t.segments_.empty();
  }
  return t;
}

}  // namespace tributary::transform
