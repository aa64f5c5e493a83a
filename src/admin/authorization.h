// File: admin/authorization.h
// Who may call which admin operation (docs/tenancy.md). Pure: the caller's
// principal and the route decide; no I/O.
//
//   operator principal     every admin operation
//   tenant root            WhoAmI; GetTenant of its own tenant; users,
//                          access keys and identity policies under its own
//                          tenant. Never: create, list, modify or delete
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

}  // namespace confiance::admin
