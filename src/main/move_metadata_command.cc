// File: main/move_metadata_command.cc
#include "main/move_metadata_command.h"

#include <cstdio>
#include <vector>

#include "main/metadata_move.h"
#include "main/offline_audit.h"
#include "sovereignty/residency/pools.h"

namespace confiance {
namespace {

// "rados pool P namespace 'N'" for a connection file's text.
std::string PoolOf(const std::string& connection_toml) {
  Result<blob::RadosConnection> c = sovereignty::ParseRadosConnectionToml(connection_toml, "the connection file");
  return c.ok() ? "rados pool " + c->pool + " namespace '" + c->name_space + "'" : "rados";
}

}  // namespace

int RunMoveMetadata(const std::string& data, const std::string& to_rados_file, bool new_key, const KmsOptions& kms) {
  Env& env = *Env::Default();
  auto fail = [&](const Status& s) {
    std::fprintf(stderr, "move-metadata: %s: %s\n", data.c_str(), s.ToString().c_str());
    return 1;
  };
  Result<StoppedDataDir> dir = OpenStoppedDataDir(env, data, kms);
  if (!dir.ok()) return fail(dir.status());
  kms::KeyProvider& keys = *dir->keys;
  std::string connection_file_text;
  if (!to_rados_file.empty()) {
    Result<std::string> text = ReadSmallFile(env, to_rados_file);
    if (!text.ok()) return fail(text.status());
    connection_file_text = std::move(text).value();
  }
  // They outlive the stores the opener makes, which the move closes before
  // it returns (from one pool to another, two at once).
  std::vector<std::unique_ptr<crypto::RecordSealer>> sealers;
  RadosMetaOpener open = [&](const std::string& connection,
                             SealUnder seal) -> Result<std::unique_ptr<meta::MetaStore>> {
    const std::string origin = connection_file_text == connection ? to_rados_file : data + "/" + kMetadataLocationFile;
    const std::string key_file = seal == SealUnder::kMetadataKey      ? data + "/" + kMetadataKeyFile
                                 : seal == SealUnder::kNewMetadataKey ? data + "/" + kNewMetadataKeyFile
                                                                      : std::string();
    std::unique_ptr<crypto::RecordSealer> sealer;
    ASSIGN_OR_RETURN(std::unique_ptr<meta::RadosMetaStore> store,
                     OpenSealedRadosMeta(env, keys, connection, origin, key_file, sealer));
    sealers.push_back(std::move(sealer));
    return std::unique_ptr<meta::MetaStore>(std::move(store));
  };
  Result<MetadataMove> moved = to_rados_file.empty()
                                   ? MoveMetadataToLocal(env, data, keys, open)
                                   : MoveMetadataToRados(env, data, keys, connection_file_text, open, new_key);
  if (!moved.ok()) return fail(moved.status());
  // Logged in the operator's transparency log, which is now where the
  // directory's metadata is (the directory opened again as a server opens
  // it, once this command's lock is released).
  audit::Event event = OfflineActionEvent("MoveMetadata", "metadata");
  event.details["to"] = to_rados_file.empty() ? "local" : PoolOf(connection_file_text);
  event.details["records"] = std::to_string(moved->records);
  if (new_key) event.details["new_metadata_key"] = "true";
  sealers.clear();
  *dir = StoppedDataDir();
  if (Status logged = LogOfflineAction(env, data, kms, "", event); !logged.ok()) {
    return fail(Status(logged.code(),
                       "the metadata moved, but the move could not be logged in the operator's transparency log: " +
                           logged.message()));
  }
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
  } else if (moved->dropped_partitions > 0) {
    std::printf(
        "move-metadata: the metadata of %s is on the RADOS pool %s names (sealed under %s%s); %llu partitions "
        "dropped from the namespace it left\n",
        data.c_str(), kMetadataLocationFile, kMetadataKeyFile, new_key ? ", a new metadata key" : "",
        static_cast<unsigned long long>(moved->dropped_partitions));
  } else {
    std::printf(
        "move-metadata: the metadata of %s is on RADOS (%s, sealed under %s); the local store is removed (unlinked, "
        "not overwritten)\n",
        data.c_str(), kMetadataLocationFile, kMetadataKeyFile);
  }
  return 0;
}

}  // namespace confiance
