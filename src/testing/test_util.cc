#include "testing/test_util.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace tributary::testing {

TempDir::TempDir() {
  static std::atomic<uint64_t> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  for (auto& c : name) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') c = '_';
  }
  auto base = std::filesystem::temp_directory_path() / "tributary-tests";
  std::filesystem::create_directories(base);
  for (;;) {
    path_ = base / (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  if (std::getenv("TRIBUTARY_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

uint64_t TestSeed() {
  static const uint64_t seed = [] {
    uint64_t s;
    if (const char* env = std::getenv("TRIBUTARY_TEST_SEED")) {
      s = std::strtoull(env, nullptr, 10);
    } else {
      s = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    std::cerr << "[ seed ] TRIBUTARY_TEST_SEED=" << s << "\n";
    return s;
  }();
  return seed;
}

std::mt19937_64 SeededRng() { return std::mt19937_64(TestSeed()); }

}  // namespace tributary::testing
