#include "cli/sql_shell.h"

#include <cctype>
#include <filesystem>
#include <sstream>
#include <vector>

#include "query/catalog_views.h"
#include "query/parquet_export.h"
#include "query/sql_text.h"

namespace tributary::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kHelp[] =
    "SQL statements end with ';' and may span lines (Athena/Trino dialect on DuckDB; read-only).\n"
    ".tables               list tables and views\n"
    ".schema [TABLE]       show columns and types\n"
    ".mode table|csv|json|jsonl\n"
    "                      output format\n"
    ".output [FILE]        send results to FILE (FILE.parquet writes Parquet); no FILE: stdout\n"
    ".timer on|off         show each statement's time\n"
    ".help                 this text\n"
    ".quit, .exit          leave\n";

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

bool IsBlank(const std::string& s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// True when `text` holds only whitespace and finished comments: nothing left to run.
bool NothingPending(const std::string& text) {
  if (IsBlank(text)) return true;
  // With only finished comments, the probe's "SELECT 1" is the one statement found; meaningful
  // text adds a statement, an unfinished comment swallows the probe.
  return query::SplitStatements(text + "\n;SELECT 1;", nullptr).size() == 1;
}

}  // namespace

SqlShell::SqlShell(query::QueryEngine& engine, const catalog::Catalog& catalog, std::ostream& out,
                   std::ostream& err, Options options)
    : engine_(engine), catalog_(catalog), out_(out), err_(err), options_(std::move(options)) {
  if (!options_.output.empty()) {
    const std::string output = options_.output;
    options_.output.clear();
    if (!SetOutput(output)) quit_ = true;
  }
}

bool SqlShell::pending() const { return !buffer_.empty(); }

bool SqlShell::FeedLine(const std::string& line) {
  if (quit_) return false;
  if (!pending()) {
    size_t first = 0;
    while (first < line.size() && std::isspace(static_cast<unsigned char>(line[first]))) ++first;
    if (first < line.size() && line[first] == '.') {
      buffer_.clear();
      const bool ok = RunCommand(line.substr(first));
      return !quit_ && (ok || !options_.bail_on_error);
    }
  }
  buffer_ += line;
  buffer_ += '\n';
  std::string rest;
  const std::vector<std::string> statements = query::SplitStatements(buffer_, &rest);
  buffer_ = NothingPending(rest) ? std::string() : rest;
  for (const std::string& statement : statements) {
    if (!RunStatement(statement) && options_.bail_on_error) return false;
  }
  return !quit_;
}

bool SqlShell::Finish() {
  if (quit_ || !pending()) return true;
  std::string statement(query::TrimStatement(buffer_));
  buffer_.clear();
  return RunStatement(statement);
}

bool SqlShell::Fail(const std::string& message) {
  ++errors_;
  err_ << "Error: " << message << "\n";
  err_.flush();
  return false;
}

void SqlShell::Refresh() {
  std::vector<std::string> warnings;
  Status s = query::RefreshViews(engine_, catalog_, &warnings);
  if (!s.ok()) err_ << "warning: cannot refresh tables: " << s.message() << "\n";
  for (const std::string& w : warnings) {
    if (warned_.insert(w).second) err_ << "warning: " << w << "\n";
  }
}

std::ostream& SqlShell::TextOut() { return file_ ? static_cast<std::ostream&>(*file_) : out_; }

bool SqlShell::RunStatement(const std::string& sql) {
  Refresh();
  auto result = engine_.Execute(sql);
  if (!result.ok()) {
    // A file may have been renamed into place between listing and reading: refresh once.
    Refresh();
    result = engine_.Execute(sql);
  }
  if (!result.ok()) return Fail(result.status().message());
  if (!parquet_path_.empty()) {
    Status s = query::WriteParquet(*result, parquet_path_);
    if (!s.ok()) return Fail(s.message());
    err_ << "wrote " << result->rows.size() << " rows to " << parquet_path_ << "\n";
  } else {
    std::ostream& out = TextOut();
    out << query::FormatResult(*result, options_.format);
    out.flush();
  }
  if (options_.timer) {
    err_ << "Run Time: " << (static_cast<double>(result->elapsed.count()) / 1000.0) << " ms\n";
  }
  return true;
}

bool SqlShell::SetOutput(const std::string& path) {
  file_.reset();
  parquet_path_.clear();
  if (path.empty()) return true;
  const fs::path absolute = fs::absolute(path).lexically_normal();
  const std::string lake = engine_.lake_root() + "/";
  if (absolute.string().compare(0, lake.size(), lake) == 0) {
    return Fail(".output: " + absolute.string() +
                " is inside the lake; the lake holds only committed data, write elsewhere");
  }
  if (EndsWith(absolute.string(), ".parquet")) {
    parquet_path_ = absolute.string();
    return true;
  }
  auto file = std::make_unique<std::ofstream>(absolute, std::ios::binary | std::ios::trunc);
  if (!*file) return Fail(".output: cannot open " + absolute.string());
  file_ = std::move(file);
  return true;
}

bool SqlShell::RunCommand(const std::string& line) {
  const std::vector<std::string> words = Words(line);
  const std::string& command = words[0];
  if (command == ".quit" || command == ".exit" || command == ".q") {
    quit_ = true;
    return true;
  }
  if (command == ".help") {
    out_ << kHelp;
    return true;
  }
  if (command == ".tables") {
    Refresh();
    for (const std::string& name : engine_.ViewNames()) out_ << name << "\n";
    return true;
  }
  if (command == ".schema") {
    Refresh();
    std::vector<std::string> names;
    if (words.size() > 1) {
      names.assign(words.begin() + 1, words.end());
    } else {
      names = engine_.ViewNames();
    }
    for (const std::string& name : names) {
      auto described = engine_.Execute("DESCRIBE " + query::QuoteIdentifier(name));
      if (!described.ok()) return Fail(".schema " + name + ": " + described.status().message());
      out_ << name << " (\n";
      for (size_t r = 0; r < described->rows.size(); ++r) {
        out_ << "  " << described->rows[r][0].value_or("") << " "
             << described->rows[r][1].value_or("")
             << (r + 1 < described->rows.size() ? ",\n" : "\n");
      }
      out_ << ");\n";
    }
    return true;
  }
  if (command == ".mode") {
    if (words.size() != 2) return Fail("usage: .mode table|csv|json|jsonl");
    auto format = query::ParseResultFormat(words[1]);
    if (!format.ok()) return Fail(format.status().message());
    options_.format = *format;
    return true;
  }
  if (command == ".output" || command == ".out") {
    if (words.size() > 2) return Fail("usage: .output [FILE]");
    return SetOutput(words.size() == 2 ? words[1] : "");
  }
  if (command == ".timer") {
    if (words.size() != 2 || (words[1] != "on" && words[1] != "off")) {
      return Fail("usage: .timer on|off");
    }
    options_.timer = words[1] == "on";
    return true;
  }
  return Fail("unknown command " + command + " (.help lists them)");
}

}  // namespace tributary::cli
