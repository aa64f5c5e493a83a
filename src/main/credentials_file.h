// File: main/credentials_file.h
// `confiance admin generate-credentials FILE`: a fresh root key for tenant
// 'default' and a fresh operator key, written as the environment file the
// systemd unit reads (EnvironmentFile=/etc/confiance/credentials.env):
//
//   CONFIANCE_ROOT_ACCESS_KEY=CF...
//   CONFIANCE_ROOT_SECRET_KEY=...
//   CONFIANCE_OPERATOR_ACCESS_KEY=CF...
//   CONFIANCE_OPERATOR_SECRET_KEY=...
//
// A first start under systemd refuses to generate credentials itself (they
// would be printed into the journal), so the Debian package's postinst, or
// the operator, makes them with this before the first start. The secrets go
// only into the file, never to standard output.
#pragma once

#include <string>

#include "common/env.h"
#include "common/status.h"

namespace confiance {

// Creates `path` with mode 0600 holding the four lines and a comment,
// durably (crypto::CreateOwnerOnlyFile). Never replaces a file, whose keys
// may be in use: AlreadyExists then. The generated secrets are wiped from
// memory before returning.
Status WriteCredentialsFile(Env& env, const std::string& path);

}  // namespace confiance
