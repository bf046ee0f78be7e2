# Thin wrapper over CMake. `make demo` and `make test` each do their own setup on a fresh
# Debian machine (scripts/bootstrap is idempotent and fast when everything is present).
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DTRIBUTARY_WERROR=ON
endif

.PHONY: all bootstrap configure build demo test test-asan bench format clean dashboard-screenshot

all: build

bootstrap:
	@./scripts/bootstrap

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: bootstrap $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

demo: build
	./$(BUILD_DIR)/tributary demo $(DEMO_ARGS)

# The whole suite: unit, integration and end-to-end tests, then the benchmarks on tiny inputs
# so they never rot. Under CI, the suite runs again under ASan+UBSan.
test: build
	./scripts/check-test-targets $(BUILD_DIR)
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600
	./$(BUILD_DIR)/tributary-bench --scenario all --smoke
ifeq ($(CI),true)
	$(MAKE) test-asan
	$(MAKE) fuzz-smoke
endif

test-asan: bootstrap
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DTRIBUTARY_SANITIZE=ON -DTRIBUTARY_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j$(JOBS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS) --timeout 900

# Refreshes docs/dashboard.png (the README's picture): the browser test with the demo running
# 75 s longer so the charts have history.
dashboard-screenshot: build
	DASHBOARD_WAIT_S=75 TRIBUTARY_BIN=$(CURDIR)/$(BUILD_DIR)/tributary TRIBUTARY_SOURCE_DIR=$(CURDIR) \
	  node tests/e2e/dashboard/dashboard_test.js --screenshot docs/dashboard.png

# The whole benchmark suite: every tributary-bench scenario (figures in $(BUILD_DIR)/bench-results.json
# plus a summary table), then the `api` scenario: scripts/bench-peers (tributary, moto_server,
# dynalite through the same driver; a peer that is not installed is skipped with a line saying so),
# its output in $(BUILD_DIR)/bench-api.txt. BENCH_ARGS go to tributary-bench; BENCH_API=0 skips api.
BENCH_ARGS ?=
BENCH_API ?= 1
bench: build
	./$(BUILD_DIR)/tributary-bench --scenario all --json $(BUILD_DIR)/bench-results.json $(BENCH_ARGS)
	@if [ "$(BENCH_API)" != 0 ]; then \
	  command -v node >/dev/null && ./scripts/bench-peers install || echo "make bench: api: dynalite could not be installed (node/npm); it is skipped"; \
	  MOTO_DURATION=3 ./scripts/bench-peers run $(BUILD_DIR) -- --duration 5 --concurrency 1,16 | tee $(BUILD_DIR)/bench-api.txt; \
	fi

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)

# libFuzzer smoke run (clang-14, ASan+UBSan): the DynamoDB request fuzzer (src/dynamodb/request_fuzz.cc)
# for 60 s from its seed corpus; new inputs go to $(FUZZ_DIR)/corpus, never into the repository.
FUZZ_DIR ?= build-fuzz
.PHONY: fuzz-smoke
fuzz-smoke: bootstrap
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DTRIBUTARY_FUZZ=ON -DTRIBUTARY_BUILD_TESTS=OFF -DTRIBUTARY_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) --target dynamodb_request_fuzz -j$(JOBS)
	mkdir -p $(FUZZ_DIR)/corpus/dynamodb_requests
	./$(FUZZ_DIR)/src/dynamodb/dynamodb_request_fuzz $(FUZZ_DIR)/corpus/dynamodb_requests tests/fuzz/dynamodb_requests \
	  -dict=tests/fuzz/dynamodb_requests.dict -max_total_time=60 -rss_limit_mb=2048 -print_final_stats=1

# The long crash test: 100 kill -9s of `tributary up` under endpoint load (tests/crash; CI runs 20).
CRASH_KILLS ?= 100
.PHONY: crash-long
crash-long: build
	cmake --build $(BUILD_DIR) --target crash_test -j$(JOBS)
	TRIBUTARY_CRASH_KILLS=$(CRASH_KILLS) TRIBUTARY_BIN=$(BUILD_DIR)/tributary ./$(BUILD_DIR)/tests/crash_test --gtest_filter='CrashTest.*'
