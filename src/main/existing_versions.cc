// File: main/existing_versions.cc
#include "main/existing_versions.h"

#include <algorithm>
#include <charconv>

#include "catalog/version_id.h"

namespace confiance {
namespace {

bool Holds(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

ExistingVersion ExistingVersionOf(const catalog::ObjectRecord& record, std::string_view destination, ScanKind kind) {
  ExistingVersion v;
  v.version_id = catalog::ExternalVersionId(record);
  v.delete_marker = record.delete_marker;
  v.held = Holds(record.replicated_to, destination);
  v.there =
      record.replication_status == catalog::ReplicationStatus::kReplica || (kind == ScanKind::kExisting && v.held);
  v.pending = Holds(record.replication_pending, destination);
  return v;
}

std::vector<ExistingVersion> VersionsToCopy(const std::vector<ExistingVersion>& newest_first) {
  std::vector<ExistingVersion> copy;
  for (const ExistingVersion& v : newest_first) {
    if (v.there) break;  // it and every older one: a copy would arrive after it
    if (!v.pending) copy.push_back(v);
  }
  std::reverse(copy.begin(), copy.end());
  return copy;
}

Result<ExistingVersionsPage> NextExistingVersions(catalog::Catalog& catalog, const catalog::BucketRecord& bucket,
                                                  std::string_view destination, std::string_view after_key, size_t page,
                                                  ScanKind kind) {
  catalog::ListVersionsOptions options;
  options.key_marker = std::string(after_key);
  options.max_keys = std::max<size_t>(page, 1);
  std::vector<std::pair<std::string, std::vector<ExistingVersion>>> newest_first;
  ExistingVersionsPage result;
  for (;;) {
    ASSIGN_OR_RETURN(catalog::VersionsPage listed, catalog.ListObjectVersions(bucket, options));
    bool next_key = false;  // the listing reached a key after the last one
    for (const catalog::ListedVersion& v : listed.versions) {
      if (newest_first.empty() || newest_first.back().first != v.key) {
        // Past the first listing, only the rest of the last key is wanted.
        if (!options.version_id_marker.empty()) {
          next_key = true;
          break;
        }
        newest_first.emplace_back(v.key, std::vector<ExistingVersion>());
      }
      newest_first.back().second.push_back(ExistingVersionOf(v.record, destination, kind));
    }
    result.more = next_key || listed.truncated;
    if (next_key || !listed.truncated || newest_first.empty()) break;
    // Truncated: the last key may have older versions on the next pages.
    options.key_marker = listed.next_key_marker;
    options.version_id_marker = listed.next_version_id_marker;
    if (options.version_id_marker.empty()) break;  // (only after a common prefix; none without a delimiter)
  }
  for (auto& [key, versions] : newest_first) result.keys.emplace_back(std::move(key), VersionsToCopy(versions));
  return result;
}

std::optional<ResyncRequest> ParseResyncTarget(std::string_view action, std::string_view target) {
  if (action != "ResyncBucketReplication") return std::nullopt;
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t slash = target.find('/', start);
    parts.push_back(target.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 6 || parts[0] != "tenant" || parts[2] != "bucket" || parts[4] != "replication") {
    return std::nullopt;
  }
  for (std::string_view p : parts) {
    if (p.empty()) return std::nullopt;
  }
  return ResyncRequest{std::string(parts[1]), std::string(parts[3]), std::string(parts[5])};
}

std::string EncodeExistingScanState(const ExistingScanState& state) {
  return std::to_string(state.index) + "\n" + state.after_key;
}

std::optional<ExistingScanState> DecodeExistingScanState(std::string_view encoded) {
  const size_t newline = encoded.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  ExistingScanState state;
  const char* end = encoded.data() + newline;
  auto [ptr, ec] = std::from_chars(encoded.data(), end, state.index);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  state.after_key = std::string(encoded.substr(newline + 1));
  return state;
}

}  // namespace confiance
