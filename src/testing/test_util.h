// Test helpers shared by all unit and integration tests (linked as tributary_testing).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <atomic>
#include <random>
#include <unistd.h>
#include <string>

#include "core/status.h"

namespace tributary::testing {

// EXPECT_THAT(s, IsOk());  works for Status and Result<T>.
MATCHER(IsOk, std::string(negation ? "is not ok" : "is ok")) {
  if constexpr (requires { arg.status(); }) {
    if (!arg.ok()) *result_listener << arg.status().ToString();
    return arg.ok();
  } else {
    if (!arg.ok()) *result_listener << arg.ToString();
    return arg.ok();
  }
}

// EXPECT_THAT(s, StatusIs(StatusCode::kNotFound));
MATCHER_P(StatusIs, code, "has status code " + std::string(::tributary::StatusCodeName(code))) {
  ::tributary::Status s;
  if constexpr (requires { arg.status(); }) {
    s = arg.status();
  } else {
    s = arg;
  }
  *result_listener << s.ToString();
  return s.code() == code;
}

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::tributary::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::tributary::testing::IsOk())

// A fresh directory under the system temp dir, removed when the object dies
// (kept if TRIBUTARY_KEEP_TEST_DIRS is set, for debugging).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Seeded randomness: the seed comes from TRIBUTARY_TEST_SEED or the clock, and is printed so a
// failure can be replayed.
uint64_t TestSeed();
std::mt19937_64 SeededRng();

}  // namespace tributary::testing
