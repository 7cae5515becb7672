// EventPattern: every operator against matching and non-matching events, and the patterns
// EventBridge refuses (InvalidEventPatternException).
#include "events/pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace openpca::events {
namespace {

using nlohmann::json;

// The issuance event as Private CA publishes it, plus a detail rich enough for every operator.
json Event() {
  return json::parse(R"({
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "ACM Private CA Certificate Issuance", "source": "aws.acm-pca",
    "account": "111122223333", "time": "2019-11-04T19:57:46Z", "region": "us-east-1",
    "resources": ["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca1",
                  "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca1/certificate/ab"],
    "detail": {"result": "success", "count": 5, "ratio": 0.25, "flag": true, "nothing": null,
               "state": "Running", "file": "dir/lib/image.PNG", "ip": "10.0.0.7",
               "tags": ["a", "b"], "nested": {"deep": {"value": "x"}},
               "items": [{"name": "n1", "size": 1}, {"name": "n2", "size": 2}], "empty": []}
  })");
}

struct Case {
  const char* name;
  const char* pattern;
  bool matches;
};

class PatternMatchTest : public ::testing::TestWithParam<Case> {};

TEST_P(PatternMatchTest, MatchesAsEventBridge) {
  const Case& c = GetParam();
  Result<EventPattern> p = EventPattern::Compile(c.pattern);
  ASSERT_TRUE(p.ok()) << c.name << ": " << p.status().message();
  EXPECT_EQ(p->Matches(Event()), c.matches) << c.name << ": " << c.pattern;
}

