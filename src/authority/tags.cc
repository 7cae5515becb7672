// Tags on certificate authorities.
#include <algorithm>

#include "authority/authority.h"

namespace openpca::authority {
namespace {

constexpr size_t kMaxTags = 50;

Status CheckTaggable(const store::CaRecord& ca) {
  if (ca.status == "DELETED") {
    return Status(ErrorCode::kInvalidState,
                  "The certificate authority " + ca.arn + " is in the DELETED state.");
  }
  return Status::Ok();
}

// AWS reserves the prefix "aws:" in any case ("aws:", "AWS:", "Aws:", ...) for its own tags;
// neither TagCertificateAuthority nor UntagCertificateAuthority accepts such a key.
Status CheckNoReservedKeys(const std::vector<store::Tag>& tags) {
  for (const auto& t : tags) {
    if (t.key.size() >= 4 && (t.key[0] | 0x20) == 'a' && (t.key[1] | 0x20) == 'w' &&
        (t.key[2] | 0x20) == 's' && t.key[3] == ':') {
      return Status(ErrorCode::kInvalidTag, "Tag keys starting with \"aws:\" are reserved.");
    }
  }
  return Status::Ok();
}

}  // namespace

Status Authority::TagCertificateAuthority(const Caller& caller, const std::string& ca_arn,
                                          const std::vector<store::Tag>& tags) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  RETURN_IF_ERROR(CheckTaggable(ca));
  RETURN_IF_ERROR(CheckNoReservedKeys(tags));
  ASSIGN_OR_RETURN(std::vector<store::Tag> current, store_.GetTags(ca.id));
  for (const auto& t : tags) {
    auto it = std::find_if(current.begin(), current.end(),
                           [&](const store::Tag& c) { return c.key == t.key; });
    if (it != current.end()) {
      it->value = t.value;
    } else {
      current.push_back(t);
    }
  }
  if (current.size() > kMaxTags) {
    return Status(ErrorCode::kTooManyTags,
                  "A certificate authority can have at most 50 tags.");
  }
  return store_.ReplaceTags(ca.id, current);
}

Status Authority::UntagCertificateAuthority(const Caller& caller, const std::string& ca_arn,
                                            const std::vector<store::Tag>& tags) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  RETURN_IF_ERROR(CheckTaggable(ca));
  RETURN_IF_ERROR(CheckNoReservedKeys(tags));
  ASSIGN_OR_RETURN(std::vector<store::Tag> current, store_.GetTags(ca.id));
  size_t before = current.size();
  for (const auto& t : tags) {
    // A key alone removes the tag whatever its value; key and value remove it only on a match.
    std::erase_if(current, [&](const store::Tag& c) {
      return c.key == t.key && (!t.value.has_value() || c.value.value_or("") == *t.value);
    });
  }
  if (current.size() == before) return Status::Ok();
  return store_.ReplaceTags(ca.id, current);
}

Result<TagPage> Authority::ListTags(const Caller& caller, const std::string& ca_arn,
                                    int max_results, const std::string& next_token) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  ASSIGN_OR_RETURN(std::vector<store::Tag> all, store_.GetTags(ca.id));
  size_t start = 0;
  if (!next_token.empty()) {
    auto raw = Base64Decode(next_token);
    std::string text = raw ? std::string(AsStringView(*raw)) : "";
    if (text.rfind("tags:", 0) != 0) {
      return Status(ErrorCode::kInvalidNextToken, "The token is not valid.");
    }
    try {
      start = std::stoul(text.substr(5));
    } catch (...) {
      return Status(ErrorCode::kInvalidNextToken, "The token is not valid.");
    }
  }
  size_t limit = max_results > 0 ? static_cast<size_t>(max_results) : all.size();
  TagPage page;
  for (size_t i = start; i < all.size() && page.tags.size() < limit; ++i) {
    page.tags.push_back(all[i]);
  }
  size_t next = start + page.tags.size();
  if (next < all.size()) {
    page.next_token = Base64Encode(AsSpan("tags:" + std::to_string(next)));
  }
  return page;
}

}  // namespace openpca::authority
