#include "s3/form_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace confiance::s3 {
namespace {

struct ParsedPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string body;
  bool complete = false;
};

struct Parsed {
  std::vector<ParsedPart> parts;
  bool ended = false;
  Status error;
  size_t largest_data = 0;
};

// Feeds `body` to a parser `chunk` bytes at a time and records its events.
Parsed Drive(std::string_view boundary, std::string_view body, size_t chunk, size_t buffer = 64 * 1024) {
  FormDataParser p(boundary, buffer);
  Parsed out;
  size_t fed = 0;
  for (int guard = 0; guard < 10'000'000; ++guard) {
    Result<FormDataParser::Event> ev = p.Next();
    if (!ev.ok()) {
      out.error = ev.status();
      return out;
    }
    switch (*ev) {
      case FormDataParser::Event::kNeedInput: {
        if (fed == body.size()) {
          p.CloseInput();
          break;
        }
        std::span<char> space = p.InputSpace();
        EXPECT_FALSE(space.empty());
        size_t n = std::min({chunk, space.size(), body.size() - fed});
        std::memcpy(space.data(), body.data() + fed, n);
        p.Commit(n);
        fed += n;
        break;
      }
      case FormDataParser::Event::kPartBegin:
        out.parts.push_back({p.part().name, p.part().filename, p.part().content_type, "", false});
        break;
      case FormDataParser::Event::kData:
        out.largest_data = std::max(out.largest_data, p.data().size());
        out.parts.back().body.append(p.data());
        break;
      case FormDataParser::Event::kPartEnd:
        out.parts.back().complete = true;
        break;
      case FormDataParser::Event::kEnd:
        out.ended = true;
        return out;
    }
  }
  ADD_FAILURE() << "parser did not terminate";
  return out;
}

std::string Form(std::string_view boundary, const std::vector<std::pair<std::string, std::string>>& fields,
                 std::string_view file) {
  std::string b;
  for (const auto& [name, value] : fields) {
    b += "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n";
    b += value + "\r\n";
  }
  b += "--" + std::string(boundary) +
       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\n"
       "Content-Type: text/plain\r\n\r\n";
  b += std::string(file) + "\r\n--" + std::string(boundary) + "--\r\n";
  return b;
}

