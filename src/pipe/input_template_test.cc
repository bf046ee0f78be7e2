#include "pipe/input_template.h"

#include "core/change_record.h"
#include "testing/test_util.h"

namespace tributary::pipe {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;

const PipeContext kContext{"orders-pipe", "arn:aws:pipes:us-east-1:000000000000:pipe/orders-pipe",
                           "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/x",
                           "arn:aws:kinesis:us-east-1:000000000000:stream/orders"};

std::string EventJson() {
  ChangeRecord r;
  r.event_id = "e1";
  r.event_name = EventName::kModify;
  r.keys["order_id"] = AttributeValue::S("o-\"1\"");
  r.new_image = r.keys;
  (*r.new_image)["qty"] = AttributeValue::N(3);
  (*r.new_image)["tags"] = *AttributeValue::SS({"a", "b"});
  r.sequence_number = "100";
  r.event_source_arn = kContext.source_arn;
  return r.ToJson();
}

std::string Render(std::string_view tmpl) {
  auto t = InputTemplate::Parse(tmpl);
  EXPECT_OK(t);
  if (!t.ok()) return "PARSE ERROR";
  auto out = t->Render(EventJson(), kContext, 1714554000123);
  EXPECT_OK(out);
  return out.ok() ? *out : "RENDER ERROR";
}

TEST(InputTemplateTest, StaticAndDynamicStrings) {
  EXPECT_EQ(Render("Hello, sender"), "Hello, sender");
  EXPECT_EQ(Render("<$.eventName>"), "MODIFY");
  EXPECT_EQ(Render("change <$.eventID> is a <$.eventName>"), "change e1 is a MODIFY");
  EXPECT_EQ(Render("a < b, <$.eventName>"), "a < b, MODIFY");  // other '<' are text
}

TEST(InputTemplateTest, QuotingRules) {
  // Strings: escaped contents, quoted by the template; objects and numbers: JSON, unquoted.
  EXPECT_EQ(Render(R"({"id": "<$.dynamodb.Keys.order_id.S>", "keys": <$.dynamodb.Keys>})"),
            R"({"id": "o-\"1\"", "keys": {"order_id":{"S":"o-\"1\""}}})");
  EXPECT_EQ(Render(R"({"size": <$.dynamodb.SizeBytes>, "first": "<$.dynamodb.NewImage.tags.SS[0]>"})"),
            R"({"size": 0, "first": "a"})");
  EXPECT_EQ(Render(R"({"q": "<$['dynamodb']['NewImage'].qty.N>"})"), R"({"q": "3"})");
  EXPECT_EQ(Render(R"({"missing": "<$.dynamodb.OldImage.qty.N>"})"), R"({"missing": ""})");
}

TEST(InputTemplateTest, ReservedVariables) {
  EXPECT_EQ(Render("<aws.pipes.pipe-name>|<aws.pipes.pipe-arn>|<aws.pipes.enrichment-arn>|"
                   "<aws.pipes.event.ingestion-time>"),
            "orders-pipe|arn:aws:pipes:us-east-1:000000000000:pipe/orders-pipe||"
            "2024-05-01T09:00:00.123Z");
  EXPECT_EQ(Render("<aws.pipes.source-arn> -> <aws.pipes.target-arn>"),
            kContext.source_arn + " -> " + kContext.target_arn);
  EXPECT_EQ(Render(R"({"event": <aws.pipes.event.json>})"), R"({"event": )" + EventJson() + "}");
  const std::string escaped = Render(R"({"text": "<aws.pipes.event>"})");
  EXPECT_THAT(escaped, HasSubstr(R"(\"eventName\":\"MODIFY\")"));
}

TEST(InputTemplateTest, RejectsBadPlaceholders) {
  EXPECT_THAT(InputTemplate::Parse("<aws.pipes.pipe-id>").status().message(),
              HasSubstr("unknown variable <aws.pipes.pipe-id> (known:"));
  EXPECT_THAT(InputTemplate::Parse("x <$.a").status().message(),
              HasSubstr("unterminated placeholder at offset 2"));
  EXPECT_THAT(InputTemplate::Parse("<$.a.*>"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InputTemplate::Parse("<$.a[x]>"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InputTemplate::Parse("<$..a>"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InputTemplate::Parse(std::string(8193, 'x')).status().message(),
              HasSubstr("more than 8192"));
}

}  // namespace
}  // namespace tributary::pipe
