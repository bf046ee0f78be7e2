// UTC calendar arithmetic for the hot path: epoch milliseconds -> year/month/day/hour/minute/
// second/millis without gmtime_r, snprintf or allocation. Used for the seed's creation_datetime
// column, event-time partition keys (year=/month=/day=/hour=) and Firehose-style file names.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace tributary::transform {

struct UtcTime {
  int64_t year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59
  int millis = 0;  // 0..999
};

// Proleptic Gregorian calendar, valid for any int64 milliseconds that fits a 64-bit day count.
UtcTime ToUtc(int64_t epoch_millis);

// Writes `width` decimal digits of `value` (zero-padded, value >= 0) at `out`; returns out+width.
// Years outside 0..9999 are clamped by the callers below to keep fixed widths.
char* WriteDigits(char* out, int64_t value, int width);

// "YYYY-MM-DD HH:MM:SS.mmm" (23 chars, the seed's creation_datetime) into `out`; returns the end.
char* FormatTimestamp(const UtcTime& t, char* out);
// "YYYY-MM-DD-HH-MM-SS" (19 chars, the Firehose object-name timestamp) into `out`.
char* FormatFileNameTime(const UtcTime& t, char* out);

// The year/month/day/hour partition values: "2024", "05", "01", "09".
struct HourPartition {
  char year[5];
  char month[3];
  char day[3];
  char hour[3];
};
HourPartition ToHourPartition(const UtcTime& t);

// Convenience (allocates): FormatTimestamp as a string.
std::string FormatTimestampString(int64_t epoch_millis);

}  // namespace tributary::transform
