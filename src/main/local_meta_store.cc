// File: main/local_meta_store.cc
#include "main/local_meta_store.h"

#include <vector>

namespace confiance {

bool HasLocalMetaStore(Env& env, const std::string& dir) { return env.FileExists(dir + "/CURRENT"); }

Status RemoveLocalMetaStore(Env& env, const std::string& dir) {
  if (!env.FileExists(dir)) return OkStatus();
  ASSIGN_OR_RETURN(std::vector<std::string> children, env.GetChildren(dir));
  for (const std::string& c : children) RETURN_IF_ERROR(env.RemoveFile(dir + "/" + c));
  return env.RemoveDir(dir);
}

meta::RocksMetaStore::Options OfflineMetaStoreOptions(const std::string& dir, Env& env, bool read_only) {
  meta::RocksMetaStore::Options o;
  o.path = dir;
  o.env = &env;
  o.read_only = read_only;
  o.block_cache_bytes = size_t{8} << 20;
  return o;
}

}  // namespace confiance
