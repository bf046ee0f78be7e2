#include "runtime/sales_generator.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/json_writer.h"

namespace tributary::runtime {
namespace {

constexpr const char* kProducts[] = {
    "Laptop",       "Wireless Mouse", "Mechanical Keyboard", "27in Monitor", "USB-C Hub",
    "Headphones",   "Webcam",         "Desk Lamp",           "Office Chair", "Standing Desk",
    "External SSD", "Smartphone",     "Tablet",              "Smartwatch",   "Bluetooth Speaker",
    "Router",       "Printer",        "Graphics Card",       "Microphone",   "Docking Station"};
constexpr const char* kStatusFlow[] = {"PENDING", "PROCESSING", "SHIPPED", "DELIVERED"};
constexpr int kStatusCount = 4;

int StatusIndex(const std::string& s) {
  for (int i = 0; i < kStatusCount; ++i) {
    if (s == kStatusFlow[i]) return i;
  }
  return 0;
}

}  // namespace

std::string GeneratorReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("inserts");
  w.Int(inserts);
  w.Key("modifies");
  w.Int(modifies);
  w.Key("removes");
  w.Int(removes);
  w.Key("changes");
  w.Int(changes());
  w.Key("noops");
  w.Int(noops);
  w.Key("errors");
  w.Int(errors);
  w.Key("elapsed_ms");
  w.Int(elapsed_ms);
  w.Key("seed");
  w.Uint(seed);
  w.EndObject();
  return w.Take();
}

std::string GeneratorReport::ToText() const {
  double secs = elapsed_ms / 1000.0;
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "%lld changes in %.1f s (%.0f/s): %lld INSERT, %lld MODIFY, %lld REMOVE; "
                "%lld no-op, %lld errors; seed %llu",
                static_cast<long long>(changes()), secs, secs > 0 ? changes() / secs : 0.0,
                static_cast<long long>(inserts), static_cast<long long>(modifies),
                static_cast<long long>(removes), static_cast<long long>(noops),
                static_cast<long long>(errors), static_cast<unsigned long long>(seed));
  return buf;
}

SalesGenerator::SalesGenerator(OrderWriter* writer, GeneratorOptions options, const Clock* clock)
    : writer_(writer), options_(std::move(options)), clock_(clock) {
  if (options_.seed == 0) options_.seed = std::random_device{}() | 1;
  rng_.seed(options_.seed);
  if (options_.order_prefix.empty()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "ord-%06llx-",
                  static_cast<unsigned long long>(rng_() & 0xffffff));
    options_.order_prefix = buf;
  }
}

std::string SalesGenerator::Now() const { return FormatUtcMillis(clock_->NowMillis()); }

Item SalesGenerator::NewOrder() {
  char id[64];
  std::snprintf(id, sizeof(id), "%s%08lld", options_.order_prefix.c_str(),
                static_cast<long long>(next_order_++));
  std::uniform_int_distribution<int> product(0, std::size(kProducts) - 1);
  std::uniform_int_distribution<int> qty(1, 10);
  std::uniform_int_distribution<int> cents(500, 50000);
  std::uniform_int_distribution<int> customer(1, 500);
  char price[32];
  int c = cents(rng_);
  // About 2% are bulk orders priced ten times higher (49.00..50.00 -> 4,900..5,000), so the seed's
  // alert rule (price > 1000 on INSERT) has something to catch. Derived from the same draw, so a
  // seed still produces the same sequence of orders otherwise.
  if (c >= 49000) c *= 10;
  std::snprintf(price, sizeof(price), "%d.%02d", c / 100, c % 100);
  char cust[32];
  std::snprintf(cust, sizeof(cust), "CUST-%04d", customer(rng_));
  std::string now = Now();
  Item item;
  item["order_id"] = AttributeValue::S(id);
  item["product_name"] = AttributeValue::S(kProducts[product(rng_)]);
  item["quantity"] = AttributeValue::N(qty(rng_));
  item["price"] = *AttributeValue::N(price);
  item["customer_id"] = AttributeValue::S(cust);
  item["status"] = AttributeValue::S("PENDING");
  item["order_date"] = AttributeValue::S(now);
  item["updated_at"] = AttributeValue::S(now);
  return item;
}

