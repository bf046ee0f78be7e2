// FirehoseDeliveries: the delivery streams created through the Firehose API
// (streamapi/firehose_api.h), run next to the configured ones by the Pipeline.
//
//   DirectPut             records put through the API are appended to a one-shard buffer stream
//                         "_firehose.<name>" in the embedded log (durable, acknowledged when
//                         written), which a regular delivery::DeliveryStream reads: the same
//                         processors, partitioning, formats and exactly-once commit as configured
//                         deliveries.
//   KinesisStreamAsSource the delivery reads the named stream of the embedded log.
//
// Persistence: each one's CreateDeliveryStream request is kept in DIR/firehose/<name>.json
// (written atomically before the call returns); Load() re-creates them when the pipeline opens,
// so they survive restarts. Deleting removes the file after a final flush and commit; the buffer
// stream is kept (re-creating the name resumes it; retention trims it).
//
// Thread-safety: all methods are thread-safe (API calls arrive on the endpoint's threads).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "delivery/delivery_stream.h"
#include "stream/embedded_stream.h"
#include "streamapi/firehose_api.h"
#include "transform/processor.h"

namespace tributary::runtime {

class FirehoseDeliveries final : public streamapi::FirehoseBackend {
 public:
  struct Built {
    std::unique_ptr<transform::Processor> processor;
    std::unique_ptr<delivery::DeliveryStream> delivery;
  };
  // Builds (and Recover()s) a delivery of `dc` reading `source`; the Pipeline's own code path.
  using Builder = std::function<Result<Built>(const config::DeliveryConfig& dc, stream::DataStream& source)>;

  // `dir`: DIR/firehose; `configured`: the YAML's deliveries (listed, not deletable).
  FirehoseDeliveries(std::string dir, stream::EmbeddedStreamStore& streams, Builder build,
                     std::vector<streamapi::FirehoseStreamInfo> configured, std::string region,
                     std::string account_id);
  ~FirehoseDeliveries() override;

  // Re-creates the persisted delivery streams (not started).
  Status Load();
  // Starts every delivery; ones created later start at once. Stop() flushes and commits them.
  Status Start();
  Status Stop();
  std::vector<delivery::DeliveryStats> Stats() const;

  Status CreateDeliveryStream(const streamapi::FirehoseStreamSpec& spec) override;
  Status DeleteDeliveryStream(std::string_view name) override;
  std::vector<streamapi::FirehoseStreamInfo> ListDeliveryStreams() const override;
  Result<std::vector<std::string>> PutRecords(std::string_view name,
                                              std::span<const std::string_view> records) override;

  static std::string BufferStreamName(std::string_view delivery_name) { return "_firehose." + std::string(delivery_name); }

 private:
  struct Entry {
    streamapi::FirehoseStreamSpec spec;
    stream::DataStream* buffer = nullptr;  // DirectPut
    Built built;
  };
  // Builds an entry for `spec` (creating the DirectPut buffer stream).
  Result<std::unique_ptr<Entry>> Build(const streamapi::FirehoseStreamSpec& spec);
  // AlreadyExists for a taken name, InvalidArgument for a taken SQL table. Needs mu_.
  Status CheckUnique(const streamapi::FirehoseStreamSpec& spec) const;
  std::string PathOf(std::string_view name) const { return dir_ + "/" + std::string(name) + ".json"; }

  const std::string dir_;
  stream::EmbeddedStreamStore& streams_;
  const Builder build_;
  const std::vector<streamapi::FirehoseStreamInfo> configured_;
  const std::string region_;
  const std::string account_id_;

  mutable std::mutex mu_;  // guards entries_ and started_; held while creating or deleting
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
  bool started_ = false;
};

}  // namespace tributary::runtime
