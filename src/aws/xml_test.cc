#include "aws/xml.h"

#include <gtest/gtest.h>

namespace tributary::aws {
namespace {

TEST(XmlTest, TextAndElements) {
  std::string xml =
      "<?xml version=\"1.0\"?><R xmlns=\"x\"><A>1 &lt; 2 &amp;&#65;&#x42;&#233;</A><s3:B attr=\"v\">b</s3:B>"
      "<C><C>inner</C></C><Empty/><D><![CDATA[<raw>]]></D><A>second</A></R>";
  EXPECT_EQ(XmlText(xml, "A"), "1 < 2 &AB\xC3\xA9");
  EXPECT_EQ(XmlText(xml, "B"), "b");
  EXPECT_EQ(XmlText(xml, "C"), "<C>inner</C>");
  EXPECT_EQ(XmlText(xml, "Empty"), "");
  EXPECT_EQ(XmlText(xml, "D"), "<raw>");
  EXPECT_EQ(XmlText(xml, "Missing"), "");
  auto as = XmlElements(xml, "A");
  ASSERT_EQ(as.size(), 2u);
  EXPECT_EQ(as[1], "second");
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(XmlText("<A>unterminated", "A"), "");
  EXPECT_EQ(XmlUnescape("&bogus; &#xZZ; &"), "&bogus; &#xZZ; &");
}

}  // namespace
}  // namespace tributary::aws
