// File: main/move_metadata_command.cc
#include "main/move_metadata_command.h"

#include <cstdio>

#include "main/metadata_move.h"

namespace confiance {

int RunMoveMetadata(const std::string& data, const std::string& to_rados_file, const KmsOptions& kms) {
  Env& env = *Env::Default();
  auto fail = [&](const Status& s) {
    std::fprintf(stderr, "move-metadata: %s: %s\n", data.c_str(), s.ToString().c_str());
    return 1;
  };
  Result<StoppedDataDir> dir = OpenStoppedDataDir(env, data, kms);
  if (!dir.ok()) return fail(dir.status());
  kms::KeyProvider& keys = *dir->keys;
  // Outlives the store the opener makes, which the move closes before it
  // returns.
  std::unique_ptr<crypto::RecordSealer> sealer;
  const std::string origin = to_rados_file.empty() ? data + "/" + kMetadataLocationFile : to_rados_file;
  RadosMetaOpener open = [&](const std::string& connection) -> Result<std::unique_ptr<meta::MetaStore>> {
    ASSIGN_OR_RETURN(std::unique_ptr<meta::RadosMetaStore> store,
                     OpenSealedRadosMeta(env, data, keys, connection, origin, sealer));
    return std::unique_ptr<meta::MetaStore>(std::move(store));
  };
  Result<MetadataMove> moved = [&]() -> Result<MetadataMove> {
    if (to_rados_file.empty()) return MoveMetadataToLocal(env, data, keys, open);
    ASSIGN_OR_RETURN(std::string connection, ReadSmallFile(env, to_rados_file));
    return MoveMetadataToRados(env, data, keys, connection, open);
  }();
  if (!moved.ok()) return fail(moved.status());
  if (moved->resumed && moved->records == 0) {
    std::printf("move-metadata: finished the interrupted move of %s's metadata %s\n", data.c_str(),
                to_rados_file.empty() ? "from RADOS" : "to RADOS");
  }
  if (moved->records > 0) {
    std::printf("move-metadata: %llu records (%llu partitions, %llu bytes) of %s copied %s and compared%s\n",
                static_cast<unsigned long long>(moved->records), static_cast<unsigned long long>(moved->partitions),
                static_cast<unsigned long long>(moved->bytes), data.c_str(),
                to_rados_file.empty() ? "into a local store" : "onto RADOS", moved->resumed ? " (started again)" : "");
  }
  if (to_rados_file.empty()) {
    std::printf(
        "move-metadata: the metadata of %s is local (meta/, encrypted under %s); %llu partitions dropped from the "
        "RADOS namespace it left\n",
        data.c_str(), kMetadataKeyFile, static_cast<unsigned long long>(moved->dropped_partitions));
  } else {
    std::printf(
        "move-metadata: the metadata of %s is on RADOS (%s, sealed under %s); the local store is removed (unlinked, "
        "not overwritten)\n",
        data.c_str(), kMetadataLocationFile, kMetadataKeyFile);
  }
  return 0;
}

}  // namespace confiance