TEST(FormDataTest, BoundaryOf) {
  EXPECT_EQ(FormDataParser::BoundaryOf("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(FormDataParser::BoundaryOf("Multipart/Form-Data;boundary=\"a;b c\""), "a;b c");
  EXPECT_EQ(FormDataParser::BoundaryOf("multipart/form-data; charset=utf-8; BOUNDARY=x"), "x");
  EXPECT_EQ(FormDataParser::BoundaryOf("multipart/form-data"), std::nullopt);
  EXPECT_EQ(FormDataParser::BoundaryOf("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(FormDataParser::BoundaryOf("multipart/mixed; boundary=abc"), std::nullopt);
  EXPECT_EQ(FormDataParser::BoundaryOf("application/x-www-form-urlencoded"), std::nullopt);
  EXPECT_EQ(FormDataParser::BoundaryOf("multipart/form-data; boundary=" + std::string(201, 'a')), std::nullopt);
}

TEST(FormDataTest, FieldsAndFileWhateverTheChunking) {
  // The file holds near-delimiters: CRLF, "--", a boundary prefix.
  const std::string file = "line1\r\nline2\r\n--\r\n--bou\r\n--boundar\r\nend";
  const std::string body = Form("boundary", {{"key", "k/${filename}"}, {"x-amz-meta-a", "v\r\nw"}}, file);
  for (size_t chunk : {1, 2, 3, 7, 64, 100000}) {
    SCOPED_TRACE(chunk);
    Parsed p = Drive("boundary", body, chunk);
    ASSERT_TRUE(p.error.ok()) << p.error.ToString();
    ASSERT_TRUE(p.ended);
    ASSERT_EQ(p.parts.size(), 3u);
    EXPECT_EQ(p.parts[0].name, "key");
    EXPECT_EQ(p.parts[0].body, "k/${filename}");
    EXPECT_FALSE(p.parts[0].filename.has_value());
    EXPECT_EQ(p.parts[1].body, "v\r\nw");
    EXPECT_EQ(p.parts[2].name, "file");
    EXPECT_EQ(p.parts[2].filename, "a b.txt");
    EXPECT_EQ(p.parts[2].content_type, "text/plain");
    EXPECT_EQ(p.parts[2].body, file);
    for (const ParsedPart& part : p.parts) EXPECT_TRUE(part.complete);
  }
}

TEST(FormDataTest, PreamblePaddingEpilogueAndEmptyHeaders) {
  std::string body =
      "preamble text\r\n--xy  \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
      "--xy\r\nContent-Disposition: form-data; name=\"q\\\"uote\"; filename=\"\"\r\n\r\n\r\n"
      "--xy--\r\nepilogue --xy garbage";
  Parsed p = Drive("xy", body, 5);
  ASSERT_TRUE(p.error.ok()) << p.error.ToString();
  ASSERT_TRUE(p.ended);
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(p.parts[0].name, "a");
  EXPECT_EQ(p.parts[0].body, "1");
  EXPECT_EQ(p.parts[1].name, "q\"uote");
  EXPECT_EQ(p.parts[1].filename, "");
  EXPECT_EQ(p.parts[1].body, "");
}

TEST(FormDataTest, LargeFileStreamsThroughABoundedBuffer) {
  std::string file(3 << 20, '\0');
  for (size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>("\r\n-xb"[i * 7919 % 5]);
  const std::string body = Form("b", {{"key", "k"}}, file);
  Parsed p = Drive("b", body, 100000, 16 * 1024);
  ASSERT_TRUE(p.error.ok()) << p.error.ToString();
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(p.parts[1].body, file);
  EXPECT_LE(p.largest_data, 16 * 1024u);
}

TEST(FormDataTest, Errors) {
  // No opening boundary.
  EXPECT_FALSE(Drive("b", "just text", 4).error.ok());
  // Truncated in a part's body, in its headers, after a delimiter.
  std::string whole = Form("b", {{"key", "k"}}, "data");
  for (size_t cut : {whole.size() - 3, whole.size() - 20, size_t{5}, size_t{20}}) {
    Parsed p = Drive("b", whole.substr(0, cut), 3);
    EXPECT_FALSE(p.error.ok()) << cut;
    EXPECT_FALSE(p.ended);
  }
  // A part without Content-Disposition, or without a name.
  EXPECT_FALSE(Drive("b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", 3).error.ok());
  EXPECT_FALSE(Drive("b", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", 3).error.ok());
  EXPECT_FALSE(Drive("b", "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--", 3).error.ok());
  // A header line without a colon.
  EXPECT_FALSE(Drive("b", "--b\r\nContent-Disposition: form-data; name=a\r\nbogus\r\n\r\nx\r\n--b--", 3).error.ok());
  // Garbage after a delimiter.
  EXPECT_FALSE(Drive("b", "--bxyz\r\n", 3).error.ok());
  // A header block over the limit is refused before it is buffered whole.
  std::string big = "--b\r\nContent-Disposition: form-data; name=a\r\nX-Pad: " +
                    std::string(FormDataParser::kMaxPartHeaderBytes, 'p') + "\r\n\r\nx\r\n--b--";
  Parsed p = Drive("b", big, 1000);
  EXPECT_FALSE(p.error.ok());
  // An error sticks.
  FormDataParser parser("b");
  std::span<char> space = parser.InputSpace();
  std::memcpy(space.data(), "--bZZ", 5);
  parser.Commit(5);
  EXPECT_FALSE(parser.Next().ok());
  EXPECT_FALSE(parser.Next().ok());
}

}  // namespace
}  // namespace confiance::s3