const Case kCases[] = {
    // Exact values, arrays as OR, nested objects.
    {"source", R"({"source": ["aws.acm-pca"]})", true},
    {"source other", R"({"source": ["aws.acm"]})", false},
    {"or in array", R"({"source": ["aws.acm", "aws.acm-pca"]})", true},
    {"and across fields",
     R"({"source": ["aws.acm-pca"], "detail-type": ["ACM Private CA Certificate Issuance"]})",
     true},
    {"and one fails",
     R"({"source": ["aws.acm-pca"], "detail-type": ["ACM Private CA Certificate Revocation"]})",
     false},
    {"case sensitive", R"({"source": ["AWS.ACM-PCA"]})", false},
    {"nested", R"({"detail": {"result": ["success"]}})", true},
    {"nested miss", R"({"detail": {"result": ["failure"]}})", false},
    {"deep", R"({"detail": {"nested": {"deep": {"value": ["x"]}}}})", true},
    {"absent field", R"({"detail": {"missing": ["x"]}})", false},
    {"event array any element",
     R"({"resources": ["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca1"]})",
     true},
    {"tags array", R"({"detail": {"tags": ["b"]}})", true},
    {"number exact", R"({"detail": {"count": [5]}})", true},
    {"number numeric equality", R"({"detail": {"count": [5.0]}})", true},
    {"number vs string", R"({"detail": {"count": ["5"]}})", false},
    {"bool", R"({"detail": {"flag": [true]}})", true},
    {"bool other", R"({"detail": {"flag": [false]}})", false},
    {"null", R"({"detail": {"nothing": [null]}})", true},
    {"null vs absent", R"({"detail": {"missing": [null]}})", false},
    {"object array same element", R"({"detail": {"items": {"name": ["n1"], "size": [1]}}})", true},
    {"object array across elements", R"({"detail": {"items": {"name": ["n1"], "size": [2]}}})",
     false},
    // prefix / suffix, with and without case folding.
    {"prefix", R"({"source": [{"prefix": "aws."}]})", true},
    {"prefix miss", R"({"source": [{"prefix": "custom."}]})", false},
    {"prefix on number", R"({"detail": {"count": [{"prefix": "5"}]}})", false},
    {"prefix ignore case", R"({"detail": {"state": [{"prefix": {"equals-ignore-case": "RUN"}}]}})",
     true},
    {"suffix", R"({"detail": {"file": [{"suffix": ".PNG"}]}})", true},
    {"suffix case", R"({"detail": {"file": [{"suffix": ".png"}]}})", false},
    {"suffix ignore case", R"({"detail": {"file": [{"suffix": {"equals-ignore-case": ".png"}}]}})",
     true},
    {"equals-ignore-case", R"({"detail": {"state": [{"equals-ignore-case": "rUnNiNg"}]}})", true},
    {"equals-ignore-case miss", R"({"detail": {"state": [{"equals-ignore-case": "run"}]}})", false},
    // anything-but.
    {"anything-but value", R"({"detail": {"state": [{"anything-but": "Stopped"}]}})", true},
    {"anything-but same", R"({"detail": {"state": [{"anything-but": "Running"}]}})", false},
    {"anything-but list", R"({"detail": {"state": [{"anything-but": ["Stopped", "Running"]}]}})",
     false},
    {"anything-but numbers", R"({"detail": {"count": [{"anything-but": [1, 2, 3]}]}})", true},
    {"anything-but number same", R"({"detail": {"count": [{"anything-but": 5}]}})", false},
    {"anything-but absent", R"({"detail": {"missing": [{"anything-but": "x"}]}})", false},
    {"anything-but prefix", R"({"region": [{"anything-but": {"prefix": "eu-"}}]})", true},
    {"anything-but prefix same", R"({"region": [{"anything-but": {"prefix": "us-"}}]})", false},
    {"anything-but suffix", R"({"detail": {"file": [{"anything-but": {"suffix": ".PNG"}}]}})",
     false},
    {"anything-but ignore case",
     R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["running"]}}]}})", false},
    {"anything-but ignore case other",
     R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": "stopped"}}]}})", true},
    {"anything-but wildcard",
     R"({"detail": {"file": [{"anything-but": {"wildcard": "*/lib/*"}}]}})", false},
    {"anything-but array element", R"({"detail": {"tags": [{"anything-but": "a"}]}})", true},
    // numeric.
    {"numeric =", R"({"detail": {"count": [{"numeric": ["=", 5]}]}})", true},
    {"numeric = miss", R"({"detail": {"count": [{"numeric": ["=", 6]}]}})", false},
    {"numeric <", R"({"detail": {"count": [{"numeric": ["<", 5]}]}})", false},
    {"numeric <=", R"({"detail": {"count": [{"numeric": ["<=", 5]}]}})", true},
    {"numeric >", R"({"detail": {"count": [{"numeric": [">", 4.5]}]}})", true},
    {"numeric >=", R"({"detail": {"count": [{"numeric": [">=", 6]}]}})", false},
    {"numeric range", R"({"detail": {"ratio": [{"numeric": [">", 0, "<=", 0.25]}]}})", true},
    {"numeric open range", R"({"detail": {"ratio": [{"numeric": [">", 0, "<", 0.25]}]}})", false},
    {"numeric closed bottom", R"({"detail": {"count": [{"numeric": [">=", 5, "<", 10]}]}})", true},
    {"numeric on string", R"({"detail": {"state": [{"numeric": [">", 0]}]}})", false},
    // exists.
    {"exists true", R"({"detail": {"state": [{"exists": true}]}})", true},
    {"exists true absent", R"({"detail": {"missing": [{"exists": true}]}})", false},
    {"exists false absent", R"({"detail": {"missing": [{"exists": false}]}})", true},
    {"exists false present", R"({"detail": {"state": [{"exists": false}]}})", false},
    {"exists null is present", R"({"detail": {"nothing": [{"exists": true}]}})", true},
    {"exists on object", R"({"detail": {"nested": [{"exists": true}]}})", false},
    {"exists empty array", R"({"detail": {"empty": [{"exists": false}]}})", true},
    {"exists false under absent object", R"({"other": {"x": [{"exists": false}]}})", true},
    // wildcard, cidr, $or.
    {"wildcard", R"({"detail": {"file": [{"wildcard": "dir/*/image.*"}]}})", true},
    {"wildcard miss", R"({"detail": {"file": [{"wildcard": "*.jpg"}]}})", false},
    {"wildcard escaped star", R"({"detail": {"file": [{"wildcard": "dir\\*"}]}})", false},
    {"cidr", R"({"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}})", true},
    {"cidr miss", R"({"detail": {"ip": [{"cidr": "10.0.1.0/24"}]}})", false},
    {"$or", R"({"$or": [{"source": ["aws.acm"]}, {"detail": {"count": [5]}}]})", true},
    {"$or none", R"({"$or": [{"source": ["aws.acm"]}, {"detail": {"count": [6]}}]})", false},
    {"mixed alternatives", R"({"detail": {"state": ["Stopped", {"prefix": "Run"}]}})", true},
};