void SalesGenerator::Count(std::optional<EventName> event, GeneratorReport* report) {
  if (!event) {
    report->noops++;
    return;
  }
  switch (*event) {
    case EventName::kInsert: report->inserts++; break;
    case EventName::kModify: report->modifies++; break;
    case EventName::kRemove: report->removes++; break;
  }
  changes_.fetch_add(1, std::memory_order_relaxed);
}

Status SalesGenerator::Insert(GeneratorReport* report) {
  Item item = NewOrder();
  auto r = writer_->Put(item);
  if (!r.ok()) return r.status();
  Count(*r, report);
  std::string id = item.at("order_id").text();
  live_ids_.push_back(id);
  live_.emplace(std::move(id), std::move(item));
  return Status::Ok();
}

Status SalesGenerator::UpdateOne(GeneratorReport* report) {
  std::uniform_int_distribution<size_t> pick(0, live_ids_.size() - 1);
  const std::string& id = live_ids_[pick(rng_)];
  Item& item = live_.at(id);
  Item set;
  int status = StatusIndex(item.at("status").text());
  if (status + 1 < kStatusCount && std::uniform_int_distribution<int>(0, 3)(rng_) != 0) {
    set["status"] = AttributeValue::S(kStatusFlow[status + 1]);
  } else {
    int64_t q = 0;
    NumberToInt64(item.at("quantity").text(), &q);
    set["quantity"] = AttributeValue::N(q >= 10 ? q - 1 : q + 1);
  }
  set["updated_at"] = AttributeValue::S(Now());
  Item key{{"order_id", item.at("order_id")}};
  auto r = writer_->Update(key, set);
  if (!r.ok()) return r.status();
  Count(*r, report);
  for (auto& [k, v] : set) item[k] = v;
  return Status::Ok();
}

Status SalesGenerator::DeleteOne(GeneratorReport* report) {
  std::uniform_int_distribution<size_t> pick(0, live_ids_.size() - 1);
  size_t i = pick(rng_);
  std::string id = live_ids_[i];
  Item key{{"order_id", AttributeValue::S(id)}};
  auto r = writer_->Delete(key);
  if (!r.ok()) return r.status();
  Count(*r, report);
  live_ids_[i] = live_ids_.back();
  live_ids_.pop_back();
  live_.erase(id);
  return Status::Ok();
}

Status SalesGenerator::Step(GeneratorReport* report) {
  int total = options_.insert_weight + options_.update_weight + options_.delete_weight;
  int roll = std::uniform_int_distribution<int>(0, total - 1)(rng_);
  Status s;
  if (live_ids_.empty() || (roll < options_.insert_weight && live_ids_.size() < options_.max_live_orders)) {
    s = Insert(report);
  } else if (roll < options_.insert_weight + options_.update_weight) {
    s = UpdateOne(report);
  } else {
    s = DeleteOne(report);
  }
  if (!s.ok()) report->errors++;
  return s;
}

Status SalesGenerator::Run(GeneratorReport* report) {
  report->seed = options_.seed;
  const int64_t start_ns = clock_->MonotonicNanos();
  auto elapsed_ms = [&] { return (clock_->MonotonicNanos() - start_ns) / 1000000; };
  int64_t done = 0;
  Status result;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (options_.max_changes > 0 && report->changes() >= options_.max_changes) break;
    if (options_.duration_ms > 0 && elapsed_ms() >= options_.duration_ms) break;
    if (options_.rate_per_second > 0) {
      // Pace against the schedule, so short stalls are caught up without drift.
      int64_t due_ns = start_ns + static_cast<int64_t>(done * 1e9 / options_.rate_per_second);
      int64_t wait_ns = due_ns - clock_->MonotonicNanos();
      if (wait_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(wait_ns, 50000000)));
      if (clock_->MonotonicNanos() < due_ns) continue;
    }
    Status s = Step(report);
    ++done;
    if (!s.ok()) {
      result = s;
      break;
    }
  }
  report->elapsed_ms = elapsed_ms();
  return result;
}

}  // namespace tributary::runtime
