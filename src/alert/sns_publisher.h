// The SNS action's publisher: SnsClient::Publish (src/aws: SigV4, credential chain) with one
// client per (endpoint_url, region), created on first use. The client makes one attempt per
// send: retries and backoff belong to the alert outbox (alert_engine.h), which keeps them
// durable across restarts.
//
// Thread-safety: the returned function is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "alert/notifier.h"

namespace tributary::aws {
class CredentialProvider;
}

namespace tributary::alert {

// `default_region`: for actions without `region` (the pipeline's). `credentials`: nullptr = the
// default AWS chain (env, shared files, IMDS).
SnsPublisher MakeSnsPublisher(std::string default_region,
                              std::shared_ptr<aws::CredentialProvider> credentials = nullptr);

}  // namespace tributary::alert
