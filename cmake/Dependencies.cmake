# Every dependency comes from Debian packages except DuckDB, whose shared library
# scripts/bootstrap fetches into third_party/duckdb/ (see DESIGN.md "Dependencies").
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(RocksDB REQUIRED CONFIG)
find_package(simdjson REQUIRED CONFIG)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(OpenSSL REQUIRED)
# libcurl (Debian libcurl4-openssl-dev): the AWS clients' HTTP (src/aws).
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(zstd REQUIRED CONFIG)
find_package(Snappy REQUIRED CONFIG)
# cpp-httplib (Debian libcpp-httplib-dev): the webhook client of alerts. Debian builds it as a
# shared library with OpenSSL, zlib and brotli; its .pc file carries the matching defines.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# libjq 1.6 (Debian libjq-dev), the engine of Firehose's JQ-1.6 queries; no CMake config ships.
find_path(JQ_INCLUDE_DIR jq.h REQUIRED)
find_library(JQ_LIBRARY jq REQUIRED)
add_library(jq::jq UNKNOWN IMPORTED GLOBAL)
set_target_properties(jq::jq PROPERTIES IMPORTED_LOCATION ${JQ_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${JQ_INCLUDE_DIR})
# libedit (Debian libedit-dev): line editing and history for the `tributary sql` shell, through
# its readline-compatible API (editline/readline.h).
find_path(LIBEDIT_INCLUDE_DIR editline/readline.h REQUIRED)
find_library(LIBEDIT_LIBRARY edit REQUIRED)
add_library(libedit::libedit UNKNOWN IMPORTED GLOBAL)
set_target_properties(libedit::libedit PROPERTIES IMPORTED_LOCATION ${LIBEDIT_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${LIBEDIT_INCLUDE_DIR})
find_package(CLI11 CONFIG QUIET)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED CONFIG)
include(GoogleTest)

set(DUCKDB_DIR ${PROJECT_SOURCE_DIR}/third_party/duckdb)
if(NOT EXISTS ${DUCKDB_DIR}/libduckdb.so)
  message(FATAL_ERROR "libduckdb.so not found in ${DUCKDB_DIR}: run scripts/bootstrap")
endif()
add_library(duckdb_shared SHARED IMPORTED GLOBAL)
set_target_properties(duckdb_shared PROPERTIES IMPORTED_LOCATION ${DUCKDB_DIR}/libduckdb.so
  IMPORTED_NO_SONAME TRUE)
set(CMAKE_BUILD_RPATH ${DUCKDB_DIR})
