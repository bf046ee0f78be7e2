// tributary-http-load: a closed-loop load driver for AWS JSON (DynamoDB) endpoints. N keep-alive
// connections, driven by one epoll thread, each sends a request, waits for the response and sends
// the next; it reports requests/s and p50/p99 latency per scenario and concurrency. Works against
// any DynamoDB-compatible endpoint (tributary up, moto_server, dynalite), so figures compare side
// by side. Requests carry a syntactically valid but unchecked SigV4 Authorization header (servers
// that verify signatures must run with verification off).
//
//   tributary-http-load --endpoint http://127.0.0.1:4566 --scenarios put,get --concurrency 1,16
//
// Before timing it creates the table (hash pk:S, range sk:N; waits until ACTIVE) and preloads
// --partitions x 10 items for get/update/query. Scenarios:
//   put     PutItem, a new item (~120 bytes) per request
//   get     GetItem of a random preloaded item
//   update  UpdateItem SET v = :v on a random preloaded item
//   query   Query one random preloaded partition (10 items)
//   batch   BatchWriteItem of 25 new items (items/s = 25 x req/s)
//   health  GET /health: the HTTP layer alone (not in the default list)
//   kinesis-put  Kinesis PutRecords of 500 records x 300 B (records/s = 500 x req/s) into a stream
//           of --shards shards (created first, instead of the table); not in the default list.
//           Runs against tributary up, kinesalite and moto_server alike.
//
// --smoke: a tiny run (0.3 s, concurrency 1, 10 partitions) to check the tool works.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_env.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 4566;
  std::vector<std::string> scenarios = {"put", "get", "update", "query", "batch"};
  std::vector<int> concurrency = {1, 16};
  double duration_s = 5;
  std::string table = "http_load";
  int partitions = 1000;
  std::string label;  // printed with each row (e.g. "tributary", "moto")
  int shards = 4;     // kinesis-put: the stream's shard count
};

bool IsKinesis(const std::string& scenario) { return scenario.rfind("kinesis", 0) == 0; }
constexpr int kKinesisBatch = 500;
constexpr size_t kKinesisRecordBytes = 300;

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// --- requests -------------------------------------------------------------------------------

// `operation` is a DynamoDB operation ("PutItem") or a full Kinesis target
// ("Kinesis_20131202.PutRecords"); the credential scope names the service, which moto_server
// routes by.
std::string RequestBytes(const Options& o, std::string_view operation, const std::string& body) {
  const bool kinesis = operation.rfind("Kinesis_", 0) == 0;
  std::string r;
  r.reserve(body.size() + 400);
  r += "POST / HTTP/1.1\r\nHost: ";
  r += o.host + ":" + std::to_string(o.port);
  r += kinesis ? "\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: "
               : "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.";
  r += operation;
  r += "\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/";
  r += kinesis ? "kinesis" : "dynamodb";
  r += "/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\nContent-Length: ";
  r += std::to_string(body.size());
  r += "\r\n\r\n";
  r += body;
  return r;
}

std::string ItemJson(const std::string& pk, int sk) {
  return "{\"pk\":{\"S\":\"" + pk + "\"},\"sk\":{\"N\":\"" + std::to_string(sk) +
         "\"},\"v\":{\"S\":\"the quick brown fox jumps over the lazy dog 0123456789\"},\"n\":{\"N\":\"42\"},"
         "\"tags\":{\"SS\":[\"a\",\"b\"]}}";
}

std::string KeyJson(const std::string& pk, int sk) {
  return "{\"pk\":{\"S\":\"" + pk + "\"},\"sk\":{\"N\":\"" + std::to_string(sk) + "\"}}";
}

// Builds the next request of a scenario for connection `conn`, its `seq`-th.
using RequestFactory = std::function<std::string(int conn, int64_t seq, std::mt19937_64& rng)>;

