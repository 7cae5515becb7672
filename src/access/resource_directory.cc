#include "access/resource_directory.h"

#include "common/arn.h"

namespace openpca::access {

EndpointResources::EndpointResources(store::Store& store, CaPolicyLookup ca_policy,
                                     RoleLookup role, policy::PolicyCache& cache)
    : store_(store), ca_policy_(std::move(ca_policy)), role_(std::move(role)), cache_(cache) {}

Result<ResourceFacts> EndpointResources::FactsOf(std::string_view arn,
                                                 std::string_view action) const {
  if (arn.find(":acm-pca:") != std::string_view::npos) return CaFacts(arn);
  if (arn.find(":s3:::") != std::string_view::npos) return BucketFacts(arn);
  if (action == "sts:AssumeRole" && arn.find(":iam::") != std::string_view::npos &&
      arn.find(":role/") != std::string_view::npos) {
    return RoleFactsOf(arn);
  }
  return ResourceFacts{};
}

Result<ResourceFacts> EndpointResources::CaFacts(std::string_view arn) const {
  ResourceFacts facts;
  // Certificate ARNs (<ca arn>/certificate/<serial>) are facts of their CA.
  std::string_view ca_part = arn.substr(0, arn.find("/certificate/"));
  std::optional<CaArn> ca = ParseCaArn(ca_part);
  if (!ca.has_value()) return facts;  // the handler answers InvalidArn to an allowed caller
  facts.owner_account = ca->account_id;
  // A CA that does not exist is not kept: its creation moves the generation anyway.
  ASSIGN_OR_RETURN(
      std::optional<ResourceFacts> kept,
      ca_cache_.Get(ca->ca_id, [this](std::string_view id) { return ReadCaFacts(id); }));
  if (!kept.has_value()) return facts;
  return std::move(*kept);
}

Result<std::optional<ResourceFacts>> EndpointResources::ReadCaFacts(
    std::string_view ca_id) const {
  Result<store::CaRecord> record = store_.GetCa(ca_id);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kResourceNotFound) {
      return std::optional<ResourceFacts>();
    }
    return record.status();
  }
  ResourceFacts facts;
  // The CA's own account, whatever account its ARN was typed with.
  facts.owner_account = record->account_id;
  ASSIGN_OR_RETURN(std::vector<store::Tag> tags, store_.GetTags(ca_id));
  for (store::Tag& t : tags) facts.tags.emplace_back(std::move(t.key), t.value.value_or(""));
  if (ca_policy_) {
    ASSIGN_OR_RETURN(std::optional<std::string> doc, ca_policy_(*record));
    if (doc.has_value()) {
      Result<PolicyPtr> parsed = cache_.GetOrParse(*doc, policy::PolicyKind::kResource);
      // A stored policy that no longer parses allows nothing (fail closed).
      if (!parsed.ok()) return InternalError("stored CA policy does not parse: " +
                                             parsed.status().message());
      facts.policy = std::move(parsed).value();
    }
  }
  return std::optional<ResourceFacts>(std::move(facts));
}

size_t EndpointResources::cached_cas() const { return ca_cache_.size(); }

Result<ResourceFacts> EndpointResources::BucketFacts(std::string_view arn) const {
  ResourceFacts facts;
  facts.owner_account = bucket_owner_;
  std::string_view rest = arn.substr(arn.find(":s3:::") + 6);
  std::string_view bucket = rest.substr(0, rest.find('/'));
  if (!bucket_policy_ || bucket.empty()) return facts;
  Result<std::optional<std::string>> doc = bucket_policy_(bucket);
  if (!doc.ok()) {
    // A bucket that does not exist has no policy (CreateBucket, or a NoSuchBucket answer).
    if (doc.status().code() == ErrorCode::kInternal) return doc.status();
    return facts;
  }
  if (!doc->has_value()) return facts;
  Result<PolicyPtr> parsed = cache_.GetOrParse(**doc, policy::PolicyKind::kResource);
  // A bucket policy that does not parse as a policy grants nothing.
  if (parsed.ok()) facts.policy = std::move(parsed).value();
  return facts;
}

Result<ResourceFacts> EndpointResources::RoleFactsOf(std::string_view arn) const {
  ResourceFacts facts;
  if (!role_) return facts;
  ASSIGN_OR_RETURN(std::optional<RoleFacts> role, role_(arn));
  if (!role.has_value()) return facts;  // no trust policy: nobody may assume it
  facts.owner_account = role->account_id;
  facts.tags = std::move(role->tags);
  Result<PolicyPtr> parsed = cache_.GetOrParse(role->trust_policy, policy::PolicyKind::kTrust);
  if (!parsed.ok()) {
    return InternalError("stored trust policy does not parse: " + parsed.status().message());
  }
  facts.policy = std::move(parsed).value();
  return facts;
}

}  // namespace openpca::access
