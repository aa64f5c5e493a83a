// File: kms/kmip/kmip_messages.cc
#include "kms/kmip/kmip_messages.h"

#include <utility>
#include <vector>

#include "kms/kmip/kmip_tags.h"

namespace confiance::kms::kmip {

Item JustificationExtension(std::string_view justification, std::string_view approval_id) {
  std::vector<Item> vendor;
  vendor.push_back(TextString(tag::kConfianceJustification, std::string(justification)));
  if (!approval_id.empty()) vendor.push_back(TextString(tag::kConfianceApprovalId, std::string(approval_id)));
  return Structure(tag::kMessageExtension, {TextString(tag::kVendorIdentification, std::string(kVendorIdentification)),
                                            Boolean(tag::kCriticalityIndicator, false),
                                            Structure(tag::kVendorExtension, std::move(vendor))});
}

std::string EncodeRequest(uint32_t operation, Item payload, int32_t max_response_size, const Item* extension) {
  payload.tag = tag::kRequestPayload;
  payload.type = ItemType::kStructure;
  std::vector<Item> header;
  header.push_back(Structure(tag::kProtocolVersion, {Integer(tag::kProtocolVersionMajor, kProtocolMajor),
                                                     Integer(tag::kProtocolVersionMinor, kProtocolMinor)}));
  header.push_back(Integer(tag::kMaximumResponseSize, max_response_size));
  header.push_back(Integer(tag::kBatchCount, 1));
  std::vector<Item> batch;
  batch.push_back(Enumeration(tag::kOperation, operation));
  batch.push_back(std::move(payload));
  if (extension != nullptr) batch.push_back(*extension);
  std::vector<Item> message;
  message.push_back(Structure(tag::kRequestHeader, std::move(header)));
  message.push_back(Structure(tag::kBatchItem, std::move(batch)));
  Item root = Structure(tag::kRequestMessage, std::move(message));
  std::string out = Encode(root);
  Wipe(root);  // the payload may have carried key material
  return out;
}

Result<Response> DecodeResponse(std::string_view message) {
  ASSIGN_OR_RETURN(Item root, Decode(message));
  if (root.tag != tag::kResponseMessage || root.type != ItemType::kStructure) {
    return DataLossError("KMS reply is not a KMIP ResponseMessage");
  }
  const Item* header = root.Find(tag::kResponseHeader);
  if (header == nullptr || header->type != ItemType::kStructure) {
    return DataLossError("KMIP response without a header");
  }
  std::vector<const Item*> batch = root.FindAll(tag::kBatchItem);
  if (batch.size() != 1 || batch[0]->type != ItemType::kStructure) {
    return DataLossError("KMIP response must carry exactly one batch item");
  }
  const Item& item = *batch[0];
  Response r;
  std::optional<int64_t> status = item.FindNumber(tag::kResultStatus, ItemType::kEnumeration);
  if (!status) return DataLossError("KMIP response without a result status");
  r.result_status = *status;
  r.operation = static_cast<uint32_t>(item.FindNumber(tag::kOperation, ItemType::kEnumeration).value_or(0));
  r.result_reason = item.FindNumber(tag::kResultReason, ItemType::kEnumeration).value_or(0);
  r.result_message = item.FindBytes(tag::kResultMessage, ItemType::kTextString).value_or("");
  if (const Item* p = item.Find(tag::kResponsePayload)) {
    if (p->type != ItemType::kStructure) return DataLossError("KMIP response payload is not a structure");
    r.payload = *p;
  } else {
    r.payload = Structure(tag::kResponsePayload, {});
  }
  Wipe(root);
  return r;
}

Status ResultStatusToStatus(const Response& r, std::string_view what) {
  if (r.result_status == result_status::kSuccess) return OkStatus();
  std::string m = std::string(what) + ": KMS refused (reason " + std::to_string(r.result_reason) + "): " +
                  r.result_message;
  namespace rr = result_reason;
  switch (r.result_reason) {
    case rr::kItemNotFound:
      return NotFoundError(std::move(m));
    case rr::kPermissionDenied:
    case rr::kAuthenticationNotSuccessful:
    case rr::kWrongKeyLifecycleState:
    case rr::kCryptographicFailure:
      return PermissionDeniedError(std::move(m));
    case rr::kOperationNotSupported:
    case rr::kFeatureNotSupported:
      return UnimplementedError(std::move(m));
    case rr::kInvalidField:
    case rr::kInvalidMessage:
    case rr::kMissingData:
    case rr::kIllegalOperation:
      return InvalidArgumentError(std::move(m));
    case rr::kResponseTooLarge:
      return ResourceExhaustedError(std::move(m));
    default:
      return InternalError(std::move(m));
  }
}

}  // namespace confiance::kms::kmip