RequestFactory MakeFactory(const Options& o, const std::string& scenario, int run_id) {
  const std::string t = "\"TableName\":\"" + o.table + "\"";
  const int parts = o.partitions;
  auto pre_pk = [](uint64_t i) { return "part" + std::to_string(i); };
  if (scenario == "health") {  // the HTTP front door alone
    return [=, &o](int, int64_t, std::mt19937_64&) {
      return "GET /health HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) + "\r\n\r\n";
    };
  }
  if (scenario == "put") {
    return [=, &o](int c, int64_t s, std::mt19937_64&) {
      std::string pk = "put" + std::to_string(run_id) + "-" + std::to_string(c) + "-" + std::to_string(s);
      return RequestBytes(o, "PutItem", "{" + t + ",\"Item\":" + ItemJson(pk, 0) + "}");
    };
  }
  if (scenario == "get") {
    return [=, &o](int, int64_t, std::mt19937_64& rng) {
      return RequestBytes(o, "GetItem", "{" + t + ",\"Key\":" + KeyJson(pre_pk(rng() % parts), rng() % 10) + "}");
    };
  }
  if (scenario == "update") {
    return [=, &o](int, int64_t s, std::mt19937_64& rng) {
      return RequestBytes(o, "UpdateItem",
                          "{" + t + ",\"Key\":" + KeyJson(pre_pk(rng() % parts), rng() % 10) +
                              ",\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"u" +
                              std::to_string(s) + "\"}}}");
    };
  }
  if (scenario == "query") {
    return [=, &o](int, int64_t, std::mt19937_64& rng) {
      return RequestBytes(o, "Query",
                          "{" + t + ",\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"" +
                              pre_pk(rng() % parts) + "\"}}}");
    };
  }
  if (scenario == "kinesis-put") {
    // 300 bytes of data (400 base64 characters) per record, distinct partition keys.
    const std::string data(kKinesisRecordBytes / 3 * 4, 'Q');
    return [=, &o](int c, int64_t s, std::mt19937_64& rng) {
      std::string body;
      body.reserve(kKinesisBatch * (data.size() + 64) + 64);
      body += "{\"StreamName\":\"" + o.table + "\",\"Records\":[";
      for (int i = 0; i < kKinesisBatch; ++i) {
        if (i > 0) body += ",";
        body += "{\"Data\":\"" + data + "\",\"PartitionKey\":\"k" + std::to_string(run_id) + "-" + std::to_string(c) +
                "-" + std::to_string(s) + "-" + std::to_string(rng() % 1000000) + "\"}";
      }
      body += "]}";
      return RequestBytes(o, "Kinesis_20131202.PutRecords", body);
    };
  }
  if (scenario == "batch") {
    return [=, &o](int c, int64_t s, std::mt19937_64&) {
      std::string body = "{\"RequestItems\":{\"" + o.table + "\":[";
      for (int i = 0; i < 25; ++i) {
        if (i > 0) body += ",";
        std::string pk = "batch" + std::to_string(run_id) + "-" + std::to_string(c) + "-" + std::to_string(s);
        body += "{\"PutRequest\":{\"Item\":" + ItemJson(pk, i) + "}}";
      }
      body += "]}}";
      return RequestBytes(o, "BatchWriteItem", body);
    };
  }
  return nullptr;
}

// --- connections ----------------------------------------------------------------------------

int Connect(const Options& o) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &res) != 0 || res == nullptr) return -1;
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// A parsed response once complete. Returns false while more bytes are needed.
struct Response {
  int status = 0;
  bool close = false;
  size_t total = 0;  // bytes of this response in the buffer
  std::string body;
};

