// File: fuzz/aws_chunked_fuzz.cc
// libFuzzer target for the aws-chunked ChunkedDecoder. The first byte picks
// the payload mode and the slice size; the rest is the body, fed in slices
// through a small output buffer. Nothing may crash or overrun; the decoder
// never produces more bytes than it consumed, and a successful Finish()
// implies the decoded byte count matches what was produced.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "s3/sigv4/chunked_decoder.h"
#include "s3/sigv4/errors.h"

using namespace confiance::sigv4;  // NOLINT: fuzz driver

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const PayloadMode kModes[] = {PayloadMode::kStreamingSigned,
                                       PayloadMode::kStreamingSignedTrailer,
                                       PayloadMode::kStreamingUnsignedTrailer};
  AuthContext ctx;
  ctx.scope = {"20130524", "us-east-1", "s3"};
  ctx.amz_date = "20130524T000000Z";
  ctx.signing_key = DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ctx.scope);
  ctx.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  ctx.payload_mode = kModes[data[0] % 3];
  size_t slice = 1 + (data[0] >> 2);
  ChunkedDecoderOptions options;
  options.max_chunk_size = 1 << 16;
  auto dec_or = ChunkedDecoder::Create(ctx, options);
  if (!dec_or.ok()) std::abort();
  ChunkedDecoder dec = std::move(dec_or).value();
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<char> out(13);
  uint64_t produced = 0;
  for (size_t off = 0; off < body.size(); off += slice) {
    std::string_view in = body.substr(off, slice);
    while (!in.empty()) {
      auto p = dec.Feed(in, out);
      if (!p.ok()) {
        if (!ErrorKindOf(p.status()).has_value()) std::abort();
        return 0;
      }
      if (p->consumed > in.size() || p->produced > out.size() || p->produced > p->consumed) {
        std::abort();
      }
      if (p->consumed == 0 && p->produced == 0) std::abort();  // no progress
      produced += p->produced;
      in.remove_prefix(p->consumed);
    }
  }
  confiance::Status st = dec.Finish();
  if (st.ok() && dec.decoded_bytes() != produced) std::abort();
  if (!st.ok() && !ErrorKindOf(st).has_value()) std::abort();
  return 0;
}
