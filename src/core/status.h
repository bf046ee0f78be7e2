// Status and Result<T>: how every fallible operation in Tributary reports failure.
//
// Codes follow Abseil's canonical set. Each code has a fixed meaning for callers:
//   kInvalidArgument     bad input from a user or client; never retry   (-> ValidationException)
//   kNotFound            a named thing does not exist                   (-> ResourceNotFoundException)
//   kAlreadyExists       a named thing exists already                   (-> ResourceInUseException)
//   kFailedPrecondition  a condition on current state failed            (-> ConditionalCheckFailed)
//   kResourceExhausted   a limit or quota was hit; retry later          (-> throttling)
//   kUnavailable         transient failure of a dependency; retry       (-> 503)
//   kOutOfRange          a position is past the end / before the start  (-> TrimmedDataAccess)
//   kDataLoss            stored data is corrupt
//   kInternal            a bug or an unexpected failure of a dependency
// Status::retryable() is true for kResourceExhausted, kUnavailable and kAborted, so retry loops
// never parse messages.
//
// Thread-safety: both types are values; const methods may be called concurrently.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tributary {

enum class StatusCode {
  kOk = 0,
  kCancelled,
  kInvalidArgument,
  kDeadlineExceeded,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kInternal,
  kUnavailable,
  kDataLoss,
  kResourceExhausted,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const {
    return code_ == StatusCode::kResourceExhausted || code_ == StatusCode::kUnavailable ||
           code_ == StatusCode::kAborted;
  }
  // "NotFound: table X does not exist"; "OK" when ok.
  std::string ToString() const;
  // Same code, message prefixed with "context: ".
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tributary

#define TRIB_CONCAT_INNER_(a, b) a##b
#define TRIB_CONCAT_(a, b) TRIB_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` is not ok.
#define TRIB_RETURN_IF_ERROR(expr)                     \
  do {                                                 \
    ::tributary::Status trib_status_ = (expr);         \
    if (!trib_status_.ok()) return trib_status_;       \
  } while (0)

// TRIB_ASSIGN_OR_RETURN(auto x, MaybeX());  or  TRIB_ASSIGN_OR_RETURN(x, MaybeX());
#define TRIB_ASSIGN_OR_RETURN(lhs, expr) \
  TRIB_ASSIGN_OR_RETURN_IMPL_(TRIB_CONCAT_(trib_result_, __LINE__), lhs, expr)
#define TRIB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