bool ParseResponse(const std::string& buf, bool eof, Response* r) {
  size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  if (buf.size() < 12) return false;
  r->status = std::atoi(buf.c_str() + 9);
  bool http10 = buf.compare(0, 8, "HTTP/1.0") == 0;
  long length = -1;
  r->close = http10;
  size_t pos = buf.find("\r\n") + 2;
  while (pos < head_end) {
    size_t e = buf.find("\r\n", pos);
    std::string line = buf.substr(pos, e - pos);
    std::string lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.rfind("content-length:", 0) == 0) length = std::atol(line.c_str() + 15);
    if (lower.rfind("connection:", 0) == 0) {
      if (lower.find("close") != std::string::npos) r->close = true;
      if (lower.find("keep-alive") != std::string::npos) r->close = false;
    }
    pos = e + 2;
  }
  size_t body_start = head_end + 4;
  if (length < 0) {  // no Content-Length: until EOF
    if (!eof) return false;
    length = static_cast<long>(buf.size() - body_start);
    r->close = true;
  }
  if (buf.size() < body_start + static_cast<size_t>(length)) return false;
  r->total = body_start + static_cast<size_t>(length);
  r->body = buf.substr(body_start, static_cast<size_t>(length));
  return true;
}

// One request on a fresh blocking connection (setup calls).
Response Call(const Options& o, std::string_view operation, const std::string& body) {
  Response r;
  int fd = Connect(o);
  if (fd < 0) return r;
  std::string req = RequestBytes(o, operation, body);
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return r;
  }
  std::string buf;
  char tmp[65536];
  while (true) {
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n > 0) buf.append(tmp, static_cast<size_t>(n));
    if (ParseResponse(buf, n <= 0, &r) || n <= 0) break;
  }
  close(fd);
  return r;
}

// PutRecords' FailedRecordCount (0 when absent).
int64_t FailedRecordCount(const std::string& body) {
  size_t p = body.find("\"FailedRecordCount\"");
  if (p == std::string::npos) return 0;
  p += 19;
  while (p < body.size() && (body[p] == ' ' || body[p] == ':')) ++p;
  return std::atoll(body.c_str() + p);
}

struct RunResult {
  int64_t ok = 0;
  int64_t errors = 0;
  int64_t failed_records = 0;  // PutRecords entries that came back with an ErrorCode
  double seconds = 0;
  std::vector<int64_t> latencies_ns;
  std::string first_error;
};

struct LoadConn {
  int fd = -1;
  std::string out;
  size_t out_off = 0;
  std::string in;
  int64_t sent_ns = 0;
  int64_t seq = 0;
};

