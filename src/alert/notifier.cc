#include "alert/notifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <httplib.h>

#include "core/clock.h"
#include "core/json_writer.h"

namespace tributary::alert {

namespace fs = std::filesystem;

std::string IsoTime(int64_t ms) { return FormatIsoMillis(ms) + "Z"; }

std::string AlertJson(const AlertRecord& alert) {
  JsonWriter w;
  w.BeginObject();
  w.Key("rule");
  w.String(alert.rule);
  w.Key("event_id");
  w.String(alert.event_id);
  w.Key("time");
  w.String(IsoTime(alert.time_ms));
  w.Key("row");
  w.Raw(alert.row_json.empty() ? std::string_view("{}") : std::string_view(alert.row_json));
  w.EndObject();
  return w.Take();
}

Notifier::Notifier(std::string data_dir, SnsPublisher sns) : data_dir_(std::move(data_dir)), sns_(std::move(sns)) {}

SendOutcome Notifier::Send(const AlertRecord& alert, const config::AlertActionConfig& action) const {
  switch (action.type) {
    case config::AlertActionType::kWebhook:
      return PostWebhook(alert, action);
    case config::AlertActionType::kSns:
      return PublishSns(alert, action);
    case config::AlertActionType::kLog:
      return AppendLog(alert, action);
    case config::AlertActionType::kDashboard:
      return {true, false, ""};  // the dashboard reads the store
  }
  return {false, false, "unknown action type"};
}

SendOutcome Notifier::PostWebhook(const AlertRecord& alert, const config::AlertActionConfig& action) const {
  // url = scheme://host[:port][/path[?query]]
  const size_t scheme_end = action.url.find("://");
  if (scheme_end == std::string::npos) return {false, false, "bad webhook url '" + action.url + "'"};
  const size_t path_start = action.url.find('/', scheme_end + 3);
  const std::string origin = action.url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : action.url.substr(path_start);
  httplib::Client client(origin);
  if (!client.is_valid()) return {false, false, "cannot make an HTTP client for '" + origin + "'"};
  const time_t sec = static_cast<time_t>(action.timeout_ms / 1000);
  const time_t usec = static_cast<time_t>((action.timeout_ms % 1000) * 1000);
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
  client.set_keep_alive(false);
  httplib::Headers headers = {{"Idempotency-Key", alert.event_id},
                              {"X-Tributary-Alert-Rule", alert.rule},
                              {"User-Agent", "tributary-alerts"}};
  for (const auto& [name, value] : action.headers) headers.emplace(name, value);
  httplib::Result res = client.Post(path, headers, AlertJson(alert), "application/json");
  if (!res) {
    return {false, true, "POST " + action.url + ": " + httplib::to_string(res.error())};
  }
  const int status = res->status;
  if (status >= 200 && status < 300) return {true, false, ""};
  const bool retryable = status == 408 || status == 429 || status >= 500;
  std::string body = res->body.substr(0, 200);
  return {false, retryable, "POST " + action.url + ": HTTP " + std::to_string(status) + (body.empty() ? "" : " " + body)};
}

SendOutcome Notifier::PublishSns(const AlertRecord& alert, const config::AlertActionConfig& action) const {
  if (!sns_) return {false, false, "SNS is not available in this process"};
  std::string subject = action.subject.empty() ? "tributary alert: " + alert.rule : action.subject;
  if (subject.size() > 100) subject.resize(100);
  Result<std::string> published = sns_(action, subject, AlertJson(alert));
  if (published.ok()) return {true, false, ""};
  return {false, published.status().retryable(), "SNS Publish " + action.topic_arn + ": " + published.status().message()};
}

std::string Notifier::LogPath(const config::AlertActionConfig& action) const {
  fs::path p(action.path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(data_dir_) / p).lexically_normal().string();
}

SendOutcome Notifier::AppendLog(const AlertRecord& alert, const config::AlertActionConfig& action) const {
  const std::string path = LogPath(action);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return {false, true, "open " + path + ": " + std::strerror(errno)};
  const std::string line = AlertJson(alert) + "\n";
  const ssize_t n = ::write(fd, line.data(), line.size());
  const int write_errno = errno;
  const bool synced = n == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return {false, true, "append to " + path + ": " + (n < 0 ? std::strerror(write_errno) : "short write")};
  }
  if (!synced) return {false, true, "fsync " + path + ": " + std::strerror(errno)};
  return {true, false, ""};
}

}  // namespace tributary::alert
