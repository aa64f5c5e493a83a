// File: iam/policy/actions.h
// The table of S3 actions a policy may name, the kind of resource each one
// applies to, and ActionSet: the set of table entries an Action element's
// patterns cover, computed once at Parse so that Evaluate tests one bit.
//
// Names compare case-insensitively, as AWS does ("s3:getobject" is
// "s3:GetObject"). Immutable data; safe for concurrent use.
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace confiance::iam::policy {

// What an action's Resource names (AWS's "resource types" for S3).
enum class ResourceKind {
  kAccount,  // no resource: "*" (ListAllMyBuckets)
  kBucket,   // arn:aws:s3:::bucket
  kObject,   // arn:aws:s3:::bucket/key
};

struct ActionInfo {
  std::string_view name;  // with the service prefix: "s3:GetObject"
  ResourceKind resource;
};

// Every S3 action Confiance knows, in a fixed order (indexes are stable only
// within one process: never persist them).
std::span<const ActionInfo> KnownActions();

// Upper bound on KnownActions().size(), the width of an ActionSet.
inline constexpr size_t kMaxActions = 128;
using ActionSet = std::bitset<kMaxActions>;

// The index in KnownActions() of `name` (case-insensitive), or nullopt for a
// name the table does not have. One hash of the name, no allocation.
std::optional<size_t> FindAction(std::string_view name);

// The actions whose names match the Action-element pattern `pattern` ("*",
// "s3:*", "s3:Get*", "s3:GetObject", any case). Empty if none does, which
// Parse reports as an invalid action.
ActionSet ActionsMatching(std::string_view pattern);

// The actions S3 Block Public Access calls "bad" (they expose data to reads
// or writes): s3:Get*, s3:List*, s3:Put*, s3:Delete*, s3:AbortMultipartUpload
// and s3:RestoreObject.
const ActionSet& DataExposingActions();

// The actions whose resource is of `kind`.
const ActionSet& ActionsOnResource(ResourceKind kind);

}  // namespace confiance::iam::policy
