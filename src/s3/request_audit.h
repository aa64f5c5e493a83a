// File: s3/request_audit.h
// S3Service::RequestAudit: the AccessRecorder of one S3 request. It turns
// the request and the response about to be sent into an audit::Event and
// appends it to the transparency log of the tenant whose data the request
// touches (docs/audit-log.md, "Which log"):
//   - the named bucket's owner, when the bucket exists (cross-tenant and
//     anonymous requests land in the owner's log: the owner sees every
//     access to its data, refused ones included);
//   - else the authenticated requester's tenant (ListBuckets, CreateBucket
//     of a name that does not exist, requests naming a missing bucket);
//   - else the operator log (unauthenticated requests naming no existing
//     bucket: no tenant's data was reached).
// A copy whose source bucket belongs to another tenant is also recorded in
// that tenant's log, under the source's bucket and key. A DeleteObjects
// request also has one entry per key it named, after its own, with that
// key's outcome (S3's server access log has one line per key as well). A request signed
// with an operator key (the lockbox) also goes to the operator log, with
// the approval id that let it through, if any.
// Private to the s3 folder's .cc files.
#pragma once

#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "s3/audited_response_writer.h"
#include "s3/s3_context.h"

namespace confiance::s3 {

class S3Service::RequestAudit final : public AccessRecorder {
 public:
  RequestAudit(S3Service& service, audit::AuditLog& log) : service_(service), log_(log) {}
  // REQUIRES: called before the handler runs; `ctx` outlives this object's use.
  void Bind(Ctx& ctx) { ctx_ = &ctx; }

  asio::awaitable<Status> Record(int status, std::optional<uint64_t> content_length) override;
  std::string RefusalDocument(const Status& error) override;

  // The tenant whose log gets the event; "" for the operator log. May read
  // the bucket record (handlers that did not resolve it): call once.
  std::string LogTenant() const;
  // The event for a response of `status`.
  audit::Event MakeEvent(int status, std::optional<uint64_t> content_length) const;
  // A DeleteObjects request's entry per key (Ctx::key_outcomes): the
  // request's event naming the key, the version removed and the key's own
  // outcome. Empty for any other request.
  std::vector<audit::Event> KeyEvents(const audit::Event& request) const;

 private:
  S3Service& service_;
  audit::AuditLog& log_;
  Ctx* ctx_ = nullptr;
};

}  // namespace confiance::s3
