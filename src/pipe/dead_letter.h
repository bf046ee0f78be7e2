// DeadLetterQueue: where a pipe puts the records its target rejects (Pipes' DeadLetterConfig),
// so one bad record does not stop the pipe: a record whose partition key cannot be computed,
// whose partition key or data the target refuses (Kinesis: 1..256 characters, at most 1 MiB).
// Destinations: another stream (`dead_letter: stream:<name>`, partition key = the shard id) or a
// JSON-lines file (`dead_letter: file:<path>`, appended and fsynced).
//
// Each entry is one JSON object, the shape of a Pipes / event-source-mapping failure record for a
// DynamoDB stream source, plus the record itself so nothing is lost (docs/pipes.md):
//
//   {"version":"1.0","timestamp":"2024-05-01T09:00:00.123Z",
//    "requestContext":{"requestId":"<pipe>/<shard>/<sequence>","pipeArn":"...",
//                      "condition":"RecordRejected","approximateInvokeCount":1},
//    "responseContext":{"statusCode":400,"errorCode":"InvalidArgument","errorMessage":"..."},
//    "DDBStreamBatchInfo":{"shardId":"...","startSequenceNumber":"...","endSequenceNumber":"...",
//                          "approximateArrivalOfFirstRecord":"...","approximateArrivalOfLastRecord":"...",
//                          "batchSize":1,"streamArn":"..."},
//    "record":{...the event...}}
//
// Entries are written before the pipe's checkpoint moves past them: at least once (a crash in
// between writes them again).
//
// Thread-safety: Write is not thread-safe; a pipe calls it from its own thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/change_record.h"
#include "core/status.h"
#include "pipe/input_template.h"
#include "stream/stream.h"

namespace tributary::pipe {

class DeadLetterQueue {
 public:
  virtual ~DeadLetterQueue() = default;
  // `stream` must outlive the queue.
  static std::unique_ptr<DeadLetterQueue> ToStream(stream::DataStream* stream);
  // Appends to `path` (its directory is created).
  static std::unique_ptr<DeadLetterQueue> ToFile(std::string path);

  // Writes the entries (JSON objects) durably, in order.
  virtual Status Write(const std::vector<std::string>& entries, const std::string& shard_id) = 0;
  virtual std::string Describe() const = 0;  // "stream:<name>" | "file:<path>"
};

// One failure record (see above) for `event_json`, the event of `record`.
std::string DeadLetterEntry(const PipeContext& context, const std::string& shard_id,
                            const ChangeRecord& record, std::string_view event_json,
                            std::string_view error_code, std::string_view error_message,
                            int64_t now_ms);

}  // namespace tributary::pipe