RunResult RunClosedLoop(const Options& o, const RequestFactory& make, int concurrency, double seconds) {
  RunResult result;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<LoadConn> conns(static_cast<size_t>(concurrency));
  std::mt19937_64 rng(12345);
  auto start_request = [&](size_t i) {
    LoadConn& c = conns[i];
    if (c.fd < 0) {
      c.fd = Connect(o);
      if (c.fd < 0) return false;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    }
    c.out = make(static_cast<int>(i), c.seq++, rng);
    c.out_off = 0;
    c.sent_ns = NowNs();
    while (c.out_off < c.out.size()) {  // requests are small: blocking send is fine
      ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      c.out_off += static_cast<size_t>(n);
    }
    return true;
  };
  auto reset = [&](size_t i) {
    LoadConn& c = conns[i];
    if (c.fd >= 0) {
      epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    c.fd = -1;
    c.in.clear();
  };
  const int64_t t0 = NowNs();
  const int64_t end = t0 + static_cast<int64_t>(seconds * 1e9);
  for (size_t i = 0; i < conns.size(); ++i) {
    if (!start_request(i)) {
      result.first_error = "cannot connect";
      close(ep);
      return result;
    }
  }
  int active = concurrency;
  epoll_event events[256];
  char tmp[65536];
  while (active > 0) {
    int n = epoll_wait(ep, events, 256, 1000);
    for (int k = 0; k < n; ++k) {
      size_t i = events[k].data.u64;
      LoadConn& c = conns[i];
      bool eof = false;
      while (true) {
        ssize_t r = recv(c.fd, tmp, sizeof tmp, MSG_DONTWAIT);
        if (r > 0) {
          c.in.append(tmp, static_cast<size_t>(r));
          if (static_cast<size_t>(r) < sizeof tmp) break;
          continue;
        }
        if (r == 0) eof = true;
        break;
      }
      Response resp;
      if (!ParseResponse(c.in, eof, &resp)) {
        if (eof) {  // closed without a full response
          ++result.errors;
          reset(i);
          if (NowNs() >= end || !start_request(i)) --active;
        }
        continue;
      }
      const int64_t now = NowNs();
      result.latencies_ns.push_back(now - c.sent_ns);
      if (resp.status == 200) {
        ++result.ok;
        result.failed_records += FailedRecordCount(resp.body);
      } else {
        ++result.errors;
        if (result.first_error.empty()) result.first_error = std::to_string(resp.status) + " " + resp.body;
      }
      c.in.erase(0, resp.total);
      if (resp.close || eof) reset(i);
      if (now >= end) {
        reset(i);
        --active;
        continue;
      }
      if (!start_request(i)) {
        reset(i);
        --active;
      }
    }
  }
  result.seconds = static_cast<double>(NowNs() - t0) / 1e9;
  close(ep);
  return result;
}

// --- setup ----------------------------------------------------------------------------------

// Creates the Kinesis stream (waits until ACTIVE).
bool SetupKinesis(const Options& o) {
  Response r = Call(o, "Kinesis_20131202.CreateStream",
                    "{\"StreamName\":\"" + o.table + "\",\"ShardCount\":" + std::to_string(o.shards) + "}");
  if (r.status != 200 && r.body.find("ResourceInUseException") == std::string::npos) {
    std::fprintf(stderr, "CreateStream failed: %d %s\n", r.status, r.body.c_str());
    return false;
  }
  for (int i = 0; i < 200; ++i) {
    r = Call(o, "Kinesis_20131202.DescribeStreamSummary", "{\"StreamName\":\"" + o.table + "\"}");
    if (r.status == 200 && r.body.find("ACTIVE") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::printf("setup: stream %s with %d shards\n", o.table.c_str(), o.shards);
  return true;
}

bool Setup(const Options& o) {
  if (std::all_of(o.scenarios.begin(), o.scenarios.end(), IsKinesis)) return SetupKinesis(o);
  if (std::any_of(o.scenarios.begin(), o.scenarios.end(), IsKinesis) && !SetupKinesis(o)) return false;
  std::string create = "{\"TableName\":\"" + o.table +
                       "\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                       "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"pk\","
                       "\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
                       "\"BillingMode\":\"PAY_PER_REQUEST\"}";
  Response r = Call(o, "CreateTable", create);
  if (r.status != 200 && r.body.find("ResourceInUseException") == std::string::npos) {
    std::fprintf(stderr, "CreateTable failed: %d %s\n", r.status, r.body.c_str());
    return false;
  }
  for (int i = 0; i < 200; ++i) {  // until ACTIVE
    r = Call(o, "DescribeTable", "{\"TableName\":\"" + o.table + "\"}");
    if (r.status == 200 && r.body.find("\"TableStatus\":\"ACTIVE\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Preload partitions x 10 items with BatchWriteItem (25 items per request), 16 at a time.
  int total = o.partitions * 10;
  int64_t next = 0;
  RequestFactory preload = [&](int, int64_t, std::mt19937_64&) {
    std::string body = "{\"RequestItems\":{\"" + o.table + "\":[";
    for (int k = 0; k < 25 && next < total; ++k, ++next) {
      if (k > 0) body += ",";
      body += "{\"PutRequest\":{\"Item\":" + ItemJson("part" + std::to_string(next / 10), static_cast<int>(next % 10)) + "}}";
    }
    body += "]}}";
    return RequestBytes(o, "BatchWriteItem", body);
  };
  int64_t t0 = NowNs();
  while (next < total) {
    RunResult rr = RunClosedLoop(o, preload, 1, 0);  // one request per call: simple and ordered
    if (rr.errors > 0) {
      std::fprintf(stderr, "preload failed: %s\n", rr.first_error.c_str());
      return false;
    }
  }
  std::printf("setup: table %s created, %d items preloaded in %.1f s\n", o.table.c_str(), total,
              static_cast<double>(NowNs() - t0) / 1e9);
  return true;
}

int64_t Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

void Usage() {
  std::fprintf(stderr,
               "usage: tributary-http-load [--endpoint http://HOST:PORT] [--scenarios put,get,update,query,batch]\n"
               "                           [--concurrency 1,16] [--duration SECONDS] [--table NAME]\n"
               "                           [--partitions N] [--shards N] [--label TEXT] [--no-env] [--smoke]\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool env = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--endpoint") {
      std::string url = value();
      if (url.rfind("http://", 0) == 0) url = url.substr(7);
      while (!url.empty() && url.back() == '/') url.pop_back();
      size_t colon = url.rfind(':');
      o.host = url.substr(0, colon);
      o.port = colon == std::string::npos ? 80 : std::atoi(url.c_str() + colon + 1);
      if (o.host.size() > 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
    } else if (a == "--scenarios") {
      o.scenarios = SplitList(value());
    } else if (a == "--concurrency") {
      o.concurrency.clear();
      for (const auto& c : SplitList(value())) o.concurrency.push_back(std::max(1, std::atoi(c.c_str())));
    } else if (a == "--duration") {
      o.duration_s = std::atof(value().c_str());
    } else if (a == "--table") {
      o.table = value();
    } else if (a == "--partitions") {
      o.partitions = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--label") {
      o.label = value();
    } else if (a == "--shards") {
      o.shards = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--smoke") {
      o.duration_s = 0.3;
      o.concurrency = {1};
      o.partitions = 10;
    } else if (a == "--no-env") {
      env = false;
    } else {
      Usage();
      return 2;
    }
  }
  if (env) std::printf("%s", tributary::bench::EnvironmentHeader().c_str());
  std::printf("endpoint: http://%s:%d%s%s\n", o.host.c_str(), o.port, o.label.empty() ? "" : "  label: ",
              o.label.c_str());
  if (!Setup(o)) return 1;
  std::printf("%-10s %-11s %5s %10s %10s %10s %10s %8s\n", "server", "scenario", "conc", "req/s", "items/s", "p50_us",
              "p99_us", "errors");
  int run_id = static_cast<int>(NowNs() % 100000);
  for (const auto& s : o.scenarios) {
    for (int c : o.concurrency) {
      RequestFactory make = MakeFactory(o, s, run_id++);
      if (!make) {
        std::fprintf(stderr, "unknown scenario '%s'\n", s.c_str());
        return 2;
      }
      RunResult r = RunClosedLoop(o, make, c, o.duration_s);
      double rps = r.seconds > 0 ? static_cast<double>(r.ok + r.errors) / r.seconds : 0;
      int64_t p50 = Percentile(r.latencies_ns, 0.50), p99 = Percentile(r.latencies_ns, 0.99);
      // Items per request: BatchWriteItem 25, PutRecords 500 (records that failed not counted).
      const int64_t per = s == "batch" ? 25 : s == "kinesis-put" ? kKinesisBatch : 1;
      const double items = r.seconds > 0 ? static_cast<double>(r.ok * per - r.failed_records) / r.seconds : 0;
      std::printf("%-10s %-11s %5d %10.0f %10.0f %10.1f %10.1f %8lld\n", o.label.empty() ? "-" : o.label.c_str(),
                  s.c_str(), c, rps, items, static_cast<double>(p50) / 1e3, static_cast<double>(p99) / 1e3,
                  static_cast<long long>(r.errors));
      if (r.failed_records > 0) std::printf("  failed records: %lld\n", static_cast<long long>(r.failed_records));
      if (!r.first_error.empty()) std::printf("  first error: %.300s\n", r.first_error.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
