// The crash test: exactly-once delivery proven under kill -9.
//
// A writer thread in this (test) process writes to the real `tributary up` through its DynamoDB
// endpoint (PutItem / UpdateItem / DeleteItem over HTTP, one unique write id `w` per attempt) and
// appends a write to its journal ONLY after the endpoint answered 200: the journal is an outside
// record of every acknowledged change. Meanwhile the test kill -9s the pipeline again and again:
// at random moments (seeded; the seed is printed) and, in other rounds, inside the dangerous
// windows of the commit protocol, which the process reaches for certain through the test-only
// TRIBUTARY_CRASH_AT hook (core/crash_point.h), in delivery commits and in compaction, which runs
// with a short grace so it merges files (and gets killed) during the test. Each time it restarts
// the pipeline. While the
// pipeline is down it checks that no file outside the catalog has a final name (only temp "_"
// names and compaction's retired files, awaiting deletion, may be unregistered) and that SQL sees no duplicate. At the end a clean run drains
// everything and the lake, read through `tributary query` (SQL over the catalog), must hold each
// acknowledged change exactly once; unacknowledged in-flight writes may appear at most once.
//
// TRIBUTARY_CRASH_KILLS (default 20) sets the number of kills; `make crash-long` runs 100+.
// TRIBUTARY_TEST_SEED replays a run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "catalog/catalog.h"
#include "runtime/data_dir.h"
#include "testing/test_util.h"
#include "tests/e2e/process.h"

namespace tributary::crash {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kLakeTable = "crash_lake";

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct HttpReply {
  int status = 0;
  std::string body;
};

// One DynamoDB JSON request on a fresh connection; nullopt when the endpoint is not there or the
// connection died before a full answer (a write in flight during a kill: outcome unknown).
std::optional<HttpReply> PostDynamo(int port, const std::string& target, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::string req = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    "X-Amz-Target: DynamoDB_20120810." +
                    target + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    sent += static_cast<size_t>(n);
  }
  std::string in;
  char buf[8192];
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = in.substr(0, header_end);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = head.find("content-length:");
        if (cl != std::string::npos) content_length = std::stoul(head.substr(cl + 15));
      }
    }
    if (header_end != std::string::npos && in.size() >= header_end + 4 + content_length) break;
  }
  ::close(fd);
  if (header_end == std::string::npos || in.size() < header_end + 4 + content_length ||
      in.compare(0, 9, "HTTP/1.1 ") != 0) {
    return std::nullopt;
  }
  HttpReply reply;
  reply.status = std::atoi(in.c_str() + 9);
  reply.body = in.substr(header_end + 4, content_length);
  return reply;
}

// Writes through the endpoint; journals every acknowledged change as "W <w>" (put or update: the
// row's w) or "D <w>" (delete: the w of the item it removed, from ReturnValues ALL_OLD).
class Writer {
 public:
  Writer(int port, uint64_t seed, std::string journal_path)
      : port_(port), rng_(seed), journal_(journal_path, std::ios::trunc) {}
  ~Writer() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::set<std::string> acknowledged() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledged_;
  }
  int64_t acked_count() const { return acked_.load(); }
  int64_t unknown() const { return unknown_.load(); }
  int64_t rejected() const { return rejected_.load(); }
  std::string last_rejection() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_rejection_;
  }

 private:
  void Run() {
    int64_t next_w = 1;
    simdjson::dom::parser parser;
    while (!stop_) {
      const std::string key = "k" + std::to_string(rng_() % 300);
      const int op = static_cast<int>(rng_() % 10);
      const std::string w = std::to_string(next_w++);
      std::string target, body;
      if (op == 0) {
        target = "DeleteItem";
        body = R"({"TableName":"CrashT","Key":{"k":{"S":")" + key + R"("}},"ReturnValues":"ALL_OLD"})";
      } else if (op <= 3) {
        target = "UpdateItem";
        body = R"({"TableName":"CrashT","Key":{"k":{"S":")" + key +
               R"("}},"UpdateExpression":"SET w = :w, note = :n","ExpressionAttributeValues":{":w":{"N":")" + w +
               R"("},":n":{"S":"updated"}}})";
      } else {
        target = "PutItem";
        body = R"({"TableName":"CrashT","Item":{"k":{"S":")" + key + R"("},"w":{"N":")" + w +
               R"("},"note":{"S":"put"}}})";
      }
      auto reply = PostDynamo(port_, target, body);
      if (!reply) {
        unknown_++;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (reply->status != 200) {
        rejected_++;
        {
          std::lock_guard<std::mutex> lock(mu_);
          last_rejection_ = reply->body;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      std::string entry;
      if (op == 0) {
        simdjson::dom::element doc;
        std::string_view old_w;
        if (parser.parse(reply->body).get(doc) == simdjson::SUCCESS &&
            doc["Attributes"]["w"]["N"].get_string().get(old_w) == simdjson::SUCCESS) {
          entry = "D " + std::string(old_w);
        }  // no Attributes: the key did not exist, no change happened
      } else {
        entry = "W " + w;
      }
      if (entry.empty()) continue;
      journal_ << entry << "\n" << std::flush;
      {
        std::lock_guard<std::mutex> lock(mu_);
        acknowledged_.insert(entry);
      }
      acked_++;
    }
  }

  const int port_;
  std::mt19937_64 rng_;  // writer thread only
  std::ofstream journal_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> acked_{0};
  std::atomic<int64_t> unknown_{0};
  std::atomic<int64_t> rejected_{0};
  mutable std::mutex mu_;
  std::set<std::string> acknowledged_;  // guarded by mu_
  std::string last_rejection_;          // guarded by mu_
};

