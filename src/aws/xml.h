// Just enough XML for the AWS REST-XML and Query protocols' answers (S3, SNS, SQS): the text of
// elements by name, with the five predefined entities and numeric character references decoded.
// Not a general parser: no namespaces (prefixes are ignored), no DTDs, CDATA read as text.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tributary::aws {

// The decoded text of the first <name>...</name> in `xml` (searching from the start), "" if none.
std::string XmlText(std::string_view xml, std::string_view name);
// The raw inner XML of every <name>...</name> element, in order (not nested in each other).
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view name);
// &amp; &lt; &gt; &quot; &apos; &#NN; &#xNN; -> characters.
std::string XmlUnescape(std::string_view text);
// For element text and attribute values.
std::string XmlEscape(std::string_view text);

}  // namespace tributary::aws
