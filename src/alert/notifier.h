// Notifier: performs one alert action (webhook POST, SNS Publish, log append) for one alert, and
// says whether a failure is worth retrying. The alert engine calls it from its outbox (alert
// engine.h), which owns retries, backoff and the dead state.
//
//   webhook  POST <url>, body AlertJson(alert), headers Content-Type: application/json,
//            Idempotency-Key: <event_id>, X-Tributary-Alert-Rule: <rule>, plus the configured
//            ones. 2xx = sent; connection errors, timeouts, 408, 429 and 5xx are retryable; any
//            other status is permanent (the receiver refuses the request as such).
//   sns      Publish(topic_arn, subject, AlertJson(alert)) through the SnsPublisher given.
//   log      appends AlertJson(alert) + "\n" to the file in one write(2), then fsync.
//
// Thread-safety: Send() is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "alert/alert_store.h"
#include "config/pipeline_config.h"
#include "core/status.h"

namespace tributary::alert {

// "2026-11-24T22:36:59.123Z".
std::string IsoTime(int64_t ms);

// {"rule":..., "event_id":..., "time":"<ISO-8601>", "row":{...}}: the webhook body, the SNS
// message and the log line (row_json is embedded as is).
std::string AlertJson(const AlertRecord& alert);

struct SendOutcome {
  bool ok = false;
  bool retryable = false;
  std::string error;  // when !ok
};

// SNS Publish: returns the MessageId. kUnavailable / kResourceExhausted are retried.
using SnsPublisher = std::function<Result<std::string>(const config::AlertActionConfig& action,
                                                       std::string_view subject,
                                                       std::string_view message)>;

class Notifier {
 public:
  // `data_dir`: where relative log paths live. `sns`: may be empty (SNS actions then fail
  // permanently with a message saying so).
  Notifier(std::string data_dir, SnsPublisher sns);

  SendOutcome Send(const AlertRecord& alert, const config::AlertActionConfig& action) const;

  // The absolute file a log action appends to.
  std::string LogPath(const config::AlertActionConfig& action) const;

 private:
  SendOutcome PostWebhook(const AlertRecord& alert, const config::AlertActionConfig& action) const;
  SendOutcome PublishSns(const AlertRecord& alert, const config::AlertActionConfig& action) const;
  SendOutcome AppendLog(const AlertRecord& alert, const config::AlertActionConfig& action) const;

  const std::string data_dir_;
  const SnsPublisher sns_;
};

}  // namespace tributary::alert
