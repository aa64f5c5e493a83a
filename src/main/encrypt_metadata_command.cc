// File: main/encrypt_metadata_command.cc
#include "main/encrypt_metadata_command.h"

#include <cstdio>

#include "main/data_dir.h"
#include "main/metadata_encryption.h"
#include "main/offline_audit.h"

namespace confiance {

int RunEncryptMetadata(const std::string& data, bool new_key, const KmsOptions& kms) {
  Env& env = *Env::Default();
  auto fail = [&](const Status& s) {
    std::fprintf(stderr, "encrypt-metadata: %s: %s\n", data.c_str(), s.ToString().c_str());
    return 1;
  };
  Result<StoppedDataDir> dir = OpenStoppedDataDir(env, data, kms);
  if (!dir.ok()) return fail(dir.status());
  if (Status s = RefuseUnfinishedMetadataMove(env, data); !s.ok()) return fail(s);
  if (env.FileExists(data + "/" + kMetadataLocationFile)) {
    return fail(FailedPreconditionError(
        "its metadata is on RADOS (" + std::string(kMetadataLocationFile) +
        "): its values are sealed as they are written; to seal them under a new metadata key, move them to "
        "another namespace with `confiance admin move-metadata --data " +
        data + " --to-rados FILE --new-key` (docs/rados.md)"));
  }
  Result<MetadataConversion> done =
      new_key ? ReencryptMetadataUnderNewKey(env, data, *dir->keys) : EncryptMetadata(env, data, *dir->keys);
  if (!done.ok()) return fail(done.status());
  if (done->already_encrypted) {
    std::printf("encrypt-metadata: the metadata of %s is already encrypted; nothing to do\n", data.c_str());
  } else if (done->records == 0 && done->resumed) {
    std::printf(
        "encrypt-metadata: finished the interrupted conversion of %s: its metadata is encrypted under the key the "
        "conversion made%s\n",
        data.c_str(), new_key ? " (run again with --new-key for yet another)" : "");
  } else {
    std::printf(
        "encrypt-metadata: %llu records of %s copied into %s under a new metadata key (%s, wrapped under the root "
        "key); the %s are removed (unlinked, not overwritten)\n",
        static_cast<unsigned long long>(done->records), data.c_str(),
        done->was_clear ? "an encrypted store" : "a store", kMetadataKeyFile,
        done->was_clear ? "clear-text files" : "files under the old key");
  }
  if (done->already_encrypted) return 0;
  // Logged in the operator's transparency log (main/offline_audit.h), the
  // directory opened again as a server opens it once this lock is released.
  audit::Event event = OfflineActionEvent(new_key ? "NewMetadataKey" : "EncryptMetadata", "metadata");
  event.details["records"] = std::to_string(done->records);
  *dir = StoppedDataDir();
  if (Status logged = LogOfflineAction(env, data, kms, "", event); !logged.ok()) {
    return fail(Status(logged.code(),
                       "the metadata is encrypted, but that could not be logged in the operator's transparency log: " +
                           logged.message()));
  }
  return 0;
}

}  // namespace confiance
