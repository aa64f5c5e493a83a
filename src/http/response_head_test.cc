// File: http/response_head_test.cc
#include "http/response_head.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <random>
#include <string>

#include "tests/testutil/status_matchers.h"

namespace confiance::http {
namespace {

TEST(HttpResponseHeadTest, HttpDate) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110 example
  EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(HttpDate(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(HttpDate(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
}

// The hand-written formatter against the C library's, in the C locale.
TEST(HttpResponseHeadTest, HttpDateMatchesStrftime) {
  std::mt19937_64 rng(20261203);
  std::uniform_int_distribution<int64_t> secs(-2208988800, 7258118400);  // 1900 to 2200
  for (int i = 0; i < 20000; ++i) {
    const std::time_t t = static_cast<std::time_t>(i < 1000 ? i * 86399 : secs(rng));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ASSERT_EQ(HttpDate(t), std::string(buf)) << t;
  }
}

// Whatever their case, the headers the layer writes itself are dropped from
// the handler's; names of the same length are kept.
TEST(HttpResponseHeadTest, OwnedHeadersAreDroppedWhateverTheirCase) {
  std::vector<Header> headers = {{"DATE", "x"},         {"server", "x"},         {"CONNECTION", "x"},
                                 {"content-LENGTH", "x"}, {"transfer-encoding", "x"}, {"Data", "kept1"},
                                 {"Serves", "kept2"},    {"Connected!", "kept3"}};
  ResponseHead head;
  head.status = 200;
  head.headers = headers;
  std::string out;
  ASSERT_OK(FormatResponseHead(head, out));
  EXPECT_EQ(out.find(": x\r\n"), std::string::npos) << out;
  for (const char* kept : {"Data: kept1\r\n", "Serves: kept2\r\n", "Connected!: kept3\r\n"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept;
  }
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
  for (std::string value : {std::string("a\rb"), std::string("a\nb"), std::string("a\0b", 3), std::string("ab\n")}) {
    std::vector<Header> one = {{"X-A", value}};
    head.headers = one;
    EXPECT_STATUS_CODE(FormatResponseHead(head, out), kInvalidArgument) << value.size();
  }
  head.headers = {};
  head.status = 42;
  EXPECT_STATUS_CODE(FormatResponseHead(head, out), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::http
