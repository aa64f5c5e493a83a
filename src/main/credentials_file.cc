// File: main/credentials_file.cc
#include "main/credentials_file.h"

#include <openssl/crypto.h>

#include "crypto/owner_only_file.h"
#include "iam/credentials.h"

namespace confiance {

Status WriteCredentialsFile(Env& env, const std::string& path) {
  ASSIGN_OR_RETURN(iam::NewAccessKey root, iam::GenerateAccessKey());
  ASSIGN_OR_RETURN(iam::NewAccessKey op, iam::GenerateAccessKey());
  // Appended into one buffer reserved up front: no temporary string or
  // reallocation leaves a copy of a secret behind unwiped.
  std::string text;
  text.reserve(1024);
  text.append(
          "# Confiance: the root credentials of tenant 'default' and of operator 'operator'\n"
          "# (docs/operations.md). The server takes them at its start; keep this file mode 0600.\n")
      .append("CONFIANCE_ROOT_ACCESS_KEY=")
      .append(root.access_key_id)
      .append("\nCONFIANCE_ROOT_SECRET_KEY=")
      .append(root.secret)
      .append("\nCONFIANCE_OPERATOR_ACCESS_KEY=")
      .append(op.access_key_id)
      .append("\nCONFIANCE_OPERATOR_SECRET_KEY=")
      .append(op.secret)
      .append("\n");
  OPENSSL_cleanse(root.secret.data(), root.secret.size());
  OPENSSL_cleanse(op.secret.data(), op.secret.size());

  Status status = crypto::CreateOwnerOnlyFile(env, path, text);
  if (status.code() == StatusCode::kAlreadyExists) {
    status = AlreadyExistsError(path + " already exists: its keys may be in use; remove it first to make new ones");
  }
  OPENSSL_cleanse(text.data(), text.size());
  return status;
}

}  // namespace confiance
