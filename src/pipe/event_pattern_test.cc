#include "pipe/event_pattern.h"

#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "testing/test_util.h"

namespace tributary::pipe {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

std::string SourceDir() {
  const char* env = std::getenv("TRIBUTARY_SOURCE_DIR");
  return env != nullptr ? env : TRIBUTARY_SOURCE_DIR_DEFAULT;
}

// tests/conformance/event_patterns.json, shared with the moto test.
struct CaseFile {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

const CaseFile& Cases() {
  static CaseFile* file = [] {
    auto* f = new CaseFile;
    std::ifstream in(SourceDir() + "/tests/conformance/event_patterns.json");
    std::stringstream text;
    text << in.rdbuf();
    if (f->parser.parse(simdjson::padded_string(text.str())).get(f->root) != simdjson::SUCCESS) {
      ADD_FAILURE() << "cannot read tests/conformance/event_patterns.json under " << SourceDir();
    }
    return f;
  }();
  return *file;
}

TEST(EventPatternTest, SharedCasesOverJsonAndChangeRecords) {
  const CaseFile& file = Cases();
  simdjson::dom::array cases;
  ASSERT_EQ(file.root["cases"].get(cases), simdjson::SUCCESS);
  int n = 0, records = 0;
  for (simdjson::dom::element c : cases) {
    const std::string name{std::string_view(c["name"])};
    const std::string pattern_json = simdjson::minify(c["pattern"]);
    simdjson::dom::element event;
    std::string_view ref;
    if (c["event_ref"].get(ref) == simdjson::SUCCESS) {
      ASSERT_EQ(file.root["events"][ref].get(event), simdjson::SUCCESS) << name;
    } else {
      ASSERT_EQ(c["event"].get(event), simdjson::SUCCESS) << name;
    }
    const std::string event_json = simdjson::minify(event);
    const bool expected = bool(c["match"]);

    auto pattern = EventPattern::Compile(pattern_json);
    ASSERT_OK(pattern) << name;
    auto got = pattern->MatchesJson(event_json);
    ASSERT_OK(got) << name;
    EXPECT_EQ(*got, expected) << "case '" << name << "': " << pattern_json << " on " << event_json;

    bool is_record = false;
    if (c["record"].get(is_record) == simdjson::SUCCESS && is_record) {
      auto record = ChangeRecord::FromJson(event_json);
      ASSERT_OK(record) << name;
      // The record path must see exactly the JSON the record writes.
      EXPECT_EQ(pattern->Matches(*record), expected)
          << "case '" << name << "' over the ChangeRecord: " << pattern_json;
      ++records;
    }
    ++n;
  }
  EXPECT_GT(n, 100);
  EXPECT_GT(records, 25);
}

TEST(EventPatternTest, SharedInvalidCasesAreRejectedWithTheReason) {
  const CaseFile& file = Cases();
  simdjson::dom::array cases;
  ASSERT_EQ(file.root["invalid"].get(cases), simdjson::SUCCESS);
  int n = 0;
  for (simdjson::dom::element c : cases) {
    const std::string name{std::string_view(c["name"])};
    std::string text;
    std::string_view raw;
    if (c["pattern_text"].get(raw) == simdjson::SUCCESS) {
      text = std::string(raw);
    } else {
      text = simdjson::minify(c["pattern"]);
    }
    auto compiled = EventPattern::Compile(text);
    EXPECT_THAT(compiled.status(), StatusIs(StatusCode::kInvalidArgument)) << name << ": " << text;
    EXPECT_THAT(compiled.status().message(), HasSubstr("Event pattern is not valid. Reason: "));
    EXPECT_THAT(compiled.status().message(), HasSubstr(std::string_view(c["error"]))) << name;
    ++n;
  }
  EXPECT_GT(n, 20);
}

TEST(EventPatternTest, PatternSizeAndNestingLimits) {
  std::string big = R"({"a":[")" + std::string(kMaxPatternChars, 'x') + R"("]})";
  EXPECT_THAT(EventPattern::Compile(big).status().message(), HasSubstr("more than 4096"));

  std::string deep;
  for (int i = 0; i < kMaxPatternDepth + 1; ++i) deep += R"({"a":)";
  deep += R"(["x"])";
  for (int i = 0; i < kMaxPatternDepth + 1; ++i) deep += "}";
  EXPECT_THAT(EventPattern::Compile(deep).status().message(), HasSubstr("nests more than"));
  std::string ok;
  for (int i = 0; i < kMaxPatternDepth; ++i) ok += R"({"a":)";
  ok += R"(["x"])";
  for (int i = 0; i < kMaxPatternDepth; ++i) ok += "}";
  EXPECT_OK(EventPattern::Compile(ok));
}

TEST(EventPatternTest, FilterCriteriaPassesIfAnyPatternMatchesAndCapsAtFive) {
  auto none = FilterCriteria::Compile({});
  ASSERT_OK(none);
  ChangeRecord r;
  r.event_name = EventName::kRemove;
  EXPECT_TRUE(none->Matches(r));

  auto f = FilterCriteria::Compile({R"({"eventName":["INSERT"]})", R"({"eventName":["REMOVE"]})"});
  ASSERT_OK(f);
  EXPECT_TRUE(f->Matches(r));
  r.event_name = EventName::kModify;
  EXPECT_FALSE(f->Matches(r));

  std::vector<std::string> six(6, R"({"eventName":["INSERT"]})");
  EXPECT_THAT(FilterCriteria::Compile(six).status().message(), HasSubstr("at most 5 filters"));
  auto bad = FilterCriteria::Compile({R"({"eventName":["INSERT"]})", R"({"eventName":"INSERT"})"});
  EXPECT_THAT(bad.status().message(), HasSubstr("filter 2"));
}

TEST(EventPatternTest, BinaryAttributesMatchTheirBase64) {
  ChangeRecord r;
  r.keys["id"] = AttributeValue::B("hi");  // "aGk=" on the wire
  auto p = EventPattern::Compile(R"({"dynamodb":{"Keys":{"id":{"B":["aGk="]}}}})");
  ASSERT_OK(p);
  EXPECT_TRUE(p->Matches(r));
  r.keys["id"] = AttributeValue::B("ho");
  EXPECT_FALSE(p->Matches(r));
}

TEST(EventPatternTest, MatchesJsonRejectsNonObjects) {
  auto p = EventPattern::Compile(R"({"a":["x"]})");
  ASSERT_OK(p);
  EXPECT_THAT(p->MatchesJson("[1]").status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(p->MatchesJson("{").status(), StatusIs(StatusCode::kInvalidArgument));
}

// Mutated patterns (bytes flipped, cut, repeated) never crash the compiler or the matcher: each
// either compiles or is InvalidArgument with the EventBridge reason prefix.
TEST(EventPatternTest, MutatedPatternsCompileOrFailCleanly) {
  const CaseFile& file = Cases();
  std::vector<std::string> seeds;
  simdjson::dom::array cases;
  ASSERT_EQ(file.root["cases"].get(cases), simdjson::SUCCESS);
  for (simdjson::dom::element c : cases) seeds.push_back(simdjson::minify(c["pattern"]));
  const std::string event = simdjson::minify(file.root["events"]["insert_order"]);
  auto record = ChangeRecord::FromJson(event);
  ASSERT_OK(record);
  std::mt19937_64 rng = testing::SeededRng();
  const std::string alphabet = "{}[]\":,*\\$.-0123456789eE truefalsnul";
  int compiled = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + rng() % 4); break;
        case 2: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 3: text.insert(at, text.substr(at, 1 + rng() % 8)); break;
      }
    }
    auto p = EventPattern::Compile(text);
    if (!p.ok()) {
      ASSERT_THAT(p.status(), StatusIs(StatusCode::kInvalidArgument)) << text;
      ASSERT_THAT(p.status().message(), HasSubstr("Event pattern is not valid. Reason: ")) << text;
      continue;
    }
    ++compiled;
    auto json_result = p->MatchesJson(event);
    ASSERT_OK(json_result) << text;
    EXPECT_EQ(p->Matches(*record), *json_result) << text;  // both event forms agree
  }
  EXPECT_GT(compiled, 100);
}

}  // namespace
}  // namespace tributary::pipe
