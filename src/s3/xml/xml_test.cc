// File: s3/xml/xml_test.cc
#include <gtest/gtest.h>

#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

TEST(XmlWriterTest, EscapesEveryMarkupCharacter) {
  std::string out;
  AppendEscaped(out, "a&b<c>d\"e'f");
  EXPECT_EQ(out, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

TEST(XmlWriterTest, ControlCharactersBecomeReferences) {
  std::string out;
  AppendEscaped(out, std::string("x\x01y\rz\tw\n", 8));
  EXPECT_EQ(out, "x&#x1;y&#xD;z\tw\n");
}

TEST(XmlWriterTest, Utf8PassesThrough) {
  std::string out;
  AppendEscaped(out, "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(out, "caf\xc3\xa9 \xe2\x82\xac");
}

TEST(XmlWriterTest, NestedDocument) {
  XmlWriter w;
  w.OpenRoot("ListAllMyBucketsResult").Open("Buckets").Open("Bucket").Element("Name", "a<b");
  w.Element("Count", uint64_t{42}).BoolElement("IsTruncated", false);
  std::string doc = w.Finish();
  EXPECT_EQ(doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Buckets><Bucket><Name>a&lt;b</Name><Count>42</Count>"
            "<IsTruncated>false</IsTruncated></Bucket></Buckets></ListAllMyBucketsResult>");
}

TEST(XmlWriterTest, NumbersAndPlainElements) {
  XmlWriter w;
  w.Reserve(4096);
  w.Open("Contents").Element("Size", uint64_t{0}).Element("Max", UINT64_MAX);
  w.PlainElement("LastModified", "2030-01-01T00:00:00.123Z").PlainElement("StorageClass", "STANDARD");
  w.QuotedElement("ETag", "0a1b").QuotedElement("ETag", "a\"<b");
  EXPECT_EQ(w.Finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Contents><Size>0</Size><Max>18446744073709551615</Max>"
            "<LastModified>2030-01-01T00:00:00.123Z</LastModified><StorageClass>STANDARD</StorageClass>"
            "<ETag>&quot;0a1b&quot;</ETag><ETag>&quot;a&quot;&lt;b&quot;</ETag></Contents>");
  EXPECT_FALSE(NeedsEscaping("0a1b-2"));
  EXPECT_TRUE(NeedsEscaping("a&b"));
  EXPECT_TRUE(NeedsEscaping(std::string_view("\0", 1)));
}

TEST(XmlWriterTest, AttributesAreWrittenInOrderAndEscaped) {
  XmlWriter w;
  w.Open("Grantee", {{"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"}, {"a", "x\"<&"}})
      .Element("ID", "1");
  EXPECT_EQ(w.Finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" a=\"x&quot;&lt;&amp;\">"
            "<ID>1</ID></Grantee>");
}

TEST(XmlWriterTest, NeedsEscapingFindsEveryByteAtEveryPosition) {
  // Against the definition (what AppendEscaped rewrites), for every byte
  // value at every position of texts of 1 to 40 bytes: the 16-byte steps,
  // the overlapping last block and the short-text loop.
  for (size_t size = 1; size <= 40; ++size) {
    for (size_t at = 0; at < size; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string text(size, 'a');
        text[at] = static_cast<char>(b);
        std::string escaped;
        AppendEscaped(escaped, text);
        ASSERT_EQ(NeedsEscaping(text), escaped != text) << "size " << size << " at " << at << " byte " << b;
      }
    }
  }
  EXPECT_FALSE(NeedsEscaping(""));
  EXPECT_FALSE(NeedsEscaping("caf\xc3\xa9 \xe2\x82\xac and a tab\tand a newline\n, forty bytes"));
}

TEST(XmlWriterTest, PiecesWriteWhatTheElementsWrite) {
  // A listing's <Contents> from literal markup and values, against the same
  // element by element, including text that needs escaping.
  const std::string key = "a<b>&\"c'\x01\rd";
  XmlWriter pieces;
  pieces.Markup("<Contents><Key>").Text(key).Markup("</Key><LastModified>").UtcMs(1893456000123);
  pieces.Markup("</LastModified><ETag>&quot;").Text("0a1b").Markup("&quot;</ETag><Size>").Number(UINT64_MAX);
  pieces.Markup("</Size></Contents>");
  XmlWriter elements;
  elements.Open("Contents").Element("Key", key).PlainElement("LastModified", "2030-01-01T00:00:00.123Z");
  elements.QuotedElement("ETag", "0a1b").Element("Size", UINT64_MAX).Close();
  const std::string doc = pieces.Finish();
  EXPECT_EQ(doc, elements.Finish());
  EXPECT_NE(doc.find("<Key>a&lt;b&gt;&amp;&quot;c&apos;&#x1;&#xD;d</Key>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<Size>18446744073709551615</Size>"), std::string::npos) << doc;
}

TEST(XmlWriterTest, ADocumentThatOutgrowsItsBufferStaysWhole) {
  // No Reserve: the buffer grows many times, including while closing an
  // element whose name is copied from earlier in the buffer.
  XmlWriter w;
  std::string expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Root>";
  w.Open("Root");
  for (int i = 0; i < 5000; ++i) {
    const std::string name = "Element" + std::to_string(i % 7);
    const std::string text = std::string(static_cast<size_t>(i % 50), '&');
    w.Open(name).Element("T", text).Close();
    std::string escaped;
    AppendEscaped(escaped, text);
    expected += "<" + name + "><T>" + escaped + "</T></" + name + ">";
  }
  expected += "</Root>";
  EXPECT_EQ(w.Finish(), expected);
}

TEST(XmlReaderTest, CompleteMultipartUploadChecksums) {
  ASSERT_OK_AND_ASSIGN(auto parts, ParseCompleteMultipartUpload(
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><ETag>\"a\"</ETag>"
      "<ChecksumCRC32> QU+jOQ== </ChecksumCRC32><PartNumber>1</PartNumber></Part>"
      "<Part><PartNumber>2</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>"));
  ASSERT_EQ(parts.size(), 2u);
  ASSERT_EQ(parts[0].checksums.size(), 1u);
  EXPECT_EQ(parts[0].checksums[0].first, "ChecksumCRC32");
  EXPECT_EQ(parts[0].checksums[0].second, "QU+jOQ==");
  EXPECT_TRUE(parts[1].checksums.empty());
}

TEST(XmlReaderTest, CompleteMultipartUpload) {
  ASSERT_OK_AND_ASSIGN(auto parts, ParseCompleteMultipartUpload(
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"abc\"</ETag></Part>"
      "<Part><ETag>def</ETag><PartNumber> 2 </PartNumber></Part></CompleteMultipartUpload>"));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].part_number, 1);
  EXPECT_EQ(parts[0].etag, "abc");
  EXPECT_EQ(parts[1].part_number, 2);
  EXPECT_EQ(parts[1].etag, "def");
}