std::string PipelineYaml(int port, bool compaction) {
  std::string yaml = R"(region: us-east-1
account_id: "000000000000"
tables:
  - name: CrashT
    hash_key: {name: k, type: S}
    stream: {view_type: NEW_AND_OLD_IMAGES, shards: 2}
streams:
  - name: CrashStream
    shards: 2
    retention_hours: 24
pipes:
  - name: CrashPipe
    source: table:CrashT
    target: stream:CrashStream
    partition_key: $.dynamodb.Keys
    batch_size: 100
deliveries:
  - name: CrashFirehose
    source: stream:CrashStream
    processor: {type: cdc-flatten}
    buffering: {interval_ms: 100, max_bytes: 4194304, max_records: 300}
    partitioning: event-time
    destination: {type: local, path: lake}
    table: crash_lake
    error_prefix: errors/
)";
  if (compaction) {
    // Compaction of the open hour (the test's data is all "now"), quickly, so it runs and gets
    // killed during the test.
    yaml += "    compaction: {min_files: 3, grace_period_ms: 300, interval_ms: 200, retire_after_ms: 1000, "
            "include_open_partitions: true}\n";
  }
  yaml += "catalog: {type: sqlite, path: catalog.db}\nserver: {listen: \"127.0.0.1:" + std::to_string(port) + "\"}\n";
  return yaml;
}

// Waits up to timeout for the child; returns its wait status, or nullopt if still running.
std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

struct LakeFiles {
  std::set<std::string> registered;    // lake-relative, all tables
  std::set<std::string> retired;       // replaced by compaction, awaiting deletion
  int64_t compactions = 0;
  std::vector<std::string> temp;       // unregistered "_" files
  std::vector<std::string> orphans;    // unregistered final-named files: must never exist
  std::vector<std::string> missing;    // registered, present under neither name
};

LakeFiles InspectLake(const std::string& data_dir) {
  LakeFiles out;
  auto layout = runtime::DataDirLayout::Load(data_dir);
  EXPECT_OK(layout);
  if (!layout.ok()) return out;
  auto catalog = catalog::Catalog::Open(layout->catalog_path);
  EXPECT_OK(catalog);
  if (!catalog.ok()) return out;
  auto tables = (*catalog)->ListTables();
  EXPECT_OK(tables);
  if (!tables.ok()) return out;
  for (const auto& t : *tables) {
    auto files = (*catalog)->ListFiles(t.name);
    EXPECT_OK(files);
    if (!files.ok()) continue;
    for (const auto& f : *files) out.registered.insert(f.path);
    auto cs = (*catalog)->GetCompactionStats(t.name);
    EXPECT_OK(cs);
    if (cs.ok()) out.compactions += cs->compactions;
  }
  auto retired = (*catalog)->ListRetiredFiles();
  EXPECT_OK(retired);
  if (retired.ok()) {
    for (const auto& f : *retired) out.retired.insert(f.path);
  }
  std::set<std::string> present;
  const fs::path root(layout->lake_root);
  if (fs::exists(root)) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      std::string rel = fs::relative(e.path(), root).string();
      present.insert(rel);
      if (out.registered.count(rel) || out.retired.count(rel)) continue;
      std::string name = e.path().filename().string();
      if (!name.empty() && name[0] == '_') {
        std::string final_rel = (fs::path(rel).parent_path() / name.substr(1)).string();
        if (out.registered.count(final_rel)) continue;  // registered, not renamed yet (crash point E)
        out.temp.push_back(rel);
      } else {
        out.orphans.push_back(rel);
      }
    }
  }
  for (const auto& r : out.registered) {
    fs::path p(r);
    std::string temp = (p.parent_path() / ("_" + p.filename().string())).string();
    if (!present.count(r) && !present.count(temp)) out.missing.push_back(r);
  }
  return out;
}

