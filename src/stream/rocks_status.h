// Conversion of rocksdb::Status into the project's Status codes (internal to src/stream/).
//
// Thread-safety: pure function.
#pragma once

#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary::stream {

inline Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsCorruption()) return Status::DataLoss(std::move(msg));
  if (s.IsNoSpace() || s.IsMemoryLimit()) return Status::ResourceExhausted(std::move(msg));
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return Status::Unavailable(std::move(msg));
  }
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  return Status::Internal(std::move(msg));
}

}  // namespace tributary::stream
