// File: s3/s3_context.h
// S3Service::Ctx: everything one request's handlers share. Private to the
// s3 folder's .cc files.
#pragma once

#include <string>

#include "s3/s3_service.h"

namespace confiance::s3 {

struct S3Service::Ctx {
  http::Request& req;
  http::BodyReader& body;
  http::ResponseWriter& resp;
  std::string request_id;
  Route route;
  std::string resource;  // "/bucket/key", for error documents and logs
  Authenticated auth;
};

// Time formats S3 uses: ISO 8601 with milliseconds in XML, RFC 1123 in
// headers.
std::string IsoTime(uint64_t ms);
std::string HttpDate(uint64_t ms);
uint64_t NowMs();

}  // namespace confiance::s3
