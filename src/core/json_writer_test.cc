#include "core/json_writer.h"

#include "testing/test_util.h"

namespace tributary {
namespace {

TEST(JsonWriterTest, NestedStructures) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(-1);
  w.Key("b");
  w.BeginArray();
  w.String("x");
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.Double(1.5);
  w.EndArray();
  w.Key("c");
  w.Raw(R"({"k":1})");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":["x",true,null,{},1.5],"c":{"k":1}})");
}

TEST(JsonWriterTest, Escapes) {
  std::string out;
  JsonWriter::AppendQuoted(out, std::string("a\"b\\c\n\t\x01 \xc3\xa9", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9\"");
}

TEST(JsonWriterTest, EscapesAtEveryOffsetOfLongStrings) {
  for (size_t pos = 0; pos < 40; ++pos) {
    for (char special : {'"', '\\', '\n', '\x1f', '\x01'}) {
      std::string s(40, 'a');
      s[pos] = special;
      s += "\xc3\xa9 tail";
      std::string out;
      JsonWriter::AppendQuoted(out, s);
      std::string expected = "\"" + std::string(pos, 'a');
      switch (special) {
        case '"': expected += "\\\""; break;
        case '\\': expected += "\\\\"; break;
        case '\n': expected += "\\n"; break;
        case '\x1f': expected += "\\u001f"; break;
        default: expected += "\\u0001"; break;
      }
      expected += std::string(39 - pos, 'a') + "\xc3\xa9 tail\"";
      EXPECT_EQ(out, expected) << pos << " " << static_cast<int>(special);
    }
  }
}

}  // namespace
}  // namespace tributary
