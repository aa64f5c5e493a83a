// File: s3/form_data.h
// FormDataParser: an incremental multipart/form-data reader (RFC 7578 over
// RFC 2046) for browser POST uploads. The caller pushes body bytes in and
// pulls events out; part contents come out as views of a fixed buffer, so
// memory stays bounded whatever the size of a part (the file of a POST
// object is streamed, never held).
//
// Usage:
//   FormDataParser p(boundary);
//   for (;;) {
//     Result<FormDataParser::Event> e = p.Next();
//     kNeedInput: read into p.InputSpace(), then p.Commit(n), or
//                 p.CloseInput() at the end of the body;
//     kPartBegin: p.part() has the part's name, filename, Content-Type;
//     kData:      p.data() is the next piece of the current part;
//     kPartEnd:   the current part is complete;
//     kEnd:       the close delimiter was read (the epilogue is ignored).
//   }
// Errors (InvalidArgument, with a message fit for the client): no opening
// delimiter, a part whose header block exceeds the limit or lacks
// Content-Disposition: form-data with a name, a malformed header line, a
// body that ends before the close delimiter.
//
// Thread-safety: one thread at a time. Not movable (it keeps a searcher
// over its own delimiter).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::s3 {

class FormDataParser {
 public:
  enum class Event { kNeedInput, kPartBegin, kData, kPartEnd, kEnd };

  struct Part {
    std::string name;          // form field name, as sent
    std::optional<std::string> filename;  // set when the disposition has one
    std::string content_type;  // the part's Content-Type ("" if absent)
  };

  // RFC 2046 allows boundaries of 1..70 characters; a few more are
  // tolerated, never more than this.
  static constexpr size_t kMaxBoundary = 200;
  static constexpr size_t kMaxPartHeaderBytes = 8192;

  // The boundary parameter of a "multipart/form-data; boundary=..."
  // Content-Type (quoted or not); nullopt for any other media type or a
  // missing, empty or over-long boundary.
  static std::optional<std::string> BoundaryOf(std::string_view content_type);

  // REQUIRES: 1 <= boundary.size() <= kMaxBoundary. `buffer_size` bounds
  // how much input is held (at least what a header block and a delimiter
  // need).
  explicit FormDataParser(std::string_view boundary, size_t buffer_size = 64 * 1024);
  FormDataParser(const FormDataParser&) = delete;
  FormDataParser& operator=(const FormDataParser&) = delete;

  // The next event; see the file comment. After an error, every later call
  // returns the same error.
  Result<Event> Next();

  // Where to put more input; never empty after Next() returned kNeedInput.
  std::span<char> InputSpace();
  // Marks `n` bytes of InputSpace() as filled. REQUIRES: n <= its size.
  void Commit(size_t n);
  // No more input will come.
  void CloseInput() { input_closed_ = true; }

  // The current part (valid from kPartBegin until the next kPartBegin).
  const Part& part() const { return part_; }
  // The bytes of the last kData event; the view is valid until the next
  // call of Next() or InputSpace().
  std::string_view data() const { return data_; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kDone, kFailed };

  Result<Event> Fail(std::string_view message);
  std::string_view Buffered() const { return {buf_.data() + begin_, end_ - begin_}; }
  // Offset of the delimiter in Buffered(), or npos.
  size_t FindDelimiter() const;
  Status ParseHeaders(std::string_view block);

  std::string delimiter_;  // "\r\n--" + boundary
  std::boyer_moore_horspool_searcher<std::string::const_iterator> searcher_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool input_closed_ = false;
  State state_ = State::kPreamble;
  Status error_;
  Part part_;
  std::string_view data_;
};

}  // namespace confiance::s3
