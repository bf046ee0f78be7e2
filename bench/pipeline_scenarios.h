// The pipeline, limit and memory scenarios of tributary-bench (bench/pipeline_scenarios.cc).
// Like scenarios.h: each prints its parameters and figures, records them (bench_results.h) and
// returns 0, or 1 when the run itself failed.
#pragma once

#include <cstdint>

namespace tributary::bench {

struct PipelineParams {
  int64_t changes = 300000;  // changes the generator writes, as fast as it can
  int writers = 1;           // generator threads writing through the C++ table API
};
// The demo pipeline (default config) in-process: `writers` SalesGenerators write through
// TableEngine as fast as possible; figures are changes/s for the table writes, the pipe (captured
// into the stream) and the delivery (committed in the lake), each from the start of writing, and
// the end-to-end rate. *changes_per_s gets the end-to-end rate.
int RunPipeline(const PipelineParams& params, bool smoke, double* changes_per_s = nullptr);

struct LimitParams {
  int64_t events = 3000000;  // processed in batches of 500, cycling over a pool of distinct records
  int64_t pool = 50000;
};
// The machine's ceiling for the delivery hot path: the same sales change records as `deliver`,
// already in memory, through cdc-flatten (parse + transform) and appended as JSON lines to an
// in-memory buffer, in one thread, no I/O, no stream, no catalog. *events_per_s gets the rate.
int RunLimit(const LimitParams& params, bool smoke, double* events_per_s = nullptr);

struct MemoryParams {
  double rate = 100000;  // target changes/s (split over the writers)
  double seconds = 20;
  int writers = 2;
};
// The demo pipeline in-process under a sustained generator rate; samples this process's RSS
// every 100 ms and prints the peak, the RSS before the pipeline opened, and the rate actually
// sustained (on a loaded 2-core machine the generator may not reach the target).
int RunMemory(const MemoryParams& params, bool smoke);

}  // namespace tributary::bench
