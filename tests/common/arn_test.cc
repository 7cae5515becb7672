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

}  // namespace
}  // namespace openpca