// Named by position, so that test names are the same in every build.
INSTANTIATE_TEST_SUITE_P(Table, PatternMatchTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return "Case" + std::to_string(info.index); });

struct BadCase {
  const char* pattern;
  const char* reason;
};

class PatternInvalidTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PatternInvalidTest, RefusedWithInvalidEventPattern) {
  const BadCase& c = GetParam();
  Result<EventPattern> p = EventPattern::Compile(c.pattern);
  ASSERT_FALSE(p.ok()) << c.pattern;
  EXPECT_EQ(p.status().code(), ErrorCode::kInvalidPolicy);
  EXPECT_EQ(p.status().message(), std::string("Event pattern is not valid. Reason: ") + c.reason)
      << c.pattern;
}

const BadCase kBadCases[] = {
    {"{", "Invalid JSON"},
    {"[]", "Filter is not an object"},
    {"{}", "Empty objects are not allowed"},
    {R"({"source": "aws.acm-pca"})", "\"source\" must be an object or an array"},
    {R"({"source": []})", "Empty arrays are not allowed"},
    {R"({"detail": {}})", "Empty objects are not allowed"},
    {R"({"source": [["a"]]})", "Match value must be String, number, true, false, or null"},
    {R"({"source": [{"regex": "a.*"}]})", "Unrecognized match type regex"},
    {R"({"source": [{}]})", "Match expression name not found"},
    {R"({"source": [{"prefix": 1}]})", "prefix match pattern must be a string"},
    {R"({"source": [{"prefix": "a", "suffix": "b"}]})", "Only one key allowed in match expression"},
    {R"({"source": [{"exists": "yes"}]})", "exists match pattern must be either true or false."},
    {R"({"n": [{"numeric": [">", "a"]}]})", "Value of > must be numeric"},
    {R"({"n": [{"numeric": ["!=", 1]}]})", "Unrecognized numeric range operator: !="},
    {R"({"n": [{"numeric": [">", 5, "<", 1]}]})", "Bottom must be less than top"},
    {R"({"n": [{"numeric": [">", 0, ">", 1]}]})", "Bad numeric range operator: >"},
    {R"({"n": [{"numeric": ["<", 0, ">", 1]}]})", "Too many elements in numeric expression"},
    {R"({"n": [{"numeric": 5}]})", "Value of numeric must be an array."},
    {R"({"n": [{"anything-but": [1, "a"]}]})",
     "Inside anything but list, either all values are number or string, mixed type is not "
     "supported"},
    {R"({"n": [{"anything-but": {"contains": "a"}}]})",
     "Unsupported anything-but pattern: contains"},
    {R"({"n": [{"anything-but": {"prefix": ""}}]})", "Null prefix/suffix not allowed"},
    {R"({"n": [{"anything-but": true}]})",
     "Value of anything-but must be an array or single string/number value."},
    {R"({"n": [{"wildcard": "a**b"}]})", "Consecutive wildcard characters at pos 2"},
    {R"({"n": [{"cidr": "10.0.0.0/33"}]})", "Malformed CIDR: 10.0.0.0/33"},
    {R"({"$or": [{"a": ["1"]}]})", "There must have at least 2 Objects in $or relationship."},
    {R"({"$or": {"a": ["1"]}})", "It must be an Array followed with $or."},
    {R"({"$or": [{"prefix": ["1"]}, {"b": ["2"]}]})",
     "prefix is Ruler reserved fieldName which cannot be used inside $or."},
};

INSTANTIATE_TEST_SUITE_P(Table, PatternInvalidTest, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return "Case" + std::to_string(info.index); });

}  // namespace
}  // namespace openpca::events
