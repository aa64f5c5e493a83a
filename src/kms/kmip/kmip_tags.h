// File: kms/kmip/kmip_tags.h
// The KMIP 1.2 tags and enumeration values Confiance uses (KMIP 1.2 spec,
// sections 9.1.3.1 and 9.1.3.2). Only what the client sends or reads.
#pragma once

#include <cstdint>

namespace confiance::kms::kmip {

namespace tag {
inline constexpr uint32_t kActivationDate = 0x420001;
inline constexpr uint32_t kAttribute = 0x420008;
inline constexpr uint32_t kAttributeIndex = 0x420009;
inline constexpr uint32_t kAttributeName = 0x42000A;
inline constexpr uint32_t kAttributeValue = 0x42000B;
inline constexpr uint32_t kBatchCount = 0x42000D;
inline constexpr uint32_t kBatchItem = 0x42000F;
inline constexpr uint32_t kBlockCipherMode = 0x420011;
inline constexpr uint32_t kCriticalityIndicator = 0x420026;
inline constexpr uint32_t kCryptographicAlgorithm = 0x420028;
inline constexpr uint32_t kCryptographicLength = 0x42002A;
inline constexpr uint32_t kCryptographicParameters = 0x42002B;
inline constexpr uint32_t kCryptographicUsageMask = 0x42002C;
inline constexpr uint32_t kIvCounterNonce = 0x42003D;
inline constexpr uint32_t kMaximumItems = 0x42004F;
inline constexpr uint32_t kMaximumResponseSize = 0x420050;
inline constexpr uint32_t kMessageExtension = 0x420051;
inline constexpr uint32_t kName = 0x420053;
inline constexpr uint32_t kNameType = 0x420054;
inline constexpr uint32_t kNameValue = 0x420055;
inline constexpr uint32_t kObjectType = 0x420057;
inline constexpr uint32_t kOperation = 0x42005C;
inline constexpr uint32_t kPaddingMethod = 0x42005F;
inline constexpr uint32_t kProtocolVersion = 0x420069;
inline constexpr uint32_t kProtocolVersionMajor = 0x42006A;
inline constexpr uint32_t kProtocolVersionMinor = 0x42006B;
inline constexpr uint32_t kRequestHeader = 0x420077;
inline constexpr uint32_t kRequestMessage = 0x420078;
inline constexpr uint32_t kRequestPayload = 0x420079;
inline constexpr uint32_t kResponseHeader = 0x42007A;
inline constexpr uint32_t kResponseMessage = 0x42007B;
inline constexpr uint32_t kResponsePayload = 0x42007C;
inline constexpr uint32_t kResultMessage = 0x42007D;
inline constexpr uint32_t kResultReason = 0x42007E;
inline constexpr uint32_t kResultStatus = 0x42007F;
inline constexpr uint32_t kRevocationMessage = 0x420080;
inline constexpr uint32_t kRevocationReason = 0x420081;
inline constexpr uint32_t kRevocationReasonCode = 0x420082;
inline constexpr uint32_t kState = 0x42008D;
inline constexpr uint32_t kTemplateAttribute = 0x420091;
inline constexpr uint32_t kTimeStamp = 0x420092;
inline constexpr uint32_t kUniqueBatchItemId = 0x420093;
inline constexpr uint32_t kUniqueIdentifier = 0x420094;
inline constexpr uint32_t kVendorExtension = 0x42009C;
inline constexpr uint32_t kVendorIdentification = 0x42009D;
inline constexpr uint32_t kData = 0x4200C2;
// Confiance's own tags, in the range KMIP leaves to extensions
// (0x540000-0x54FFFF), inside its Vendor Extension (docs/kmip.md).
inline constexpr uint32_t kConfianceJustification = 0x540001;
inline constexpr uint32_t kConfianceApprovalId = 0x540002;
}  // namespace tag

namespace op {
inline constexpr uint32_t kCreate = 0x01;
inline constexpr uint32_t kLocate = 0x08;
inline constexpr uint32_t kGet = 0x0A;  // never sent: key material stays in the KMS
inline constexpr uint32_t kGetAttributes = 0x0B;
inline constexpr uint32_t kActivate = 0x12;
inline constexpr uint32_t kRevoke = 0x13;
inline constexpr uint32_t kDestroy = 0x14;
inline constexpr uint32_t kEncrypt = 0x1F;
inline constexpr uint32_t kDecrypt = 0x20;
}  // namespace op

namespace result_status {
inline constexpr int64_t kSuccess = 0;
inline constexpr int64_t kOperationFailed = 1;
inline constexpr int64_t kOperationPending = 2;
inline constexpr int64_t kOperationUndone = 3;
}  // namespace result_status

namespace result_reason {
inline constexpr int64_t kItemNotFound = 0x01;
inline constexpr int64_t kResponseTooLarge = 0x02;
inline constexpr int64_t kAuthenticationNotSuccessful = 0x03;
inline constexpr int64_t kInvalidMessage = 0x04;
inline constexpr int64_t kOperationNotSupported = 0x05;
inline constexpr int64_t kMissingData = 0x06;
inline constexpr int64_t kInvalidField = 0x07;
inline constexpr int64_t kFeatureNotSupported = 0x08;
inline constexpr int64_t kOperationCanceled = 0x09;
inline constexpr int64_t kCryptographicFailure = 0x0A;
inline constexpr int64_t kIllegalOperation = 0x0B;
inline constexpr int64_t kPermissionDenied = 0x0C;
inline constexpr int64_t kObjectArchived = 0x0D;
inline constexpr int64_t kWrongKeyLifecycleState = 0x43;  // KMIP 1.4; sent by some 1.2 servers
inline constexpr int64_t kGeneralFailure = 0x100;
}  // namespace result_reason

inline constexpr uint32_t kObjectTypeSymmetricKey = 0x02;
inline constexpr uint32_t kAlgorithmAes = 0x03;
inline constexpr int32_t kUsageEncrypt = 0x04;
inline constexpr int32_t kUsageDecrypt = 0x08;
inline constexpr uint32_t kModeCbc = 0x01;
inline constexpr uint32_t kPaddingPkcs5 = 0x03;
inline constexpr uint32_t kNameTypeText = 0x01;
inline constexpr uint32_t kRevocationUnspecified = 0x01;
inline constexpr uint32_t kRevocationKeyCompromise = 0x02;
inline constexpr uint32_t kRevocationCessationOfOperation = 0x06;

// KMIP State enumeration.
enum class KeyState : uint32_t {
  kPreActive = 1,
  kActive = 2,
  kDeactivated = 3,
  kCompromised = 4,
  kDestroyed = 5,
  kDestroyedCompromised = 6,
};

}  // namespace confiance::kms::kmip
