// File: s3/xml/xml_writer.h
// XmlWriter: builds the small XML documents S3 answers with, escaping every
// text value. Output is appended to a string the writer owns; elements are
// written in call order (no DOM), which keeps list responses cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace confiance::s3::xml {

// Escapes &, <, >, ", ' and characters XML 1.0 cannot carry (control bytes
// other than tab/newline/CR become &#xN; references, which S3 also emits).
void AppendEscaped(std::string& out, std::string_view text);
// True if AppendEscaped would rewrite any character of `text`.
bool NeedsEscaping(std::string_view text);

// One attribute of an element, written name="value" (value escaped).
struct XmlAttribute {
  std::string_view name;
  std::string_view value;
};

class XmlWriter {
 public:
  // Starts a document with the XML declaration.
  XmlWriter();

  // <name xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  XmlWriter& OpenRoot(std::string_view name);
  XmlWriter& Open(std::string_view name);
  // <name a="1" b="2">, attributes in the order given.
  XmlWriter& Open(std::string_view name, std::initializer_list<XmlAttribute> attributes);
  XmlWriter& Close();  // closes the innermost open element
  XmlWriter& Element(std::string_view name, std::string_view text);
  XmlWriter& Element(std::string_view name, uint64_t value);
  XmlWriter& BoolElement(std::string_view name, bool value);
  // <name>text</name> with `text` written as is: only for text made by the
  // server that holds no character AppendEscaped rewrites (a formatted time,
  // a constant). Checked by assert in debug builds.
  XmlWriter& PlainElement(std::string_view name, std::string_view text);
  // <name>&quot;text&quot;</name>: text between escaped double quotes, as S3
  // writes ETags.
  XmlWriter& QuotedElement(std::string_view name, std::string_view text);

  // Pieces of an element the caller assembles itself, for documents that
  // repeat one shape thousands of times (a listing's <Contents>): no name
  // is remembered, so the caller writes the closing tags too.
  //
  // A string literal of markup ("<Contents><Key>"), copied as is; its
  // length is known at compile time, so the copy is a few moves.
  template <size_t N>
  XmlWriter& Markup(const char (&literal)[N]) {
    static_assert(N > 0);
    std::memcpy(Room(N - 1), literal, N - 1);
    len_ += N - 1;
    return *this;
  }
  XmlWriter& Text(std::string_view text);  // escaped
  XmlWriter& Number(uint64_t value);       // decimal
  XmlWriter& UtcMs(int64_t ms);            // "2026-11-30T12:34:56.789Z"

  // Room for a document of about `bytes` (a listing knows its entry count).
  void Reserve(size_t bytes);

  // Closes every open element and returns the document.
  std::string Finish();

 private:
  // <name>, before, text escaped, after, </name>.
  XmlWriter& EscapedElement(std::string_view name, std::string_view before, std::string_view text,
                            std::string_view after);
  // <name>, before, text, after, </name>, all copied as they are.
  XmlWriter& AppendElement(std::string_view name, std::string_view before, std::string_view text,
                           std::string_view after);
  void Put(std::string_view piece) {
    if (piece.empty()) return;
    std::memcpy(Room(piece.size()), piece.data(), piece.size());
    len_ += piece.size();
  }
  void PutEscaped(std::string_view text);
  // Where the next `n` bytes go: out_ grows first if it has less room.
  // The pointer is valid until the next call that may grow out_.
  char* Room(size_t n) {
    if (out_.size() - len_ < n) Grow(n);
    return out_.data() + len_;
  }
  void Grow(size_t n);

  // out_[0, len_) is the document so far; the rest of out_ is room, grown
  // geometrically so that an append is a copy, not a resize of the string.
  std::string out_;
  size_t len_ = 0;
  // Each open element's name, as where it sits in out_ (just after its
  // '<'): no string is built per element.
  std::vector<std::pair<size_t, size_t>> open_;
};

}  // namespace confiance::s3::xml
