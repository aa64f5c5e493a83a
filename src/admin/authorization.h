// File: admin/authorization.h
// Who may call which admin operation (docs/tenancy.md). Pure: the caller's
// principal and the route decide; no I/O.
//
//   operator principal     tenants (create with the root's first key, list,
//                          show, suspend/resume, set quotas, delete, usage),
//                          users (create with a first key, list, show,
//                          delete), access keys (list, disable, delete),
//                          identity policies (list, get), operators, whoami,
//                          a tenant key's state (not its policy, nor its
//                          destruction: the tenant's decisions);
//                          operators (create); the embedded root key's
//                          rotation (start, progress); the lockbox: its own access
//                          requests (create, list, show, cancel/revoke),
//                          co-signing break-glass requests, a tenant's
//                          maximum approval (read). Never approve or deny.
//                          Never anything that gives a principal access to
//                          tenant data: no identity policy put or delete, no
//                          additional access key, no re-enabling of a key
//                          (the operator may have seen its secret).
//   tenant root            WhoAmI; GetTenant of its own tenant; users,
//                          access keys and identity policies under its own
//                          tenant; its tenant key (state, key policy,
//                          destruction); its tenant's access requests
//                          (list, show, approve, deny, revoke) and maximum
//                          approval. Never: create, list, modify or delete
//                          tenants, list operators, or anything under
//                          another tenant.
//   tenant user (not root) nothing
//
// The tenant's status (suspended or not) is checked by the caller, which
// has the tenant record.
#pragma once

#include "admin/admin_router.h"
#include "common/status.h"
#include "iam/credentials.h"

namespace confiance::admin {

// OK if `caller` may perform `route`; PermissionDenied (with a sentence
// saying why) otherwise.
Status AuthorizeAdmin(const iam::Principal& caller, const AdminRoute& route);

// The part of the rule that depends on the request body: OK if `caller`,
// already allowed UpdateAccessKey by AuthorizeAdmin, may set a key to
// `active`; PermissionDenied for an operator activating a key.
Status AuthorizeKeyStatusChange(const iam::Principal& caller, bool active);

}  // namespace confiance::admin
