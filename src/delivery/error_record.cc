#include "delivery/error_record.h"

#include "core/encoding.h"
#include "core/json_writer.h"

namespace tributary::delivery {

void AppendFailedRecordJson(const FailedRecord& r, std::string& out) {
  JsonWriter w;
  w.BeginObject();
  w.Key("attemptsMade");
  w.Int(r.attempts_made);
  w.Key("arrivalTimestamp");
  w.Int(r.arrival_ms);
  w.Key("errorCode");
  w.String(r.error_code);
  w.Key("errorMessage");
  w.String(r.error_message);
  w.Key("attemptEndingTimestamp");
  w.Int(r.attempt_ending_ms);
  w.Key("rawData");
  w.String(Base64Encode(r.raw_data));
  if (r.error_output_type == kProcessingFailedType) {
    w.Key("lambdaArn");
    w.String(r.lambda_arn);
  }
  w.Key("sequenceNumber");
  w.String(r.sequence_number);
  w.Key("errorOutputType");
  w.String(r.error_output_type);
  w.EndObject();
  out += w.str();
}

std::vector<catalog::Column> FailedRecordColumns() {
  using catalog::ColumnType;
  return {{"attemptsMade", ColumnType::kBigint},       {"arrivalTimestamp", ColumnType::kBigint},
          {"errorCode", ColumnType::kString},          {"errorMessage", ColumnType::kString},
          {"attemptEndingTimestamp", ColumnType::kBigint}, {"rawData", ColumnType::kString},
          {"lambdaArn", ColumnType::kString},          {"sequenceNumber", ColumnType::kString},
          {"errorOutputType", ColumnType::kString}};
}

}  // namespace tributary::delivery
