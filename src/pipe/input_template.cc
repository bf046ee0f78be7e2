#include "pipe/input_template.h"

#include <simdjson.h>

#include <ctime>

#include "core/dynamo_json.h"
#include "core/json_writer.h"

namespace tributary::pipe {

namespace {

// The contents of a JSON string holding `s` (escaped, without the quotes).
void AppendEscaped(std::string* out, std::string_view s) {
  JsonWriter w;
  w.String(s);
  std::string quoted = w.Take();
  out->append(quoted, 1, quoted.size() - 2);
}

std::string IsoMillis(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

Result<InputTemplate> InputTemplate::Parse(std::string_view text) {
  if (text.size() > kMaxInputTemplateChars) {
    return Status::InvalidArgument("input_template has " + std::to_string(text.size()) +
                                   " characters, more than " +
                                   std::to_string(kMaxInputTemplateChars));
  }
  InputTemplate t;
  t.text_ = std::string(text);
  auto literal = [&](std::string_view s) {
    if (s.empty()) return;
    if (t.parts_.empty() || t.parts_.back().kind != PartKind::kLiteral) t.parts_.push_back({});
    t.parts_.back().text += s;
  };
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('<', i);
    if (open == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, open - i));
    const std::string_view rest = text.substr(open + 1);
    if (!rest.starts_with("$") && !rest.starts_with("aws.pipes.")) {
      literal("<");
      i = open + 1;
      continue;
    }
    const size_t close = text.find('>', open);
    auto bad = [&](std::string_view why) {
      return Status::InvalidArgument("input_template: " + std::string(why) + " at offset " +
                                     std::to_string(open));
    };
    if (close == std::string_view::npos) return bad("unterminated placeholder");
    const std::string_view name = text.substr(open + 1, close - open - 1);
    Part part;
    part.text = std::string(name);
    if (name[0] == '$') {
      part.kind = PartKind::kPath;
      size_t j = 1;
      while (j < name.size()) {
        if (name[j] == '.') {
          size_t k = j + 1;
          while (k < name.size() && name[k] != '.' && name[k] != '[') ++k;
          if (k == j + 1) return bad("empty name after '.' in <" + std::string(name) + ">");
          std::string seg(name.substr(j + 1, k - j - 1));
          if (seg == "*") return bad("wildcards are not supported in <" + std::string(name) + ">");
          part.segments.push_back({std::move(seg), -1});
          j = k;
        } else if (name[j] == '[') {
          const size_t end = name.find(']', j);
          if (end == std::string_view::npos) return bad("unterminated [ ] in <" + std::string(name) + ">");
          std::string_view inner = name.substr(j + 1, end - j - 1);
          if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
              inner.back() == inner.front()) {
            part.segments.push_back({std::string(inner.substr(1, inner.size() - 2)), -1});
          } else if (!inner.empty() && inner.size() <= 9 &&
                     inner.find_first_not_of("0123456789") == std::string_view::npos) {
            part.segments.push_back({"", std::stoll(std::string(inner))});
          } else {
            return bad("expected an index or a quoted name inside [ ] in <" + std::string(name) + ">");
          }
          j = end + 1;
        } else {
          return bad("expected '.' or '[' in <" + std::string(name) + ">");
        }
      }
      t.needs_parse_ = true;
    } else if (name == "aws.pipes.pipe-arn") {
      part.kind = PartKind::kPipeArn;
    } else if (name == "aws.pipes.pipe-name") {
      part.kind = PartKind::kPipeName;
    } else if (name == "aws.pipes.source-arn") {
      part.kind = PartKind::kSourceArn;
    } else if (name == "aws.pipes.target-arn") {
      part.kind = PartKind::kTargetArn;
    } else if (name == "aws.pipes.enrichment-arn") {
      part.kind = PartKind::kEnrichmentArn;
    } else if (name == "aws.pipes.event.ingestion-time") {
      part.kind = PartKind::kIngestionTime;
    } else if (name == "aws.pipes.event") {
      part.kind = PartKind::kEvent;
    } else if (name == "aws.pipes.event.json") {
      part.kind = PartKind::kEventJson;
    } else {
      return bad("unknown variable <" + std::string(name) +
                 "> (known: aws.pipes.pipe-arn, pipe-name, source-arn, target-arn, "
                 "enrichment-arn, event, event.json, event.ingestion-time)");
    }
    t.parts_.push_back(std::move(part));
    i = close + 1;
  }
  return t;
}

Result<std::string> InputTemplate::Render(std::string_view event_json, const PipeContext& context,
                                          int64_t ingestion_time_ms) const {
  simdjson::dom::element doc;
  if (needs_parse_) {
    if (auto err = ThreadLocalJsonParser().parse(event_json.data(), event_json.size()).get(doc)) {
      return Status::InvalidArgument(std::string("event is not JSON: ") + simdjson::error_message(err));
    }
  }
  std::string out;
  out.reserve(text_.size() + 64);
  for (const Part& p : parts_) {
    switch (p.kind) {
      case PartKind::kLiteral: out += p.text; break;
      case PartKind::kPipeArn: AppendEscaped(&out, context.pipe_arn); break;
      case PartKind::kPipeName: AppendEscaped(&out, context.pipe_name); break;
      case PartKind::kSourceArn: AppendEscaped(&out, context.source_arn); break;
      case PartKind::kTargetArn: AppendEscaped(&out, context.target_arn); break;
      case PartKind::kEnrichmentArn: break;
      case PartKind::kIngestionTime: out += IsoMillis(ingestion_time_ms); break;
      case PartKind::kEvent: AppendEscaped(&out, event_json); break;
      case PartKind::kEventJson: out += event_json; break;
      case PartKind::kPath: {
        simdjson::dom::element e = doc;
        bool found = true;
        for (const Segment& s : p.segments) {
          if (s.index >= 0) {
            simdjson::dom::array arr;
            found = e.get_array().get(arr) == simdjson::SUCCESS &&
                    arr.at(static_cast<size_t>(s.index)).get(e) == simdjson::SUCCESS;
          } else {
            simdjson::dom::object obj;
            found = e.get_object().get(obj) == simdjson::SUCCESS &&
                    obj.at_key(s.name).get(e) == simdjson::SUCCESS;
          }
          if (!found) break;
        }
        if (!found) break;
        std::string_view str;
        if (e.get_string().get(str) == simdjson::SUCCESS) {
          AppendEscaped(&out, str);
        } else {
          out += simdjson::minify(e);
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace tributary::pipe
