// `tributary alerts`: recent alerts of a data directory, from its durable alert state
// (DIR/alerts.db), whether or not `up` is running. See docs/alerts.md.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "alert/alert_store.h"
#include "alert/notifier.h"
#include "cli/commands.h"
#include "cli/cli_util.h"
#include "core/json_writer.h"
#include "runtime/data_dir.h"

namespace tributary::cli {

namespace {

// "webhook sent, log sent" / "webhook pending (2 attempts: HTTP 503)".
std::string DescribeSends(const std::map<int, alert::AlertStore::SendState>& sends) {
  std::string out;
  for (const auto& [action, s] : sends) {
    if (!out.empty()) out += ", ";
    out += s.type + " " + s.state;
    if (s.state != alert::kSent && s.attempts > 0) {
      out += " (" + std::to_string(s.attempts) + (s.attempts == 1 ? " attempt" : " attempts");
      if (!s.last_error.empty()) out += ": " + s.last_error.substr(0, 80);
      out += ")";
    }
  }
  return out;
}

}  // namespace

int RunAlerts(const AlertsArgs& args) {
  auto layout = runtime::DataDirLayout::Load(args.data_dir);
  if (!layout.ok()) return ReportError("alerts", layout.status());
  const std::string path = (std::filesystem::path(layout->data_dir) / alert::AlertStore::kFileName).string();
  auto store = alert::AlertStore::Open(path, /*create=*/false);
  if (!store.ok()) return ReportError("alerts", store.status());
  std::vector<std::string> rules;
  if (!args.rule.empty()) rules.push_back(args.rule);
  auto recent = (*store)->Recent(args.limit, rules);
  if (!recent.ok()) return ReportError("alerts", recent.status());
  auto counts = (*store)->Counts();
  if (!counts.ok()) return ReportError("alerts", counts.status());

  if (args.json) {
    JsonWriter w;
    w.BeginObject();
    w.Key("alerts");
    w.BeginArray();
    for (const alert::AlertRecord& a : *recent) {
      auto sends = (*store)->Sends(a.id);
      if (!sends.ok()) return ReportError("alerts", sends.status());
      std::string json = alert::AlertJson(a);
      json.pop_back();  // extend the object with the delivery state
      JsonWriter extra;
      extra.BeginObject();
      extra.Key("throttled");
      extra.Bool(a.throttled);
      extra.Key("sends");
      extra.BeginArray();
      for (const auto& [action, s] : *sends) {
        extra.BeginObject();
        extra.Key("action");
        extra.Int(action);
        extra.Key("type");
        extra.String(s.type);
        extra.Key("state");
        extra.String(s.state);
        extra.Key("attempts");
        extra.Int(s.attempts);
        extra.Key("last_error");
        extra.String(s.last_error);
        extra.EndObject();
      }
      extra.EndArray();
      extra.EndObject();
      w.Raw(json + "," + extra.str().substr(1));
    }
    w.EndArray();
    w.Key("counts");
    w.BeginObject();
    for (const auto& [rule, c] : *counts) {
      if (!args.rule.empty() && rule != args.rule) continue;
      w.Key(rule);
      w.BeginObject();
      w.Key("fired");
      w.Int(c.fired);
      w.Key("throttled");
      w.Int(c.throttled);
      w.Key("sent");
      w.Int(c.sent);
      w.Key("pending");
      w.Int(c.pending);
      w.Key("dead");
      w.Int(c.dead);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    std::cout << w.str() << "\n";
    return 0;
  }

  for (const auto& [rule, c] : *counts) {
    if (!args.rule.empty() && rule != args.rule) continue;
    std::cout << "rule " << rule << ": " << Thousands(c.fired) << " fired, " << Thousands(c.throttled)
              << " throttled; sends " << Thousands(c.sent) << " sent, " << Thousands(c.pending) << " pending, "
              << Thousands(c.dead) << " dead\n";
  }
  if (recent->empty()) {
    std::cout << "no alerts" << (args.rule.empty() ? "" : " for rule " + args.rule) << "\n";
    return 0;
  }
  std::cout << "\n";
  for (const alert::AlertRecord& a : *recent) {
    auto sends = (*store)->Sends(a.id);
    if (!sends.ok()) return ReportError("alerts", sends.status());
    std::cout << alert::IsoTime(a.time_ms) << "  " << a.rule << "  " << a.event_id
              << (a.throttled ? "  THROTTLED (not sent)" : "") << "\n";
    if (!sends->empty()) std::cout << "    sends: " << DescribeSends(*sends) << "\n";
    std::string row = a.row_json;
    if (row.size() > 300) row = row.substr(0, 297) + "...";
    std::cout << "    row:   " << row << "\n";
  }
  return 0;
}

}  // namespace tributary::cli
