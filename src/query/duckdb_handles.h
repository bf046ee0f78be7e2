// Owning wrappers for DuckDB C API handles (internal to src/query/).
//
// Each wrapper frees its handle exactly once with the matching duckdb_destroy_* / duckdb_free
// call. Thread-safety: one owner each; DuckDB's own rules apply to the handles (a connection is
// used by one thread at a time).
#pragma once

#include <string>
#include <utility>

#include "query/duckdb_api.h"

namespace tributary::query::duckdb {

// A handle freed by `Destroy(&handle)`, e.g. duckdb_disconnect or duckdb_destroy_prepare.
template <typename H, void (*Destroy)(H*)>
class Owned {
 public:
  Owned() = default;
  ~Owned() { Reset(); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  Owned(Owned&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }

  H get() const { return handle_; }
  H* out() {  // for functions that fill the handle in
    Reset();
    return &handle_;
  }
  void Reset() {
    if (handle_ != nullptr) Destroy(&handle_);
    handle_ = nullptr;
  }

 private:
  H handle_ = nullptr;
};

using Database = Owned<duckdb_database, duckdb_close>;
using Connection = Owned<duckdb_connection, duckdb_disconnect>;
using Config = Owned<duckdb_config, duckdb_destroy_config>;
using PreparedStatement = Owned<duckdb_prepared_statement, duckdb_destroy_prepare>;
using LogicalType = Owned<duckdb_logical_type, duckdb_destroy_logical_type>;
using ExtractedStatements = Owned<duckdb_extracted_statements, duckdb_destroy_extracted>;

inline LogicalType AdoptType(duckdb_logical_type type) {
  LogicalType owned;
  *owned.out() = type;
  return owned;
}

// A materialized result; destroyed even when the query failed (that frees the error).
class QueryResultHandle {
 public:
  QueryResultHandle() = default;
  ~QueryResultHandle() {
    if (filled_) duckdb_destroy_result(&result_);
  }
  QueryResultHandle(const QueryResultHandle&) = delete;
  QueryResultHandle& operator=(const QueryResultHandle&) = delete;

  duckdb_result* out() {
    filled_ = true;
    return &result_;
  }
  duckdb_result* get() { return &result_; }
  std::string error() {
    const char* message = duckdb_result_error(&result_);
    return message != nullptr ? message : "unknown DuckDB error";
  }

 private:
  duckdb_result result_{};
  bool filled_ = false;
};

// Takes ownership of a char* that DuckDB allocated for us; nullptr becomes "".
inline std::string TakeString(char* text) {
  if (text == nullptr) return std::string();
  std::string out(text);
  duckdb_free(text);
  return out;
}

}  // namespace tributary::query::duckdb
