// File: s3/xml/xml_text.h
// What the request-document parsers of this folder share.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace confiance::s3::xml {

// The error every parser returns for a document it cannot accept; the S3
// layer answers it as MalformedXML.
inline Status MalformedXml(std::string what) { return InvalidArgumentError("MalformedXML: " + std::move(what)); }

// `s` without the XML white space (space, tab, CR, LF) around it, as S3
// reads element text.
inline std::string_view TrimXmlSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// The only child `name` of `parent` (an empty node when absent);
// MalformedXML when it is repeated, as S3 refuses a repeated element.
inline Result<pugi::xml_node> OnlyChild(pugi::xml_node parent, const char* name) {
  pugi::xml_node first = parent.child(name);
  if (first && first.next_sibling(name)) return MalformedXml(std::string("repeated ") + name);
  return first;
}

}  // namespace confiance::s3::xml
