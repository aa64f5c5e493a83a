// File: http/response_head_test.cc
#include "http/response_head.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::http {
namespace {

TEST(HttpResponseHeadTest, HttpDate) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110 example
}

TEST(HttpResponseHeadTest, FramingHeadersAreOwnedByTheLayer) {
  std::vector<Header> headers = {{"ETag", "\"abc\""},
                                 {"content-length", "999"},
                                 {"Connection", "keep-alive"}};
  ResponseHead head;
  head.status = 404;
  head.headers = headers;
  head.content_length = 12;
  head.close = true;
  std::string out;
  ASSERT_OK(FormatResponseHead(head, out));
  EXPECT_EQ(out.rfind("HTTP/1.1 404 Not Found\r\nServer: Confiance\r\nDate: ", 0), 0u);
  EXPECT_NE(out.find("\r\nETag: \"abc\"\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nContent-Length: 12\r\n"), std::string::npos);
  EXPECT_EQ(out.find("999"), std::string::npos);
  EXPECT_EQ(out.find("keep-alive"), std::string::npos);
  EXPECT_NE(out.find("\r\nConnection: close\r\n\r\n"), std::string::npos);
}

TEST(HttpResponseHeadTest, UnknownStatusHasAReason) {
  ResponseHead head;
  head.status = 299;
  std::string out;
  ASSERT_OK(FormatResponseHead(head, out));
  EXPECT_EQ(out.rfind("HTTP/1.1 299 Unknown\r\n", 0), 0u);
}

TEST(HttpResponseHeadTest, Chunked) {
  ResponseHead head;
  head.chunked = true;
  std::string out;
  ASSERT_OK(FormatResponseHead(head, out));
  EXPECT_NE(out.find("\r\nTransfer-Encoding: chunked\r\n\r\n"), std::string::npos);
}

TEST(HttpResponseHeadTest, RejectsResponseSplitting) {
  std::string out;
  std::vector<Header> bad_value = {{"X-A", "x\r\nSet-Cookie: y"}};
  std::vector<Header> bad_name = {{"X A", "x"}};
  ResponseHead head;
  head.headers = bad_value;
  EXPECT_STATUS_CODE(FormatResponseHead(head, out), kInvalidArgument);
  head.headers = bad_name;
  EXPECT_STATUS_CODE(FormatResponseHead(head, out), kInvalidArgument);
  head.headers = {};
  head.status = 42;
  EXPECT_STATUS_CODE(FormatResponseHead(head, out), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::http