TEST(XmlReaderTest, RejectsMalformed) {
  EXPECT_FALSE(ParseCompleteMultipartUpload("<CompleteMultipartUpload><Part>").ok());
  EXPECT_FALSE(ParseCompleteMultipartUpload("<Other/>").ok());
  EXPECT_FALSE(ParseCompleteMultipartUpload("<CompleteMultipartUpload/>").ok());
  EXPECT_FALSE(ParseCompleteMultipartUpload(
      "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>").ok());
  EXPECT_FALSE(ParseDeleteObjects("<Delete><Object/></Delete>").ok());
}

TEST(XmlReaderTest, LocationConstraint) {
  ASSERT_OK_AND_ASSIGN(std::string empty, ParseCreateBucketConfiguration(""));
  EXPECT_EQ(empty, "");
  ASSERT_OK_AND_ASSIGN(std::string loc, ParseCreateBucketConfiguration(
      "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<LocationConstraint>eu-west-3</LocationConstraint></CreateBucketConfiguration>"));
  EXPECT_EQ(loc, "eu-west-3");
}

TEST(XmlReaderTest, DeleteObjects) {
  ASSERT_OK_AND_ASSIGN(auto req, ParseDeleteObjects(
      "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object></Delete>"));
  EXPECT_TRUE(req.quiet);
  ASSERT_EQ(req.keys.size(), 2u);
  EXPECT_EQ(req.keys[0], "a&b");
  // Keys of blanks only are keys (S3 allows them), whatever the layout.
  ASSERT_OK_AND_ASSIGN(auto blanks, ParseDeleteObjects(
      "<Delete>\n  <Quiet> true </Quiet>\n  <Object><Key> </Key></Object>\n  <Object>\n <Key>_ _</Key>\n </Object>\n</Delete>"));
  EXPECT_TRUE(blanks.quiet);
  ASSERT_EQ(blanks.keys.size(), 2u);
  EXPECT_EQ(blanks.keys[0], " ");
  EXPECT_EQ(blanks.keys[1], "_ _");
}

}  // namespace
}  // namespace confiance::s3::xml
