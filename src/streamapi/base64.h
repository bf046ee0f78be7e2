// Standard base64 (RFC 4648, with padding) appended into a caller's buffer: the hot paths of
// PutRecords / GetRecords / PutRecordBatch decode and encode every record's Data without a
// temporary string per record.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace tributary::streamapi {

// Appends the decoded bytes of `text` to *out; false (and *out in an unspecified state past its
// old size) when `text` is not canonical padded base64.
bool AppendBase64Decoded(std::string_view text, std::string* out);
// Appends the base64 encoding of `bytes` to *out.
void AppendBase64Encoded(std::string_view bytes, std::string* out);

}  // namespace tributary::streamapi
