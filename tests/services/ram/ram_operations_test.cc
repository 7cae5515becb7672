// RAM shares, associations and invitations, and their effect on a CA's effective resource policy.
#include <gtest/gtest.h>

#include <chrono>

#include "sharing_fixture.h"

namespace openpca::services::testing {
namespace {

constexpr char kCaId[] = "aaaaaaaa-1111-2222-3333-444444444444";
constexpr char kDefault[] =
    "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority";
constexpr char kRevoke[] =
    "arn:aws:ram::aws:permission/AWSRAMRevokeCertificateCertificateAuthority";

class RamTest : public SharingFixture {
 protected:
  void SetUp() override { ca_ = MakeCa(kCaId); }

  size_t ShareCount(const std::string& account = kOwner) {
    return sharing_.ListResourceShares(account)->size();
  }

  std::string Share(json in) {
    auto out = Ram("CreateResourceShare", in);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? (*out)["resourceShare"]["resourceShareArn"].get<std::string>() : "";
  }

  std::string PendingInvitation(const std::string& account) {
    auto inv = Ram("GetResourceShareInvitations", json::object(), account);
    EXPECT_TRUE(inv.ok());
    for (const auto& i : (*inv)["resourceShareInvitations"]) {
      if (i["status"] == "PENDING") return i["resourceShareInvitationArn"];
    }
    ADD_FAILURE() << "no pending invitation for " << account;
    return "";
  }

