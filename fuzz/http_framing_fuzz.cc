// File: fuzz/http_framing_fuzz.cc
// libFuzzer target: Beast's request parser configured exactly as
// http/connection.cc configures it (header limit, no body limit, header
// count, buffer_body streaming into a small buffer), fed arbitrary bytes
// in arbitrary pieces, over several keep-alive requests.
//
// Built like confiance_http, with BOOST_DISABLE_ASSERTS: Beast 1.74 has a
// debug assertion in basic_parser::parse_chunk_header that peer bytes can
// trip (seed: a final chunk followed by a malformed trailer, e.g.
// "0\r\nabc\r#EEEE0\r\n\r\n"); with asserts off it stays memory-safe
// under ASan, and the fuzzer keeps looking for real faults.
#ifndef BOOST_DISABLE_ASSERTS
#define BOOST_DISABLE_ASSERTS
#endif
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>

#include "http/server.h"

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const confiance::http::ServerOptions options;
  // The first byte picks the piece size, so that every header and chunk
  // boundary is also tried split across reads.
  const size_t piece = 1 + data[0] % 64;
  ++data;
  --size;

  boost::beast::flat_buffer buffer(options.max_header_bytes + 64 * 1024);
  char body[1024];
  size_t fed = 0;
  for (int request = 0; request < 8; ++request) {
    bhttp::request_parser<bhttp::buffer_body> parser;
    parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    while (!parser.is_done()) {
      if (parser.is_header_done()) {
        parser.get().body().data = body;
        parser.get().body().size = sizeof(body);
      }
      boost::system::error_code ec;
      size_t used = buffer.size() == 0 ? 0 : parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec && ec != bhttp::error::need_more) return 0;  // 400/431 and close
      if (parser.is_header_done()) {
        const auto& fields = parser.get().base();
        if (static_cast<size_t>(std::distance(fields.begin(), fields.end())) >
            options.max_header_count) {
          return 0;  // 431
        }
      }
      if (used == 0 || ec == bhttp::error::need_more) {
        if (fed == size) return 0;  // EOF mid-message
        size_t n = std::min(piece, size - fed);
        if (buffer.max_size() - buffer.size() < n) return 0;  // 431
        auto dst = buffer.prepare(n);
        std::memcpy(dst.data(), data + fed, n);
        buffer.commit(n);
        fed += n;
      }
    }
    if (!parser.keep_alive()) return 0;
  }
  return 0;
}
