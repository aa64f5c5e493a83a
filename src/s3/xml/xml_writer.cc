// File: s3/xml/xml_writer.cc
#include "s3/xml/xml_writer.h"

#include <fmt/format.h>

namespace confiance::s3::xml {

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += fmt::format("&#x{:X};", static_cast<unsigned>(u));
        } else if (c == '\r') {
          out += "&#xD;";  // a bare CR would be normalised away by parsers
        } else {
          out += c;
        }
      }
    }
  }
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
  out_ += '<';
  out_ += name;
  out_ += '>';
  AppendEscaped(out_, text);
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, uint64_t value) {
  return Element(name, std::string_view(fmt::format("{}", value)));
}

XmlWriter& XmlWriter::BoolElement(std::string_view name, bool value) {
  return Element(name, value ? std::string_view("true") : std::string_view("false"));
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace confiance::s3::xml
