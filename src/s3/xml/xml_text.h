// File: s3/xml/xml_text.h
// What the request-document parsers of this folder share.
#pragma once

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

}  // namespace confiance::s3::xml
