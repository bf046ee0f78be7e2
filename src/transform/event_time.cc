#include "transform/event_time.h"

namespace tributary::transform {

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t ClampYear(int64_t y) { return y < 0 ? 0 : (y > 9999 ? 9999 : y); }

}  // namespace

UtcTime ToUtc(int64_t epoch_millis) {
  UtcTime t;
  int64_t days = FloorDiv(epoch_millis, 86400000);
  int64_t ms_of_day = epoch_millis - days * 86400000;
  t.millis = static_cast<int>(ms_of_day % 1000);
  int64_t secs = ms_of_day / 1000;
  t.second = static_cast<int>(secs % 60);
  t.minute = static_cast<int>((secs / 60) % 60);
  t.hour = static_cast<int>(secs / 3600);
  // Civil-from-days over 400-year eras (eras start on March 1st of year 0).
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;                                        // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                      // [0, 11]
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2 ? 1 : 0);
  return t;
}

char* WriteDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

char* FormatTimestamp(const UtcTime& t, char* out) {
  out = WriteDigits(out, ClampYear(t.year), 4);
  *out++ = '-';
  out = WriteDigits(out, t.month, 2);
  *out++ = '-';
  out = WriteDigits(out, t.day, 2);
  *out++ = ' ';
  out = WriteDigits(out, t.hour, 2);
  *out++ = ':';
  out = WriteDigits(out, t.minute, 2);
  *out++ = ':';
  out = WriteDigits(out, t.second, 2);
  *out++ = '.';
  return WriteDigits(out, t.millis, 3);
}

char* FormatFileNameTime(const UtcTime& t, char* out) {
  out = WriteDigits(out, ClampYear(t.year), 4);
  for (int v : {t.month, t.day, t.hour, t.minute, t.second}) {
    *out++ = '-';
    out = WriteDigits(out, v, 2);
  }
  return out;
}

HourPartition ToHourPartition(const UtcTime& t) {
  HourPartition p;
  *WriteDigits(p.year, ClampYear(t.year), 4) = '\0';
  *WriteDigits(p.month, t.month, 2) = '\0';
  *WriteDigits(p.day, t.day, 2) = '\0';
  *WriteDigits(p.hour, t.hour, 2) = '\0';
  return p;
}

std::string FormatTimestampString(int64_t epoch_millis) {
  char buf[32];
  char* end = FormatTimestamp(ToUtc(epoch_millis), buf);
  return std::string(buf, end);
}

}  // namespace tributary::transform
