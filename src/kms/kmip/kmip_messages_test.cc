// File: kms/kmip/kmip_messages_test.cc
#include "kms/kmip/kmip_messages.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "kms/kmip/kmip_tags.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::kms::kmip {
namespace {

Item ResponseWith(std::vector<Item> batch_items) {
  std::vector<Item> m;
  m.push_back(Structure(tag::kResponseHeader,
                        {Structure(tag::kProtocolVersion,
                                   {Integer(tag::kProtocolVersionMajor, 1), Integer(tag::kProtocolVersionMinor, 2)}),
                         DateTime(tag::kTimeStamp, 1700000000), Integer(tag::kBatchCount, 1)}));
  for (Item& b : batch_items) m.push_back(std::move(b));
  return Structure(tag::kResponseMessage, std::move(m));
}

TEST(KmipMessagesTest, RequestLayout) {
  const std::string req = EncodeRequest(op::kDestroy, Structure(0, {TextString(tag::kUniqueIdentifier, "42")}), 4096);
  ASSERT_OK_AND_ASSIGN(Item root, Decode(req));
  EXPECT_EQ(root.tag, tag::kRequestMessage);
  const Item* header = root.Find(tag::kRequestHeader);
  ASSERT_NE(header, nullptr);
  const Item* version = header->Find(tag::kProtocolVersion);
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->FindNumber(tag::kProtocolVersionMajor, ItemType::kInteger), 1);
  EXPECT_EQ(version->FindNumber(tag::kProtocolVersionMinor, ItemType::kInteger), 2);
  EXPECT_EQ(header->FindNumber(tag::kMaximumResponseSize, ItemType::kInteger), 4096);
  EXPECT_EQ(header->FindNumber(tag::kBatchCount, ItemType::kInteger), 1);
  const Item* batch = root.Find(tag::kBatchItem);
  ASSERT_NE(batch, nullptr);
  EXPECT_EQ(batch->FindNumber(tag::kOperation, ItemType::kEnumeration), op::kDestroy);
  const Item* payload = batch->Find(tag::kRequestPayload);
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload->FindBytes(tag::kUniqueIdentifier, ItemType::kTextString), "42");
}

using crypto::HexEncode;

// The exact wire bytes a tenant's KMS vendor implements (docs/kmip.md).
TEST(KmipMessagesTest, JustificationExtensionBytes) {
  EXPECT_EQ(HexEncode(Encode(JustificationExtension("TENANT_REQUEST", ""))),
            "42005101"
            "00000048"  // Message Extension, 72 bytes
            "42009d07"
            "00000009"
            "636f6e6669616e6365"
            "00000000000000"  // Vendor Identification "confiance"
            "42002606"
            "00000008"
            "0000000000000000"  // Criticality Indicator false
            "42009c01"
            "00000018"  // Vendor Extension, 24 bytes
            "54000107"
            "0000000e"
            "54454e414e545f52455155455354"
            "0000");  // "TENANT_REQUEST"
  EXPECT_EQ(HexEncode(Encode(JustificationExtension("OPERATOR_APPROVED", "ar-7f3a"))),
            "42005101"
            "00000060"
            "42009d07"
            "00000009"
            "636f6e6669616e6365"
            "00000000000000"
            "42002606"
            "00000008"
            "0000000000000000"
            "42009c01"
            "00000030"
            "54000107"
            "00000011"
            "4f50455241544f525f415050524f564544"
            "00000000000000"  // "OPERATOR_APPROVED"
            "54000207"
            "00000007"
            "61722d37663361"
            "00");  // approval id
}

TEST(KmipMessagesTest, ExtensionFollowsThePayload) {
  const Item ext = JustificationExtension("SYSTEM_MAINTENANCE", "");
  const std::string req =
      EncodeRequest(op::kDecrypt, Structure(0, {TextString(tag::kUniqueIdentifier, "42")}), 4096, &ext);
  ASSERT_OK_AND_ASSIGN(Item root, Decode(req));
  const Item* batch = root.Find(tag::kBatchItem);
  ASSERT_NE(batch, nullptr);
  ASSERT_EQ(batch->children.size(), 3u);  // Operation, Request Payload, Message Extension (KMIP 1.2 7.2)
  EXPECT_EQ(batch->children[1].tag, tag::kRequestPayload);
  const Item& m = batch->children[2];
  EXPECT_EQ(m.tag, tag::kMessageExtension);
  EXPECT_EQ(m.FindBytes(tag::kVendorIdentification, ItemType::kTextString), "confiance");
  EXPECT_EQ(m.FindNumber(tag::kCriticalityIndicator, ItemType::kBoolean), 0);
  const Item* v = m.Find(tag::kVendorExtension);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->FindBytes(tag::kConfianceJustification, ItemType::kTextString), "SYSTEM_MAINTENANCE");
  EXPECT_EQ(v->Find(tag::kConfianceApprovalId), nullptr);
  // Without an extension the batch item is as before.
  ASSERT_OK_AND_ASSIGN(Item plain, Decode(EncodeRequest(op::kDecrypt, Structure(0, {}), 4096)));
  EXPECT_EQ(plain.Find(tag::kBatchItem)->children.size(), 2u);
}

