# tributary_library(NAME SOURCES a.cc b.cc DEPS lib1 lib2)
#   Declares library tributary_<NAME> from the current folder; include paths are rooted at src/,
#   so code includes "core/status.h".
function(tributary_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(tributary_${name} STATIC ${ARG_SOURCES})
  target_include_directories(tributary_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(tributary_${name} PRIVATE ${TRIBUTARY_WARNINGS})
  target_link_libraries(tributary_${name} PUBLIC ${ARG_DEPS})
endfunction()

# tributary_test(NAME SOURCES x_test.cc DEPS tributary_core)
#   A GoogleTest binary registered with CTest (each TEST becomes a CTest case).
function(tributary_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${TRIBUTARY_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} tributary_testing GTest::gtest GTest::gmock GTest::gtest_main)
  set(props ENVIRONMENT "TRIBUTARY_BIN=${PROJECT_BINARY_DIR}/tributary;TRIBUTARY_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
    DISCOVERY_TIMEOUT 60
    PROPERTIES ${props})
endfunction()

# tributary_benchmark(NAME SOURCES x_benchmark.cc DEPS tributary_x)
#   A Google Benchmark micro benchmark beside its code; built only with TRIBUTARY_BUILD_BENCH.
function(tributary_benchmark name)
  if(NOT TRIBUTARY_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${TRIBUTARY_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark_main)
endfunction()
