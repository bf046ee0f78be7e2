#include "core/change_record.h"

#include "testing/test_util.h"

namespace tributary {
namespace {

ChangeRecord Sample() {
  ChangeRecord r;
  r.event_id = "0123456789abcdef0123456789abcdef";
  r.event_name = EventName::kModify;
  r.aws_region = "eu-west-1";
  r.approximate_creation_date_time = 1700000000;
  r.keys["order_id"] = AttributeValue::S("o-1");
  r.new_image = AttributeMap{{"order_id", AttributeValue::S("o-1")}, {"price", AttributeValue::N(310)}};
  r.old_image = AttributeMap{{"order_id", AttributeValue::S("o-1")}, {"price", AttributeValue::N(300)}};
  r.sequence_number = "000000000000000000042";
  r.size_bytes = 42;
  return r;
}

TEST(ChangeRecordTest, ExactDynamoDbStreamsJson) {
  EXPECT_EQ(Sample().ToJson(),
            R"({"eventID":"0123456789abcdef0123456789abcdef","eventName":"MODIFY","eventVersion":"1.1",)"
            R"("eventSource":"aws:dynamodb","awsRegion":"eu-west-1","dynamodb":{)"
            R"("ApproximateCreationDateTime":1700000000,"Keys":{"order_id":{"S":"o-1"}},)"
            R"("NewImage":{"order_id":{"S":"o-1"},"price":{"N":"310"}},)"
            R"("OldImage":{"order_id":{"S":"o-1"},"price":{"N":"300"}},)"
            R"("SequenceNumber":"000000000000000000042","SizeBytes":42,"StreamViewType":"NEW_AND_OLD_IMAGES"}})");
}

TEST(ChangeRecordTest, RoundTripWithSourceArn) {
  ChangeRecord r = Sample();
  r.event_source_arn = "arn:aws:dynamodb:eu-west-1:000000000000:table/T/stream/2024-01-01T00:00:00.000";
  auto back = ChangeRecord::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
}

TEST(ChangeRecordTest, TtlRemovalCarriesServiceIdentity) {
  ChangeRecord r = Sample();
  r.event_name = EventName::kRemove;
  r.new_image.reset();
  r.user_identity_type = "Service";
  r.user_identity_principal_id = "dynamodb.amazonaws.com";
  std::string json = r.ToJson();
  EXPECT_NE(json.find(R"("userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"})"),
            std::string::npos);
  auto back = ChangeRecord::FromJson(json);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
}

TEST(ChangeRecordTest, InsertHasNoOldImageAndFractionalTimeIsFloored) {
  auto r = ChangeRecord::FromJson(
      R"({"eventID":"e","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
      R"("awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1795532857.677,)"
      R"("Keys":{"k":{"N":"1"}},"NewImage":{"k":{"N":"1"}},"SequenceNumber":"1","SizeBytes":3,)"
      R"("StreamViewType":"NEW_IMAGE"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->approximate_creation_date_time, 1795532857);
  EXPECT_FALSE(r->old_image.has_value());
  EXPECT_EQ(r->stream_view_type, StreamViewType::kNewImage);
}

TEST(ChangeRecordTest, RejectsBadRecords) {
  EXPECT_FALSE(ChangeRecord::FromJson("{}").ok());
  EXPECT_FALSE(ChangeRecord::FromJson(R"({"eventID":"e","eventName":"UPSERT"})").ok());
  EXPECT_FALSE(ChangeRecord::FromJson("[").ok());
}

}  // namespace
}  // namespace tributary
