// File: s3/xml/xml_writer.cc
#include "s3/xml/xml_writer.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/iso8601.h"

namespace confiance::s3::xml {

namespace {

// Characters that AppendEscaped rewrites: markup, quotes, and controls other
// than tab and newline. A table: one load per character.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = c != '\t' && c != '\n';
  for (unsigned char c : {'&', '<', '>', '"', '\''}) t[c] = true;
  return t;
}();

}  // namespace

bool NeedsEscaping(std::string_view text) {
  const char* p = text.data();
  size_t n = text.size();
#if defined(__SSE2__)
  // Sixteen bytes per step: a listing checks every key and ETag, and the
  // table loop cost about seven instructions per character.
  if (n >= 16) {
    const __m128i controls = _mm_set1_epi8(0x1F);
    auto any = [&](const char* at) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      // A byte of at most 0x1F (unsigned) is its own minimum with 0x1F;
      // tab and newline are the two controls written as they are.
      const __m128i control = _mm_andnot_si128(
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))),
          _mm_cmpeq_epi8(_mm_min_epu8(x, controls), x));
      const __m128i markup = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('&')), _mm_cmpeq_epi8(x, _mm_set1_epi8('<'))),
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('>')), _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
                       _mm_cmpeq_epi8(x, _mm_set1_epi8('\''))));
      return _mm_movemask_epi8(_mm_or_si128(control, markup)) != 0;
    };
    for (; n >= 16; p += 16, n -= 16) {
      if (any(p)) return true;
    }
    // The last few bytes within a final, overlapping block.
    return n > 0 && any(p + n - 16);
  }
#endif
  for (; n > 0; ++p, --n) {
    if (kNeedsEscape[static_cast<unsigned char>(*p)]) return true;
  }
  return false;
}

namespace {

// The longest any character becomes ("&quot;", "&#x1F;").
constexpr size_t kMaxEscapedChar = 6;

// `text` escaped at `out`, which has room for kMaxEscapedChar bytes per
// character of `text`; returns the end of what it wrote. The one escaping
// loop: AppendEscaped and XmlWriter both write through it.
char* WriteEscaped(char* out, std::string_view text) {
  auto put = [&out](std::string_view s) {
    std::memcpy(out, s.data(), s.size());
    out += s.size();
  };
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!kNeedsEscape[u]) {
      *out++ = c;
      continue;
    }
    switch (u) {
      case '&': put("&amp;"); break;
      case '<': put("&lt;"); break;
      case '>': put("&gt;"); break;
      case '"': put("&quot;"); break;
      case '\'': put("&apos;"); break;
      case '\r': put("&#xD;"); break;  // a bare CR would be normalised away by parsers
      default: {
        constexpr char kHex[] = "0123456789ABCDEF";
        put("&#x");
        if (u >= 0x10) *out++ = kHex[u >> 4];
        *out++ = kHex[u & 0xF];
        *out++ = ';';
      }
    }
  }
  return out;
}

}  // namespace

void AppendEscaped(std::string& out, std::string_view text) {
  const size_t at = out.size();
  out.resize(at + kMaxEscapedChar * text.size());
  out.resize(static_cast<size_t>(WriteEscaped(out.data() + at, text) - out.data()));
}

XmlWriter::XmlWriter() { Markup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"); }

void XmlWriter::Grow(size_t n) {
  out_.resize(std::max(len_ + n, std::max<size_t>(2 * out_.size(), 256)));
}

void XmlWriter::Reserve(size_t bytes) {
  if (out_.size() < bytes) out_.resize(bytes);
}

void XmlWriter::PutEscaped(std::string_view text) {
  if (!NeedsEscaping(text)) return Put(text);
  char* const start = Room(kMaxEscapedChar * text.size());
  len_ += static_cast<size_t>(WriteEscaped(start, text) - start);
}

XmlWriter& XmlWriter::OpenRoot(std::string_view name) {
  Put("<");
  open_.emplace_back(len_, name.size());
  Put(name);
  Markup(" xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
  return *this;
}

XmlWriter& XmlWriter::Open(std::string_view name) {
  Put("<");
  open_.emplace_back(len_, name.size());
  Put(name);
  Put(">");
  return *this;
}

XmlWriter& XmlWriter::Open(std::string_view name, std::initializer_list<XmlAttribute> attributes) {
  Put("<");
  open_.emplace_back(len_, name.size());
  Put(name);
  for (const XmlAttribute& a : attributes) {
    Put(" ");
    Put(a.name);
    Put("=\"");
    PutEscaped(a.value);
    Put("\"");
  }
  Put(">");
  return *this;
}

XmlWriter& XmlWriter::Close() {
  if (open_.empty()) return *this;
  const auto [at, size] = open_.back();
  open_.pop_back();
  // The name is copied from earlier in the buffer: make room first, since
  // growing moves the buffer.
  char* p = Room(size + 3);
  *p++ = '<';
  *p++ = '/';
  std::memcpy(p, out_.data() + at, size);
  p[size] = '>';
  len_ += size + 3;
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, std::string_view text) {
  return EscapedElement(name, "", text, "");
}

XmlWriter& XmlWriter::QuotedElement(std::string_view name, std::string_view text) {
  return EscapedElement(name, "&quot;", text, "&quot;");
}

XmlWriter& XmlWriter::EscapedElement(std::string_view name, std::string_view before, std::string_view text,
                                     std::string_view after) {
  if (!NeedsEscaping(text)) return AppendElement(name, before, text, after);
  Put("<");
  Put(name);
  Put(">");
  Put(before);
  PutEscaped(text);
  Put(after);
  Put("</");
  Put(name);
  Put(">");
  return *this;
}

XmlWriter& XmlWriter::PlainElement(std::string_view name, std::string_view text) {
  assert(!NeedsEscaping(text));
  return AppendElement(name, "", text, "");
}

XmlWriter& XmlWriter::AppendElement(std::string_view name, std::string_view before, std::string_view text,
                                    std::string_view after) {
  // One check for room, then plain copies.
  const size_t n = 2 * name.size() + 5 + before.size() + text.size() + after.size();
  char* p = Room(n);
  auto put = [&p](std::string_view piece) {
    if (piece.empty()) return;
    std::memcpy(p, piece.data(), piece.size());
    p += piece.size();
  };
  *p++ = '<';
  put(name);
  *p++ = '>';
  put(before);
  put(text);
  put(after);
  *p++ = '<';
  *p++ = '/';
  put(name);
  *p++ = '>';
  len_ += n;
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, uint64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return PlainElement(name, std::string_view(digits, static_cast<size_t>(end - digits)));
}

XmlWriter& XmlWriter::BoolElement(std::string_view name, bool value) {
  return Element(name, value ? std::string_view("true") : std::string_view("false"));
}

XmlWriter& XmlWriter::Text(std::string_view text) {
  PutEscaped(text);
  return *this;
}

XmlWriter& XmlWriter::Number(uint64_t value) {
  char* p = Room(20);  // UINT64_MAX has 20 digits
  len_ += static_cast<size_t>(std::to_chars(p, p + 20, value).ptr - p);
  return *this;
}

XmlWriter& XmlWriter::UtcMs(int64_t ms) {
  char* p = Room(kMaxUtcMsText);
  len_ += static_cast<size_t>(WriteUtcMs(p, ms) - p);
  return *this;
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  out_.resize(len_);
  len_ = 0;
  return std::move(out_);
}

}  // namespace confiance::s3::xml
