// File: main/credentials_file.cc
#include "main/credentials_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "iam/credentials.h"

namespace confiance {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return InternalError(what + " " + path + ": " + std::strerror(errno));
}

Status SyncDirectoryOf(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir.string());
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? OkStatus() : Errno("fsync", dir.string());
}

Status WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", path);
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

}  // namespace

Status WriteCredentialsFile(const std::string& path) {
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

  Status status = OkStatus();
  // 0600 at creation (not a chmod after): the secrets are never readable by others.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    status = errno == EEXIST ? AlreadyExistsError(path +
                                                  " already exists: its keys may be in use; remove it first to "
                                                  "make new ones")
                             : Errno("create", path);
  } else {
    status = WriteAll(fd, text, path);
    if (status.ok() && ::fsync(fd) != 0) status = Errno("fsync", path);
    if (::close(fd) != 0 && status.ok()) status = Errno("close", path);
    if (status.ok()) status = SyncDirectoryOf(path);
    if (!status.ok()) ::unlink(path.c_str());
  }
  OPENSSL_cleanse(text.data(), text.size());
  return status;
}

}  // namespace confiance
