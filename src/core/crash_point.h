// Crash points: a test-only hook that makes the process kill itself (SIGKILL, exactly like
// `kill -9`) at a named point of a commit protocol, so a crash test can land a crash in a
// dangerous window for certain instead of hoping a random kill hits it.
//
//   TRIBUTARY_CRASH_AT=<name>:<n>   SIGKILL on the n-th time (1-based) point <name> is reached.
//
// Unset (the normal case), CrashPoint() costs one relaxed atomic load. The variable is read once,
// at the first CrashPoint() call. Names used in the code:
//   delivery.after_stage          temp files written (and synced), before the catalog commit
//   delivery.after_commit         catalog transaction committed, before any rename
//   delivery.mid_publish          after the first of several renames (commits of 2+ files)
//   compaction.after_stage        merged file written (and synced) under its temp name, before the swap
//   compaction.after_swap         catalog swap (ReplaceFiles) committed, before the rename
//   compaction.after_publish      merged file renamed; the old files await deletion
//   compaction.mid_cleanup        after deleting the first retired file, before the catalog forgets them
//   kinesis.after_put             a pipe's batch acknowledged by Kinesis, before its checkpoint
// tests/crash/ uses them; docs/delivery-semantics.md lists what each window must survive.
//
// Thread-safety: CrashPoint() is thread-safe.
#pragma once

#include <string_view>

namespace tributary {

void CrashPoint(std::string_view name);

}  // namespace tributary
