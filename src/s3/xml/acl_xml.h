// File: s3/xml/acl_xml.h
// The XML documents of the ACL family, built on pugixml and XmlWriter:
//  - AccessControlPolicy: the GetBucketAcl/GetObjectAcl answer and the
//    PutBucketAcl/PutObjectAcl body;
//  - OwnershipControls: Get/PutBucketOwnershipControls;
//  - PublicAccessBlockConfiguration: Get/PutPublicAccessBlock.
// Shapes as in the AWS S3 API reference; the model is iam/acl/.
//
// Thread-safety: pure functions; safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "iam/acl/acl.h"
#include "iam/acl/bucket_controls.h"

namespace confiance::s3::xml {

// <AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
//   <Owner><ID>..</ID><DisplayName>..</DisplayName></Owner>
//   <AccessControlList>
//     <Grant>
//       <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
//                xsi:type="CanonicalUser"><ID>..</ID><DisplayName>..</DisplayName></Grantee>
//       <Permission>FULL_CONTROL</Permission>
//     </Grant>
//     (xsi:type="Group" holds <URI>; xsi:type="AmazonCustomerByEmail" holds
//     <EmailAddress>)
//   </AccessControlList>
// </AccessControlPolicy>
// An empty DisplayName is left out, and so is Owner if the owner id is
// empty (only an ACL parsed from a body without Owner has one).
std::string RenderAccessControlPolicy(const iam::acl::Acl& acl);

// Parses a PutBucketAcl/PutObjectAcl body. Errors are tagged with an
// iam::acl::ErrorKind (iam/acl/acl_errors.h):
//  - not well-formed XML, or no AccessControlPolicy root -> kMalformedXml;
//  - a Grant without Grantee or Permission, an unknown Permission, a Grantee
//    without a known xsi:type or without its ID/URI, more than 100 grants,
//    an Owner without ID -> kMalformedAcl;
//  - an unknown group URI -> kInvalidGroupUri;
//  - an AmazonCustomerByEmail grantee -> kEmailGrantee.
// Owner and AccessControlList are optional in AWS's API model: without
// Owner the result's owner id is empty (the caller substitutes the
// resource's owner, and must refuse a body that names another owner);
// without AccessControlList the ACL has no grants. Display names are kept
// as sent; S3 answers with the real ones, which is the caller's to fill.
// xsi:type is found through the prefix bound to the XMLSchema-instance
// namespace, whatever it is called (an unbound "xsi" prefix is accepted).
Result<iam::acl::Acl> ParseAccessControlPolicy(std::string_view body);

// <OwnershipControls xmlns="..."><Rule><ObjectOwnership>X</ObjectOwnership></Rule></OwnershipControls>
std::string RenderOwnershipControls(iam::acl::ObjectOwnership ownership);

// Parses a PutBucketOwnershipControls body: exactly one Rule with one
// ObjectOwnership of BucketOwnerEnforced, BucketOwnerPreferred or
// ObjectWriter. Anything else is InvalidArgument (-> MalformedXML), as in
// xml_reader.h.
Result<iam::acl::ObjectOwnership> ParseOwnershipControls(std::string_view body);

// <PublicAccessBlockConfiguration xmlns="..."> with all four settings as
// true/false.
std::string RenderPublicAccessBlock(const iam::acl::PublicAccessBlock& block);

// Parses a PutPublicAccessBlock body. A missing setting is false; a value
// other than true/false (any case, blanks trimmed) or a missing root is
// InvalidArgument (-> MalformedXML).
Result<iam::acl::PublicAccessBlock> ParsePublicAccessBlock(std::string_view body);

}  // namespace confiance::s3::xml
