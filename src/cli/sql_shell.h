// SqlShell: the statement loop behind `tributary sql`, independent of where lines come from
// (libedit in a terminal, stdin in a script, -e/--execute).
//
// Input is read line by line. A statement ends with ';' outside strings and comments and may span
// lines; a line starting with '.' when no statement is pending is a dot-command:
//   .tables               the tables and views
//   .schema [TABLE]       columns and types (of every table without an argument)
//   .mode table|csv|json|jsonl
//   .output [FILE]        results to FILE (FILE.parquet: a Parquet file of each result, written
//                         by the CLI outside the sandboxed SQL; query/parquet_export.h); no
//                         argument: back to stdout
//   .timer on|off         print each statement's time
//   .help, .quit, .exit
// Before each statement the views are refreshed from the catalog, so newly committed data is
// visible. SQL runs in the sandboxed QueryEngine (read-only, confined to the lake).
//
// Thread-safety: not thread-safe (one shell per thread).
#pragma once

#include <fstream>
#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "catalog/catalog.h"
#include "query/query_engine.h"
#include "query/result_format.h"

namespace tributary::cli {

class SqlShell {
 public:
  struct Options {
    query::ResultFormat format = query::ResultFormat::kTable;
    std::string output;          // "" = the `out` stream; FILE or FILE.parquet (absolute or not)
    bool bail_on_error = false;  // scripts: stop at the first error
    bool timer = false;
  };

  // Borrows everything; they must outlive the shell.
  SqlShell(query::QueryEngine& engine, const catalog::Catalog& catalog, std::ostream& out,
           std::ostream& err, Options options);

  // Feeds one line (without its newline). Returns false when the shell should stop: .quit, or
  // an error with bail_on_error.
  bool FeedLine(const std::string& line);
  // End of input: runs an unfinished statement (one without ';'). Returns false on error.
  bool Finish();
  // True while a statement has started but not ended (for the continuation prompt).
  bool pending() const;
  // Statements and commands that failed so far.
  int errors() const { return errors_; }

 private:
  bool RunStatement(const std::string& sql);
  bool RunCommand(const std::string& line);
  bool SetOutput(const std::string& path);
  bool Fail(const std::string& message);
  void Refresh();
  std::ostream& TextOut();

  query::QueryEngine& engine_;
  const catalog::Catalog& catalog_;
  std::ostream& out_;
  std::ostream& err_;
  Options options_;
  std::string buffer_;             // the unfinished statement
  std::string parquet_path_;       // set while .output names a .parquet file
  std::unique_ptr<std::ofstream> file_;  // set while .output names a text file
  std::set<std::string> warned_;
  int errors_ = 0;
  bool quit_ = false;
};

}  // namespace tributary::cli
