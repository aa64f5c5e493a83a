// File: s3/xml/xml_writer.h
// XmlWriter: builds the small XML documents S3 answers with, escaping every
// text value. Output is appended to a string the writer owns; elements are
// written in call order (no DOM), which keeps list responses cheap.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
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

  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace confiance::s3::xml