TEST(KmipMessagesTest, SuccessResponse) {
  Item r = ResponseWith({Structure(tag::kBatchItem, {Enumeration(tag::kOperation, op::kCreate),
                                                     Enumeration(tag::kResultStatus, result_status::kSuccess),
                                                     Structure(tag::kResponsePayload,
                                                               {TextString(tag::kUniqueIdentifier, "7")})})});
  ASSERT_OK_AND_ASSIGN(Response resp, DecodeResponse(Encode(r)));
  EXPECT_EQ(resp.operation, op::kCreate);
  EXPECT_OK(ResultStatusToStatus(resp, "Create"));
  EXPECT_EQ(resp.payload.FindBytes(tag::kUniqueIdentifier, ItemType::kTextString), "7");
}

TEST(KmipMessagesTest, FailureReasonsMapToStatus) {
  struct Case {
    int64_t reason;
    StatusCode code;
  } cases[] = {{result_reason::kItemNotFound, StatusCode::kNotFound},
               {result_reason::kPermissionDenied, StatusCode::kPermissionDenied},
               {result_reason::kAuthenticationNotSuccessful, StatusCode::kPermissionDenied},
               {result_reason::kWrongKeyLifecycleState, StatusCode::kPermissionDenied},
               {result_reason::kCryptographicFailure, StatusCode::kPermissionDenied},
               {result_reason::kOperationNotSupported, StatusCode::kUnimplemented},
               {result_reason::kInvalidField, StatusCode::kInvalidArgument},
               {result_reason::kResponseTooLarge, StatusCode::kResourceExhausted},
               {result_reason::kGeneralFailure, StatusCode::kInternal}};
  for (const Case& c : cases) {
    Item r = ResponseWith({Structure(tag::kBatchItem, {Enumeration(tag::kResultStatus, result_status::kOperationFailed),
                                                       Enumeration(tag::kResultReason, static_cast<uint32_t>(c.reason)),
                                                       TextString(tag::kResultMessage, "nope")})});
    ASSERT_OK_AND_ASSIGN(Response resp, DecodeResponse(Encode(r)));
    Status s = ResultStatusToStatus(resp, "Decrypt");
    EXPECT_EQ(s.code(), c.code) << c.reason;
    EXPECT_NE(s.message().find("nope"), std::string::npos);
    EXPECT_NE(s.message().find("Decrypt"), std::string::npos);
  }
}

TEST(KmipMessagesTest, MalformedResponses) {
  Item ok_item = Structure(tag::kBatchItem, {Enumeration(tag::kResultStatus, 0)});
  // Not a response message.
  EXPECT_STATUS_CODE(DecodeResponse(Encode(Structure(tag::kRequestMessage, {}))), kDataLoss);
  // No header.
  EXPECT_STATUS_CODE(DecodeResponse(Encode(Structure(tag::kResponseMessage, {ok_item}))), kDataLoss);
  // Zero and two batch items.
  EXPECT_STATUS_CODE(DecodeResponse(Encode(ResponseWith({}))), kDataLoss);
  EXPECT_STATUS_CODE(DecodeResponse(Encode(ResponseWith({ok_item, ok_item}))), kDataLoss);
  // No result status; a result status of the wrong type.
  EXPECT_STATUS_CODE(DecodeResponse(Encode(ResponseWith({Structure(tag::kBatchItem, {})}))), kDataLoss);
  EXPECT_STATUS_CODE(
      DecodeResponse(Encode(ResponseWith({Structure(tag::kBatchItem, {Integer(tag::kResultStatus, 0)})}))),
      kDataLoss);
  // A payload that is not a structure.
  EXPECT_STATUS_CODE(DecodeResponse(Encode(ResponseWith({Structure(
                         tag::kBatchItem, {Enumeration(tag::kResultStatus, 0), Integer(tag::kResponsePayload, 1)})}))),
                     kDataLoss);
  EXPECT_OK(DecodeResponse(Encode(ResponseWith({ok_item}))));
}

}  // namespace
}  // namespace confiance::kms::kmip
