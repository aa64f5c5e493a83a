// File: main/service_put.h
// PutAsService: one PutObject made in this process by a service of the
// server acting for a tenant (s3::ServicePrincipal; server access log
// delivery, main/access_log_delivery.h). The request goes through
// S3Service::Handle like any other, on a private io_context run by the
// calling thread, which therefore blocks until the answer: call it from a
// background thread, never a network thread.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "s3/s3_service.h"

namespace confiance {

// The HTTP status S3 answered, and the S3 error code of an error answer in
// `*error_code` ("" for a success). `headers`: the request's, besides its
// Content-Length (Content-Type text/plain when they have none).
Result<int> PutAsService(s3::S3Service& service, const s3::ServicePrincipal& caller, const std::string& bucket,
                         const std::string& key, const std::string& body, std::string* error_code,
                         const std::vector<http::Header>& headers = {});

}  // namespace confiance
