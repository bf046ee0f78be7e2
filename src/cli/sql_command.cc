// `tributary sql`: the SQL shell (SqlShell) on a terminal with libedit line editing and history,
// on stdin for scripts, or on -e/--execute text.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <editline/readline.h>
#include <iostream>
#include <string>

#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/sql_shell.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "runtime/data_dir.h"

namespace tributary::cli {
namespace {

constexpr int kHistoryLines = 1000;

// Interactive loop: "tributary> " for a new statement, "      ...> " while one is open.
int RunInteractive(SqlShell& shell, const std::string& history_path) {
  using_history();
  stifle_history(kHistoryLines);
  if (!history_path.empty()) (void)read_history(history_path.c_str());
  std::cout << "tributary sql (DuckDB " << query::QueryEngine::DuckDbVersion()
            << ", Athena/Trino dialect, read-only). .help for commands, .quit to leave.\n";
  while (true) {
    char* raw = readline(shell.pending() ? "      ...> " : "tributary> ");
    if (raw == nullptr) {  // Ctrl-D
      std::cout << "\n";
      shell.Finish();
      break;
    }
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) {
      add_history(line.c_str());
      if (!history_path.empty()) (void)write_history(history_path.c_str());
    }
    if (!shell.FeedLine(line)) break;
  }
  return 0;
}

}  // namespace

int RunSql(const SqlArgs& args) {
  auto format = query::ParseResultFormat(args.format);
  if (!format.ok()) return ReportError("sql", format.status());
  auto layout = runtime::DataDirLayout::Load(args.data_dir);
  if (!layout.ok()) return ReportError("sql", layout.status());
  auto catalog = catalog::Catalog::Open(layout->catalog_path);
  if (!catalog.ok()) return ReportError("sql", catalog.status());
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions(layout->lake_root));
  if (!engine.ok()) return ReportError("sql", engine.status());

  const bool interactive = args.execute.empty() && isatty(STDIN_FILENO) == 1;
  SqlShell::Options options;
  options.format = *format;
  options.output = args.output;
  options.bail_on_error = !interactive;
  SqlShell shell(**engine, **catalog, std::cout, std::cerr, options);
  if (shell.errors() > 0) return 2;  // a bad --output

  if (interactive) {
    std::string history = args.history_path;
    if (history.empty()) history = layout->data_dir + "/sql_history";
    if (history == "-") history.clear();
    return RunInteractive(shell, history);
  }
  bool ok = true;
  if (!args.execute.empty()) {
    std::string line;
    for (char c : args.execute) {
      if (c == '\n') {
        if (!(ok = shell.FeedLine(line))) break;
        line.clear();
      } else {
        line += c;
      }
    }
    if (ok) ok = shell.FeedLine(line);
  } else {
    std::string line;
    while (ok && std::getline(std::cin, line)) ok = shell.FeedLine(line);
  }
  if (ok) ok = shell.Finish();
  return shell.errors() > 0 ? 1 : 0;
}

}  // namespace tributary::cli
