// JsonTextReplacingInvalidUtf8: the text of every JSON response, equal to
// dump(-1, ' ', false, replace) for valid and invalid UTF-8 alike (the fast path's equality with
// dump() over many values is tested in tests/audit/record_text_test.cc).
#include "common/json_text.h"

#include <gtest/gtest.h>

namespace openpca {
namespace {

std::string Replacing(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonTextTest, ResponsesEqualDumpWithReplacement) {
  nlohmann::json ok = {{"Certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n"},
                       {"n", 42},
                       {"f", 0.5},
                       {"list", {true, nullptr, "caf\xc3\xa9", "\x01\"\\"}}};
  EXPECT_EQ(JsonTextReplacingInvalidUtf8(ok), Replacing(ok));
  nlohmann::json bad = {{"Message", std::string("bad \xff\xfe byte")}, {"k", 1}};
  EXPECT_EQ(JsonTextReplacingInvalidUtf8(bad), Replacing(bad));
  EXPECT_NE(JsonTextReplacingInvalidUtf8(bad).find("\xef\xbf\xbd"), std::string::npos);
}

TEST(JsonObjectTextTest, WritesMembersInOrderNestsAndReportsBadUtf8) {
  std::string out;
  JsonObjectText empty(out);
  EXPECT_TRUE(empty.Close());
  EXPECT_EQ(out, "{}");

  out.clear();
  JsonObjectText o(out);
  o.String("a", "x\"y");
  JsonObjectText inner(o.Member("b"));
  inner.String("c", "\xc3\xa9");
  EXPECT_TRUE(inner.Close());
  o.Member("d") += "12";
  EXPECT_TRUE(o.Close());
  const nlohmann::json same = {{"a", "x\"y"}, {"b", {{"c", "\xc3\xa9"}}}, {"d", 12}};
  EXPECT_EQ(out, same.dump());

  std::string bad;
  JsonObjectText b(bad);
  b.String("a", "\xff");
  EXPECT_FALSE(b.Close());
}

}  // namespace
}  // namespace openpca