  std::string ca_;
};

json DefaultStatementsFor(const std::string& ca, const std::string& account) {
  json read{{"Effect", "Allow"},
            {"Principal", {{"AWS", account}}},
            {"Action",
             {"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
              "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions",
              "acm-pca:ListTags"}},
            {"Resource", ca}};
  json issue{{"Effect", "Allow"},
             {"Principal", {{"AWS", account}}},
             {"Action", {"acm-pca:IssueCertificate"}},
             {"Resource", ca},
             {"Condition",
              {{"StringEquals",
                {{"acm-pca:TemplateArn", "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}}}};
  return json::array({read, issue});
}

// Statements without their generated Sid, for comparison.
json WithoutSids(json statements) {
  for (auto& s : statements) s.erase("Sid");
  return statements;
}

TEST_F(RamTest, ExternalAccountIsInvitedAndGainsAccessOnAccept) {
  std::string share = Share({{"name", "pki"}, {"resourceArns", {ca_}}, {"principals", {kOther}}});
  // Invited, not yet associated: nothing granted, nothing listed for the receiver.
  EXPECT_TRUE(Effective(kCaId).empty());
  auto listed = Acm("ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}}, kOther);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE((*listed)["CertificateAuthorities"].empty());

  auto invitations = Ram("GetResourceShareInvitations", json::object(), kOther);
  ASSERT_TRUE(invitations.ok());
  ASSERT_EQ((*invitations)["resourceShareInvitations"].size(), 1u);
  json inv = (*invitations)["resourceShareInvitations"][0];
  EXPECT_EQ(inv["status"], "PENDING");
  EXPECT_EQ(inv["senderAccountId"], kOwner);
  EXPECT_EQ(inv["receiverAccountId"], kOther);
  EXPECT_EQ(inv["resourceShareArn"], share);
  EXPECT_EQ(inv["resourceShareName"], "pki");
  EXPECT_TRUE(inv["invitationTimestamp"].is_number());
  // The owner received none.
  EXPECT_TRUE(
      (*Ram("GetResourceShareInvitations", json::object()))["resourceShareInvitations"].empty());

  auto accepted = Ram("AcceptResourceShareInvitation",
                      {{"resourceShareInvitationArn", inv["resourceShareInvitationArn"]}}, kOther);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ((*accepted)["resourceShareInvitation"]["status"], "ACCEPTED");
  EXPECT_EQ(WithoutSids(Effective(kCaId)), DefaultStatementsFor(ca_, kOther));

  listed = Acm("ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}}, kOther);
  ASSERT_EQ((*listed)["CertificateAuthorities"].size(), 1u);
  EXPECT_EQ((*listed)["CertificateAuthorities"][0]["Arn"], ca_);
  auto resources = Ram("ListResources", {{"resourceOwner", "OTHER-ACCOUNTS"}}, kOther);
  ASSERT_TRUE(resources.ok());
  ASSERT_EQ((*resources)["resources"].size(), 1u);
  EXPECT_EQ((*resources)["resources"][0]["arn"], ca_);
  EXPECT_EQ((*resources)["resources"][0]["type"], "acm-pca:CertificateAuthority");
  auto shares = Ram("GetResourceShares", {{"resourceOwner", "OTHER-ACCOUNTS"}}, kOther);
  ASSERT_EQ((*shares)["resourceShares"].size(), 1u);
  EXPECT_EQ((*shares)["resourceShares"][0]["owningAccountId"], kOwner);

  // Disassociating the principal withdraws the statements.
  auto dis =
      Ram("DisassociateResourceShare", {{"resourceShareArn", share}, {"principals", {kOther}}});
  ASSERT_TRUE(dis.ok()) << dis.status().ToString();
  EXPECT_EQ((*dis)["resourceShareAssociations"][0]["status"], "DISASSOCIATED");
  EXPECT_TRUE(Effective(kCaId).empty());
  EXPECT_TRUE(
      (*Ram("ListResources", {{"resourceOwner", "OTHER-ACCOUNTS"}}, kOther))["resources"].empty());
}

TEST_F(RamTest, OrganizationSharingNeedsNoInvitationAndDeleteWithdraws) {
  same_org_.insert(kOther);
  std::string share = Share({{"name", "org"}, {"resourceArns", {ca_}}, {"principals", {kOther}}});
  EXPECT_TRUE(
      (*Ram("GetResourceShareInvitations", json::object(), kOther))["resourceShareInvitations"]
          .empty());
  EXPECT_EQ(WithoutSids(Effective(kCaId)), DefaultStatementsFor(ca_, kOther));

  auto assoc = Ram("GetResourceShareAssociations", {{"associationType", "PRINCIPAL"}});
  ASSERT_TRUE(assoc.ok());
  ASSERT_EQ((*assoc)["resourceShareAssociations"].size(), 1u);
  EXPECT_EQ((*assoc)["resourceShareAssociations"][0]["status"], "ASSOCIATED");
  EXPECT_EQ((*assoc)["resourceShareAssociations"][0]["external"], false);

  auto deleted = Ram("DeleteResourceShare", {{"resourceShareArn", share}});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ((*deleted)["returnValue"], true);
  EXPECT_TRUE(Effective(kCaId).empty());
  EXPECT_EQ(sharing_.GetResourceShare(share)->status, "DELETED");
  EXPECT_EQ(Ram("DeleteResourceShare", {{"resourceShareArn", share}}).status().code(),
            ErrorCode::kInvalidStateTransition);
  EXPECT_EQ(Ram("AssociateResourceShare", {{"resourceShareArn", share}, {"principals", {kThird}}})
                .status()
                .code(),
            ErrorCode::kInvalidStateTransition);
}

TEST_F(RamTest, OrganizationPrincipalBecomesWildcardWithOrgCondition) {
  Share({{"name", "org"},
         {"resourceArns", {ca_}},
         {"principals", {"arn:aws:organizations::123456789012:organization/o-abc123"}}});
  json statements = Effective(kCaId);
  ASSERT_EQ(statements.size(), 2u);
  for (const auto& s : statements) {
    EXPECT_EQ(s["Principal"], "*");
    EXPECT_EQ(s["Condition"]["StringEquals"]["aws:PrincipalOrgID"], "o-abc123");
  }
}

TEST_F(RamTest, AssociateAddsPrincipalsAndResources) {
  same_org_.insert(kOther);
  same_org_.insert(kThird);
  std::string share = Share({{"name", "s"}, {"principals", {kOther}}});
  EXPECT_TRUE(Effective(kCaId).empty());
  auto out = Ram("AssociateResourceShare",
                 {{"resourceShareArn", share}, {"resourceArns", {ca_}}, {"principals", {kThird}}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)["resourceShareAssociations"].size(), 2u);
  json statements = Effective(kCaId);
  EXPECT_EQ(statements.size(), 4u);  // two principals x the default permission's two statements
  // The default permission was attached for the new resource type.
  auto perms = Ram("ListResourceSharePermissions", {{"resourceShareArn", share}});
  ASSERT_TRUE(perms.ok());
  ASSERT_EQ((*perms)["permissions"].size(), 1u);
  EXPECT_EQ((*perms)["permissions"][0]["arn"], kDefault);
  // Disassociating the resource withdraws every statement of the share.
  ASSERT_TRUE(
      Ram("DisassociateResourceShare", {{"resourceShareArn", share}, {"resourceArns", {ca_}}})
          .ok());
  EXPECT_TRUE(Effective(kCaId).empty());
  EXPECT_EQ(Ram("DisassociateResourceShare", {{"resourceShareArn", share}, {"resourceArns", {ca_}}})
                .status()
                .code(),
            ErrorCode::kUnknownResource);
}

TEST_F(RamTest, RevokePermissionShareGrantsRevokeCertificate) {
  same_org_.insert(kOther);
  Share({{"name", "revoke"},
         {"resourceArns", {ca_}},
         {"principals", {kOther}},
         {"permissionArns", {kRevoke}}});
  json statements = Effective(kCaId);
  ASSERT_EQ(statements.size(), 1u);
  json actions = statements[0]["Action"];
  EXPECT_NE(std::find(actions.begin(), actions.end(), "acm-pca:RevokeCertificate"), actions.end());
  EXPECT_EQ(std::find(actions.begin(), actions.end(), "acm-pca:IssueCertificate"), actions.end());
}

TEST_F(RamTest, ClientTokenIdempotency) {
  json in{{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOther}}, {"clientToken", "t-1"}};
  std::string first = Share(in);
  std::string again = Share(in);
  EXPECT_EQ(first, again);
  EXPECT_EQ(ShareCount(), 1u);
  json changed = in;
  changed["name"] = "other";
  EXPECT_EQ(Ram("CreateResourceShare", changed).status().code(),
            ErrorCode::kIdempotentParameterMismatch);
  EXPECT_EQ(ShareCount(), 1u);
  EXPECT_EQ(sharing_.ListInvitations(kOther)->size(), 1u);
}

TEST_F(RamTest, InvitationAnswers) {
  Share({{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOther, kThird}}});
  std::string inv = PendingInvitation(kOther);
  json in{{"resourceShareInvitationArn", inv}};
  // Only the receiver may answer.
  EXPECT_EQ(Ram("AcceptResourceShareInvitation", in, kThird).status().code(),
            ErrorCode::kResourceShareInvitationArnNotFound);
  EXPECT_EQ(Ram("AcceptResourceShareInvitation", {{"resourceShareInvitationArn", "nope"}}, kOther)
                .status()
                .code(),
            ErrorCode::kMalformedArn);
  ASSERT_TRUE(Ram("AcceptResourceShareInvitation", in, kOther).ok());
  EXPECT_EQ(Ram("AcceptResourceShareInvitation", in, kOther).status().code(),
            ErrorCode::kResourceShareInvitationAlreadyAccepted);
  EXPECT_EQ(Ram("RejectResourceShareInvitation", in, kOther).status().code(),
            ErrorCode::kResourceShareInvitationAlreadyAccepted);

  std::string third = PendingInvitation(kThird);
  json rej{{"resourceShareInvitationArn", third}};
  auto rejected = Ram("RejectResourceShareInvitation", rej, kThird);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ((*rejected)["resourceShareInvitation"]["status"], "REJECTED");
  EXPECT_EQ(Ram("AcceptResourceShareInvitation", rej, kThird).status().code(),
            ErrorCode::kResourceShareInvitationAlreadyRejected);
  // Only the accepting account is granted.
  json statements = Effective(kCaId);
  ASSERT_EQ(statements.size(), 2u);
  for (const auto& s : statements) EXPECT_EQ(s["Principal"]["AWS"], kOther);
}

TEST_F(RamTest, InvitationsExpire) {
  Share({{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOther}}});
  std::string inv = PendingInvitation(kOther);
  ta_.clock().Advance(std::chrono::hours(24 * 8));
  EXPECT_EQ(Ram("AcceptResourceShareInvitation", {{"resourceShareInvitationArn", inv}}, kOther)
                .status()
                .code(),
            ErrorCode::kResourceShareInvitationExpired);
  EXPECT_EQ((*Ram("GetResourceShareInvitations", json::object(),
                  kOther))["resourceShareInvitations"][0]["status"],
            "EXPIRED");
  EXPECT_TRUE(Effective(kCaId).empty());
}

TEST_F(RamTest, RejectedCreatesLeaveNoShare) {
  std::string others_ca = MakeCa("bbbbbbbb-1111-2222-3333-444444444444", kOther);
  std::string deleted = MakeCa("cccccccc-1111-2222-3333-444444444444", kOwner, "DELETED");
  struct Case {
    const char* name;
    json in;
    ErrorCode code;
  };
  std::vector<Case> cases = {
      {"malformed resource",
       {{"name", "s"}, {"resourceArns", {"not-an-arn"}}},
       ErrorCode::kMalformedArn},
      {"unknown CA",
       {{"name", "s"},
        {"resourceArns", {MakeCaArn("us-east-1", kOwner, "dddddddd-1111-2222-3333-444444444444")}}},
       ErrorCode::kUnknownResource},
      {"another account's CA",
       {{"name", "s"}, {"resourceArns", {others_ca}}},
       ErrorCode::kUnknownResource},
      {"deleted CA", {{"name", "s"}, {"resourceArns", {deleted}}}, ErrorCode::kUnknownResource},
      {"unsupported type",
       {{"name", "s"}, {"resourceArns", {"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"}}},
       ErrorCode::kInvalidParameter},
      {"bad principal",
       {{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {"bob"}}},
       ErrorCode::kInvalidParameter},
      {"owner as principal",
       {{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOwner}}},
       ErrorCode::kInvalidParameter},
      {"malformed principal ARN",
       {{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {"arn:aws:s3:::b"}}},
       ErrorCode::kMalformedArn},
      {"unknown permission",
       {{"name", "s"},
        {"resourceArns", {ca_}},
        {"permissionArns", {"arn:aws:ram::aws:permission/Nope"}}},
       ErrorCode::kUnknownResource},
      {"two permissions for one type",
       {{"name", "s"}, {"resourceArns", {ca_}}, {"permissionArns", {kDefault, kRevoke}}},
       ErrorCode::kInvalidParameter},
      {"external principal not allowed",
       {{"name", "s"},
        {"resourceArns", {ca_}},
        {"principals", {kOther}},
        {"allowExternalPrincipals", false}},
       ErrorCode::kOperationNotPermitted},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Ram("CreateResourceShare", c.in).status().code(), c.code) << c.name;
  }
  EXPECT_EQ(ShareCount(""), 0u);
  EXPECT_TRUE(sharing_.ListInvitations("")->empty());
}

TEST_F(RamTest, OwnershipAndArnErrors) {
  std::string share = Share({{"name", "s"}, {"resourceArns", {ca_}}});
  EXPECT_EQ(Ram("DeleteResourceShare", {{"resourceShareArn", share}}, kOther).status().code(),
            ErrorCode::kUnknownResource);
  EXPECT_EQ(Ram("DeleteResourceShare", {{"resourceShareArn", "share"}}).status().code(),
            ErrorCode::kMalformedArn);
  EXPECT_EQ(sharing_.GetResourceShare(share)->status, "ACTIVE");
  EXPECT_EQ(
      Ram("GetResourceShares", {{"resourceOwner", "SELF"}, {"nextToken", "x"}}).status().code(),
      ErrorCode::kInvalidNextToken);
  EXPECT_EQ(Ram("ListResources", {{"resourceOwner", "SELF"}, {"resourceType", "ec2:Subnet"}})
                .status()
                .code(),
            ErrorCode::kInvalidResourceType);
}

TEST_F(RamTest, RejectedAssociateChangesNothing) {
  same_org_.insert(kOther);
  std::string share = Share({{"name", "s"}, {"principals", {kOther}}});
  EXPECT_EQ(Ram("AssociateResourceShare",
                {{"resourceShareArn", share}, {"resourceArns", {ca_}}, {"principals", {"bob"}}})
                .status()
                .code(),
            ErrorCode::kInvalidParameter);
  EXPECT_TRUE(sharing_.ListShareResources({share, ""})->empty());
  EXPECT_EQ(sharing_.ListSharePrincipals({share, ""})->size(), 1u);
  EXPECT_TRUE(Effective(kCaId).empty());
  EXPECT_EQ(Ram("AssociateResourceShare",
                {{"resourceShareArn", share},
                 {"resourceArns",
                  {MakeCaArn("us-east-1", kOther, "bbbbbbbb-1111-2222-3333-444444444444")}}})
                .status()
                .code(),
            ErrorCode::kUnknownResource);
  EXPECT_TRUE(sharing_.ListShareResources({share, ""})->empty());
}

TEST_F(RamTest, GetResourceSharesFiltersAndPages) {
  Share({{"name", "a"}, {"tags", {{{"key", "team"}, {"value", "pki"}}}}});
  Share({{"name", "b"}});
  Share({{"name", "c"}});
  auto all = Ram("GetResourceShares", {{"resourceOwner", "SELF"}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["resourceShares"].size(), 3u);
  EXPECT_EQ((*all)["resourceShares"][0]["status"], "ACTIVE");
  EXPECT_TRUE((*all)["resourceShares"][0]["creationTime"].is_number());
  auto tagged = Ram(
      "GetResourceShares",
      {{"resourceOwner", "SELF"}, {"tagFilters", {{{"tagKey", "team"}, {"tagValues", {"pki"}}}}}});
  ASSERT_EQ((*tagged)["resourceShares"].size(), 1u);
  EXPECT_EQ((*tagged)["resourceShares"][0]["name"], "a");
  auto page = Ram("GetResourceShares", {{"resourceOwner", "SELF"}, {"maxResults", 2}});
  ASSERT_EQ((*page)["resourceShares"].size(), 2u);
  auto rest =
      Ram("GetResourceShares", {{"resourceOwner", "SELF"}, {"nextToken", (*page)["nextToken"]}});
  ASSERT_EQ((*rest)["resourceShares"].size(), 1u);
  EXPECT_FALSE(rest->contains("nextToken"));
  EXPECT_TRUE(
      (*Ram("GetResourceShares", {{"resourceOwner", "SELF"}}, kOther))["resourceShares"].empty());
}

TEST_F(RamTest, ListPrincipals) {
  same_org_.insert(kOther);
  Share({{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOther, kThird}}});
  auto mine = Ram("ListPrincipals", {{"resourceOwner", "SELF"}});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ((*mine)["principals"].size(), 1u);  // kThird has not accepted yet
  EXPECT_EQ((*mine)["principals"][0]["id"], kOther);
  EXPECT_EQ((*mine)["principals"][0]["external"], false);
  auto theirs = Ram("ListPrincipals", {{"resourceOwner", "OTHER-ACCOUNTS"}}, kOther);
  ASSERT_EQ((*theirs)["principals"].size(), 1u);
}

}  // namespace
}  // namespace openpca::services::testing
