#include "common/arn.h"

#include <gtest/gtest.h>

namespace openpca {
namespace {

constexpr char kCa[] =
    "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/"
    "11111111-2222-4333-8444-555555555555";

TEST(ArnTest, ParsesCaArn) {
  auto a = ParseCaArn(kCa);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->region, "us-east-1");
  EXPECT_EQ(a->account_id, "123456789012");
  EXPECT_EQ(a->ca_id, "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(a->ToString(), kCa);
}

TEST(ArnTest, RejectsOtherServicesAndShapes) {
  EXPECT_FALSE(ParseCaArn("arn:aws:acm:us-east-1:123456789012:certificate/abc").has_value());
  EXPECT_FALSE(ParseCaArn("arn:aws:acm-pca:us-east-1:12345:certificate-authority/"
                          "11111111-2222-4333-8444-555555555555")
                   .has_value());
  EXPECT_FALSE(ParseCaArn(std::string(kCa) + "/certificate/ab").has_value());
  EXPECT_FALSE(ParseCaArn("arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/nope")
                   .has_value());
}

TEST(ArnTest, ParsesCertificateArnAndLowercasesSerial) {
  auto c = ParseCertificateArn(std::string(kCa) + "/certificate/E8CBD2BEDB122329F97706BCFEC990F8");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->serial_hex, "e8cbd2bedb122329f97706bcfec990f8");
  EXPECT_EQ(c->ca.ca_id, "11111111-2222-4333-8444-555555555555");
  EXPECT_FALSE(ParseCertificateArn(std::string(kCa) + "/certificate/xyz").has_value());
}

TEST(ArnTest, ParsesTemplateArn) {
  EXPECT_EQ(*ParseTemplateArn("arn:aws:acm-pca:::template/EndEntityCertificate/V1"),
            "EndEntityCertificate/V1");
  EXPECT_FALSE(ParseTemplateArn("arn:aws:acm-pca:us-east-1::template/X/V1").has_value());
}

TEST(ArnTest, PartitionFollowsTheRegion) {
  EXPECT_EQ(PartitionOfRegion("us-east-1"), "aws");
  EXPECT_EQ(PartitionOfRegion("eu-west-3"), "aws");
  EXPECT_EQ(PartitionOfRegion("us-gov-west-1"), "aws-us-gov");
  EXPECT_EQ(PartitionOfRegion("us-gov-east-1"), "aws-us-gov");
  EXPECT_EQ(PartitionOfRegion("cn-north-1"), "aws-cn");
  EXPECT_EQ(PartitionOfRegion("cn-northwest-1"), "aws-cn");
  EXPECT_EQ(PartitionOfRegion("eusc-de-east-1"), "aws-eusc");
  // Only the prefix with its dash counts.
  EXPECT_EQ(PartitionOfRegion("us-govcloud"), "aws");
  EXPECT_EQ(PartitionOfRegion("cnx-1"), "aws");
  EXPECT_EQ(PartitionOfRegion(""), "aws");
}

TEST(ArnTest, CaAndTemplateArnsCarryThePartition) {
  const std::string gov = MakeCaArn("us-gov-west-1", "123456789012",
                                    "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(gov,
            "arn:aws-us-gov:acm-pca:us-gov-west-1:123456789012:certificate-authority/"
            "11111111-2222-4333-8444-555555555555");
  auto parsed = ParseCaArn(gov);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->partition, "aws-us-gov");
  EXPECT_EQ(MakeCaArn("cn-north-1", "123456789012", "11111111-2222-4333-8444-555555555555")
                .substr(0, 19),
            "arn:aws-cn:acm-pca:");
  EXPECT_EQ(MakeCaArn("us-east-1", "123456789012", "11111111-2222-4333-8444-555555555555"), kCa);
  EXPECT_EQ(MakeTemplateArn(gov, "EndEntityCertificate/V1"),
            "arn:aws-us-gov:acm-pca:::template/EndEntityCertificate/V1");
  EXPECT_EQ(MakeTemplateArn(kCa, "EndEntityCertificate/V1"),
            "arn:aws:acm-pca:::template/EndEntityCertificate/V1");
  // A template ARN of any partition names the same template.
  EXPECT_EQ(*ParseTemplateArn("arn:aws-cn:acm-pca:::template/RootCACertificate/V1"),
            "RootCACertificate/V1");
}

}  // namespace
}  // namespace openpca