// `tributary query` CSV output -> rows of fields (header dropped).
std::vector<std::vector<std::string>> QueryCsv(const std::string& data_dir, const std::string& sql) {
  auto r = e2e::Run({e2e::BinaryPath(), "query", "--data-dir", data_dir, "--format", "csv", sql}, 120);
  EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.output;
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(r.output);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> fields;
    std::stringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ',')) fields.push_back(f);
    rows.push_back(std::move(fields));
  }
  return rows;
}

// (kind, w) -> copies in the lake; kind W = INSERT/MODIFY row, D = REMOVE row.
std::map<std::string, int64_t> LakeChanges(const std::string& data_dir) {
  std::map<std::string, int64_t> out;
  auto rows = QueryCsv(data_dir, std::string("SELECT CASE WHEN cdc_event_type = 'REMOVE' THEN 'D' ELSE 'W' END "
                                             "AS kind, w, count(*) AS n FROM ") +
                                     kLakeTable + " GROUP BY 1, 2");
  for (const auto& r : rows) {
    if (r.size() != 3) {
      ADD_FAILURE() << "unexpected query row of " << r.size() << " fields";
      continue;
    }
    out[r[0] + " " + r[1]] += std::stoll(r[2]);
  }
  return out;
}

void ExpectNoOrphans(const LakeFiles& files, const std::string& when) {
  EXPECT_TRUE(files.orphans.empty()) << when << ": " << files.orphans.size()
                                     << " final-named files are not in the catalog, e.g. " << files.orphans.front();
  EXPECT_TRUE(files.missing.empty()) << when << ": " << files.missing.size()
                                     << " registered files are missing, e.g. " << files.missing.front();
}

