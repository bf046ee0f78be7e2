#include "core/change_record.h"

#include "core/dynamo_json.h"

namespace tributary {

std::string_view EventNameString(EventName name) {
  switch (name) {
    case EventName::kInsert: return "INSERT";
    case EventName::kModify: return "MODIFY";
    case EventName::kRemove: return "REMOVE";
  }
  return "?";
}

Result<EventName> ParseEventName(std::string_view text) {
  if (text == "INSERT") return EventName::kInsert;
  if (text == "MODIFY") return EventName::kModify;
  if (text == "REMOVE") return EventName::kRemove;
  return Status::InvalidArgument("unknown eventName '" + std::string(text) + "'");
}

std::string_view StreamViewTypeName(StreamViewType type) {
  switch (type) {
    case StreamViewType::kKeysOnly: return "KEYS_ONLY";
    case StreamViewType::kNewImage: return "NEW_IMAGE";
    case StreamViewType::kOldImage: return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages: return "NEW_AND_OLD_IMAGES";
  }
  return "?";
}

Result<StreamViewType> ParseStreamViewType(std::string_view text) {
  if (text == "KEYS_ONLY") return StreamViewType::kKeysOnly;
  if (text == "NEW_IMAGE") return StreamViewType::kNewImage;
  if (text == "OLD_IMAGE") return StreamViewType::kOldImage;
  if (text == "NEW_AND_OLD_IMAGES") return StreamViewType::kNewAndOldImages;
  return Status::InvalidArgument(
      "1 validation error detected: Value '" + std::string(text) +
      "' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy "
      "enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
}

void ChangeRecord::AppendJson(JsonWriter& w) const {
  w.BeginObject();
  w.Key("eventID");
  w.String(event_id);
  w.Key("eventName");
  w.String(EventNameString(event_name));
  w.Key("eventVersion");
  w.String(event_version);
  w.Key("eventSource");
  w.String(event_source);
  w.Key("awsRegion");
  w.String(aws_region);
  w.Key("dynamodb");
  w.BeginObject();
  w.Key("ApproximateCreationDateTime");
  w.Int(approximate_creation_date_time);
  w.Key("Keys");
  AppendItemJson(w, keys);
  if (new_image) {
    w.Key("NewImage");
    AppendItemJson(w, *new_image);
  }
  if (old_image) {
    w.Key("OldImage");
    AppendItemJson(w, *old_image);
  }
  w.Key("SequenceNumber");
  w.String(sequence_number);
  w.Key("SizeBytes");
  w.Int(size_bytes);
  w.Key("StreamViewType");
  w.String(StreamViewTypeName(stream_view_type));
  w.EndObject();
  if (!event_source_arn.empty()) {
    w.Key("eventSourceARN");
    w.String(event_source_arn);
  }
  if (!user_identity_type.empty()) {
    w.Key("userIdentity");
    w.BeginObject();
    w.Key("type");
    w.String(user_identity_type);
    w.Key("principalId");
    w.String(user_identity_principal_id);
    w.EndObject();
  }
  w.EndObject();
}

std::string ChangeRecord::ToJson() const {
  JsonWriter w;
  AppendJson(w);
  return w.Take();
}

namespace {

Status Missing(std::string_view field) {
  return Status::InvalidArgument("change record is missing '" + std::string(field) + "'");
}

Result<std::string> GetString(simdjson::dom::object obj, std::string_view key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return Missing(key);
  return std::string(s);
}

}  // namespace

Result<ChangeRecord> ChangeRecord::FromJson(std::string_view json) {
  simdjson::dom::element root;
  auto err = ThreadLocalJsonParser().parse(json.data(), json.size()).get(root);
  if (err) return Status::InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return Status::InvalidArgument("change record is not an object");

  ChangeRecord r;
  TRIB_ASSIGN_OR_RETURN(r.event_id, GetString(obj, "eventID"));
  TRIB_ASSIGN_OR_RETURN(std::string name, GetString(obj, "eventName"));
  TRIB_ASSIGN_OR_RETURN(r.event_name, ParseEventName(name));
  TRIB_ASSIGN_OR_RETURN(r.event_version, GetString(obj, "eventVersion"));
  TRIB_ASSIGN_OR_RETURN(r.event_source, GetString(obj, "eventSource"));
  TRIB_ASSIGN_OR_RETURN(r.aws_region, GetString(obj, "awsRegion"));
  std::string_view arn;
  if (obj["eventSourceARN"].get_string().get(arn) == simdjson::SUCCESS) r.event_source_arn = arn;

  simdjson::dom::object identity;
  if (obj["userIdentity"].get_object().get(identity) == simdjson::SUCCESS) {
    std::string_view v;
    if (identity["type"].get_string().get(v) == simdjson::SUCCESS) r.user_identity_type = v;
    if (identity["principalId"].get_string().get(v) == simdjson::SUCCESS) r.user_identity_principal_id = v;
  }
  simdjson::dom::object ddb;
  if (obj["dynamodb"].get_object().get(ddb) != simdjson::SUCCESS) return Missing("dynamodb");
  simdjson::dom::element t;
  if (ddb["ApproximateCreationDateTime"].get(t) != simdjson::SUCCESS) {
    return Missing("dynamodb.ApproximateCreationDateTime");
  }
  double seconds = 0;
  int64_t whole = 0;
  if (t.get_int64().get(whole) == simdjson::SUCCESS) {
    r.approximate_creation_date_time = whole;
  } else if (t.get_double().get(seconds) == simdjson::SUCCESS) {
    r.approximate_creation_date_time = static_cast<int64_t>(seconds);
  } else {
    return Status::InvalidArgument("dynamodb.ApproximateCreationDateTime is not a number");
  }
  simdjson::dom::element e;
  if (ddb["Keys"].get(e) != simdjson::SUCCESS) return Missing("dynamodb.Keys");
  TRIB_ASSIGN_OR_RETURN(r.keys, ItemFromDom(e));
  if (ddb["NewImage"].get(e) == simdjson::SUCCESS) {
    TRIB_ASSIGN_OR_RETURN(AttributeMap m, ItemFromDom(e));
    r.new_image = std::move(m);
  }
  if (ddb["OldImage"].get(e) == simdjson::SUCCESS) {
    TRIB_ASSIGN_OR_RETURN(AttributeMap m, ItemFromDom(e));
    r.old_image = std::move(m);
  }
  TRIB_ASSIGN_OR_RETURN(r.sequence_number, GetString(ddb, "SequenceNumber"));
  int64_t size = 0;
  if (ddb["SizeBytes"].get_int64().get(size) == simdjson::SUCCESS) r.size_bytes = size;
  TRIB_ASSIGN_OR_RETURN(std::string view, GetString(ddb, "StreamViewType"));
  TRIB_ASSIGN_OR_RETURN(r.stream_view_type, ParseStreamViewType(view));
  return r;
}

}  // namespace tributary
