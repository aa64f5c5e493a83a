// File: s3/xml/xml_writer.cc
#include "s3/xml/xml_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstring>

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
  for (char c : text) {
    if (kNeedsEscape[static_cast<unsigned char>(c)]) return true;
  }
  return false;
}

void AppendEscaped(std::string& out, std::string_view text) {
  // Runs of plain characters are appended whole (keys and ETags are mostly
  // plain; a listing escapes thousands of them).
  size_t plain = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char u = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[u]) continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (u) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#xD;"; break;  // a bare CR would be normalised away by parsers
      default: out += fmt::format("&#x{:X};", static_cast<unsigned>(u));
    }
  }
  out.append(text.data() + plain, text.size() - plain);
}

XmlWriter::XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

XmlWriter& XmlWriter::OpenRoot(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Open(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Open(std::string_view name, std::initializer_list<XmlAttribute> attributes) {
  out_ += '<';
  out_ += name;
  for (const XmlAttribute& a : attributes) {
    out_ += ' ';
    out_ += a.name;
    out_ += "=\"";
    AppendEscaped(out_, a.value);
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Close() {
  if (open_.empty()) return *this;
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
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
  out_ += '<';
  out_ += name;
  out_ += '>';
  out_ += before;
  AppendEscaped(out_, text);
  out_ += after;
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::PlainElement(std::string_view name, std::string_view text) {
  assert(!NeedsEscaping(text));
  return AppendElement(name, "", text, "");
}

XmlWriter& XmlWriter::AppendElement(std::string_view name, std::string_view before, std::string_view text,
                                    std::string_view after) {
  // One growth of the buffer, then plain copies: a listing writes six
  // elements per key, and appending piece by piece cost more than the text.
  const size_t at = out_.size();
  out_.resize(at + 2 * name.size() + 5 + before.size() + text.size() + after.size());
  char* p = out_.data() + at;
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
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, uint64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return PlainElement(name, std::string_view(digits, static_cast<size_t>(end - digits)));
}

void XmlWriter::Reserve(size_t bytes) { out_.reserve(bytes); }

XmlWriter& XmlWriter::BoolElement(std::string_view name, bool value) {
  return Element(name, value ? std::string_view("true") : std::string_view("false"));
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace confiance::s3::xml