TEST(CrashTest, KillNineUnderLoadLosesAndDuplicatesNothing) {
  const uint64_t seed = testing::TestSeed();
  const int kills = EnvInt("TRIBUTARY_CRASH_KILLS", 20);
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  const std::string data = dir.str() + "/data";
  const std::string config = dir.str() + "/crash.yaml";
  const int port = FreePort();
  ASSERT_GT(port, 0);
  {
    std::ofstream out(config);
    out << PipelineYaml(port, true);
  }
  const std::vector<std::string> up = {e2e::BinaryPath(), "up", "-c", config, "--data-dir", data, "--listen",
                                       "127.0.0.1:" + std::to_string(port)};
  // The dangerous windows of the commit protocol (see core/crash_point.h).
  const std::vector<std::string> points = {"delivery.after_stage",    "compaction.after_stage",
                                           "delivery.after_commit",   "compaction.after_swap",
                                           "compaction.after_publish", "compaction.mid_cleanup"};
  std::map<std::string, int> fired;

  Writer writer(port, seed ^ 0x9e3779b97f4a7c15ULL, dir.str() + "/journal.txt");
  writer.Start();
  const auto started = Clock::now();
  int self_kills = 0;
  int point_rounds = 0;
  for (int round = 0; round < kills; ++round) {
    std::vector<std::string> env;
    std::string point;
    // Every third round: a kill at a random moment (startup and recovery included); otherwise
    // the process kills itself at the n-th pass through a commit-protocol window.
    if (round % 3 != 2) {
      // The cycle moves on only once a point has fired, so every point gets its kill.
      point = points[static_cast<size_t>(point_rounds) % points.size()];
      int n = std::uniform_int_distribution<int>(1, point.starts_with("compaction") ? 2 : 4)(rng);
      env.push_back("TRIBUTARY_CRASH_AT=" + point + ":" + std::to_string(n));
    }
    const std::string log = dir.str() + "/round" + std::to_string(round) + ".log";
    pid_t pid = e2e::Spawn(up, log, env);
    ASSERT_GT(pid, 0);
    int delay_ms = std::uniform_int_distribution<int>(50, 1500)(rng);
    std::optional<int> status = WaitFor(pid, std::chrono::milliseconds(point.empty() ? delay_ms : 8000));
    bool self = false;
    if (status) {
      ASSERT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL)
          << "round " << round << ": tributary exited on its own (status " << *status << "):\n"
          << e2e::ReadWholeFile(log);
      self = true;
      ++self_kills;
      fired[point]++;
      ++point_rounds;
    } else {
      e2e::KillHard(pid);
    }
    std::cout << "round " << round << ": "
              << (self ? "killed itself at " + point
                       : point.empty() ? "kill -9 after " + std::to_string(delay_ms) + " ms"
                                       : "kill -9 (" + point + " not reached)")
              << "; acknowledged so far " << writer.acked_count() << "\n";
    // Down: only temp files may be unregistered, and SQL sees no duplicate.
    if (round % 5 == 4 && fs::exists(data + "/layout.json")) {
      ExpectNoOrphans(InspectLake(data), "after round " + std::to_string(round));
      for (const auto& [change, n] : LakeChanges(data)) {
        EXPECT_EQ(n, 1) << "after round " << round << ": " << change << " is in the lake " << n << " times";
      }
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  writer.Stop();
  const double kill_phase_s = std::chrono::duration<double>(Clock::now() - started).count();

  // A clean run delivers everything still pending, then stops cleanly.
  auto final_run = e2e::Run({e2e::BinaryPath(), "up", "-c", config, "--data-dir", data, "--listen",
                             "127.0.0.1:" + std::to_string(port), "--duration", "3"},
                            120);
  ASSERT_EQ(final_run.exit_code, 0) << final_run.output;

  const std::set<std::string> acked = writer.acknowledged();
  const std::map<std::string, int64_t> lake = LakeChanges(data);
  int64_t lost = 0, duplicated = 0, unacked_present = 0;
  std::vector<std::string> examples;
  for (const auto& change : acked) {
    auto it = lake.find(change);
    if (it == lake.end()) {
      ++lost;
      if (examples.size() < 5) examples.push_back("lost " + change);
    }
  }
  for (const auto& [change, n] : lake) {
    if (n > 1) {
      ++duplicated;
      if (examples.size() < 5) examples.push_back("duplicated " + change + " x" + std::to_string(n));
    }
    if (!acked.count(change)) ++unacked_present;
  }
  LakeFiles files = InspectLake(data);
  ExpectNoOrphans(files, "after the clean run");
  EXPECT_TRUE(files.temp.empty()) << files.temp.size() << " temp files survived recovery, e.g. " << files.temp.front();

  std::cout << "crash test: seed " << seed << ", kills " << kills << " (" << self_kills
            << " at crash points:";
  for (const auto& [p, n] : fired) std::cout << " " << p << " x" << n;
  std::cout << "), acknowledged changes " << acked.size() << ", unknown-outcome writes " << writer.unknown()
            << " (" << unacked_present << " of them in the lake), rejected " << writer.rejected() << ", lake files "
            << files.registered.size() << " (compactions " << files.compactions << ", retired files pending "
            << files.retired.size() << "), lost " << lost << ", duplicated " << duplicated << ", kill phase "
            << kill_phase_s << " s\n";
  EXPECT_EQ(lost, 0) << ::testing::PrintToString(examples);
  EXPECT_EQ(duplicated, 0) << ::testing::PrintToString(examples);
  // Changes whose write outcome was unknown (the connection died in the kill) may be there once.
  EXPECT_LE(unacked_present, writer.unknown());
  EXPECT_GT(acked.size(), static_cast<size_t>(kills) * 20) << "the writer barely got through";
  EXPECT_EQ(writer.rejected(), 0) << writer.last_rejection();
  EXPECT_GT(files.compactions, 0) << "compaction never ran";
  // The crash points really put kills inside the commit windows.
  for (const auto& p : points) EXPECT_GE(fired[p], 1) << p << " never fired";
}

}  // namespace
}  // namespace tributary::crash
