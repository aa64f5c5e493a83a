// File: s3/extra_headers_writer.cc
#include "s3/extra_headers_writer.h"

namespace confiance::s3 {

void ExtraHeadersWriter::Add(std::vector<http::Header> headers) {
  for (http::Header& h : headers) extra_.push_back(std::move(h));
}

asio::awaitable<Status> ExtraHeadersWriter::Start(int status, std::span<const http::Header> headers,
                                                  std::optional<uint64_t> content_length) {
  if (extra_.empty()) co_return co_await inner_.Start(status, headers, content_length);
  std::vector<http::Header> all(headers.begin(), headers.end());
  all.insert(all.end(), extra_.begin(), extra_.end());
  co_return co_await inner_.Start(status, all, content_length);
}

}  // namespace confiance::s3
