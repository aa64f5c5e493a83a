// File: admin/deletion_receipt.cc
#include "admin/deletion_receipt.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <vector>

#include "common/iso8601.h"

namespace confiance::admin {

std::string ReceiptTime(int64_t ms) { return FormatUtcMs(ms); }

namespace {

// Only the form ReceiptTime writes: a signed receipt has one spelling.
Result<int64_t> ParseReceiptTime(std::string_view s) {
  std::optional<int64_t> ms = ParseUtcMs(s);
  if (!ms || FormatUtcMs(*ms) != s) return InvalidArgumentError("bad time " + std::string(s));
  return *ms;
}

// One "field value" line per field, in this order.
constexpr std::string_view kFields[] = {"server", "tenant", "scope", "key", "destroyed", "by"};
// The optional last line.
constexpr std::string_view kReclamationField = "reclamation";

}  // namespace

std::string ReceiptPrincipal(const iam::Principal& caller) {
  if (caller.kind == iam::PrincipalKind::kOperator) {
    return fmt::format("operator {} access-key {}", caller.user, caller.access_key_id);
  }
  return fmt::format("tenant {}/{} access-key {}", caller.tenant_id, caller.user, caller.access_key_id);
}

std::string DeletionReceiptText(const DeletionReceipt& r) {
  std::string text = fmt::format("{}\nserver {}\ntenant {}\nscope {}\nkey {}\ndestroyed {}\nby {}\n",
                                 kDeletionReceiptHeader, r.server, r.tenant, r.scope, r.key_id,
                                 ReceiptTime(r.destroyed_ms), r.by);
  if (!r.reclamation.empty()) text += fmt::format("{} {}\n", kReclamationField, r.reclamation);
  return text;
}

std::string ReclamationNote(std::string_view what) {
  return "follows: the " + std::string(what) +
         "'s object records, versions, uploads and blobs are removed by a background job";
}

Result<std::string> SignDeletionReceipt(DeletionReceipt receipt, const audit::tlog::NoteSigner& signer) {
  receipt.server = signer.name();
  return signer.Sign(DeletionReceiptText(receipt));
}

Result<DeletionReceipt> OpenDeletionReceipt(std::string_view note, const audit::tlog::NoteVerifier& verifier) {
  ASSIGN_OR_RETURN(std::string text, verifier.Open(note));
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return InvalidArgumentError("receipt text does not end in a newline");
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  std::string reclamation;
  if (lines.size() == 2 + std::size(kFields)) {
    std::string_view last = lines.back();
    if (!last.starts_with(kReclamationField) || last.size() <= kReclamationField.size() + 1 ||
        last[kReclamationField.size()] != ' ') {
      return InvalidArgumentError(fmt::format("receipt line {}: expected \"{} ...\"", lines.size(), kReclamationField));
    }
    reclamation = std::string(last.substr(kReclamationField.size() + 1));
    lines.pop_back();
  }
  if (lines.size() != 1 + std::size(kFields) || lines[0] != kDeletionReceiptHeader) {
    return InvalidArgumentError("not a confiance deletion receipt v1");
  }
  std::string values[std::size(kFields)];
  for (size_t i = 0; i < std::size(kFields); ++i) {
    std::string_view line = lines[i + 1];
    if (!line.starts_with(kFields[i]) || line.size() <= kFields[i].size() + 1 || line[kFields[i].size()] != ' ') {
      return InvalidArgumentError(fmt::format("receipt line {}: expected \"{} ...\"", i + 2, kFields[i]));
    }
    values[i] = std::string(line.substr(kFields[i].size() + 1));
  }
  DeletionReceipt r;
  r.server = values[0];
  r.tenant = values[1];
  r.scope = values[2];
  r.key_id = values[3];
  ASSIGN_OR_RETURN(r.destroyed_ms, ParseReceiptTime(values[4]));
  r.by = values[5];
  r.reclamation = std::move(reclamation);
  if (r.server != verifier.name()) {
    return InvalidArgumentError("the receipt names server " + r.server + " but is signed by " + verifier.name());
  }
  return r;
}

}  // namespace confiance::admin
