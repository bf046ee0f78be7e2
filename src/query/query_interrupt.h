// QueryInterrupt: stops a running QueryEngine::Execute() from another thread (Athena's
// StopQueryExecution, query timeouts).
//
//   QueryInterrupt interrupt;
//   ExecuteOptions options;  options.interrupt = &interrupt;
//   std::thread t([&] { auto r = engine.Execute(sql, options); });   // kCancelled if interrupted
//   interrupt.Interrupt();
//
// Interrupting before Execute() starts makes it return kCancelled at once; interrupting after
// it returned has no effect on it. One QueryInterrupt serves one Execute() at a time.
//
// Thread-safety: Interrupt() and interrupted() from any thread.
#pragma once

#include <mutex>

namespace tributary::query {

class QueryEngine;

class QueryInterrupt {
 public:
  QueryInterrupt() = default;
  QueryInterrupt(const QueryInterrupt&) = delete;
  QueryInterrupt& operator=(const QueryInterrupt&) = delete;

  // Marks the query interrupted and, if it is running, asks DuckDB to stop it.
  void Interrupt();
  bool interrupted() const;

 private:
  friend class QueryEngine;
  // Called by Execute(): false if already interrupted. `connection` is a duckdb_connection.
  bool Attach(void* connection);
  void Detach();

  mutable std::mutex mu_;
  bool interrupted_ = false;
  void* connection_ = nullptr;  // guarded by mu_
};

}  // namespace tributary::query
