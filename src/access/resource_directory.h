// EndpointResources: the ResourceDirectory of the endpoint. It knows, per ARN:
//   - acm-pca CAs: the owner account, the CA's tags (aws:ResourceTag/*) and its effective
//     resource policy (the CA's own PutPolicy document with the statements RAM shares and
//     acm.amazonaws.com permissions add);
//   - IAM roles, for sts:AssumeRole: the role's trust policy (the resource policy of that call)
//     and its tags;
//   - S3 buckets and objects: the bucket owner (the server's bootstrap account) and the bucket
//     policy;
//   - anything else: the account named in the ARN, no tags, no policy.
// Policy documents are parsed once through the PolicyCache. A CA's facts are kept per CA and
// reused while the store's resource-facts generation (store/facts_generation_store.h) has not
// moved: one small read per call instead of the CA row, its tags, its policy, its permissions and
// its shares. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "access/authorizer.h"
#include "policy/policy_cache.h"
#include "store/facts_generation_store.h"
#include "store/generation_cache.h"
#include "store/store.h"

namespace openpca::access {

struct RoleFacts {
  std::string account_id;
  std::string trust_policy;
  std::vector<std::pair<std::string, std::string>> tags;
};

class EndpointResources final : public ResourceDirectory {
 public:
  // The effective resource policy document of a CA just read, if any. Errors: kInternal.
  using CaPolicyLookup =
      std::function<Result<std::optional<std::string>>(const store::CaRecord& ca)>;
  // The role an ARN names, nullopt when it does not exist. Errors: kInternal.
  using RoleLookup = std::function<Result<std::optional<RoleFacts>>(std::string_view role_arn)>;

  EndpointResources(store::Store& store, CaPolicyLookup ca_policy, RoleLookup role,
                    policy::PolicyCache& cache);

  // The bucket's policy document, if any. Errors: kInternal.
  using BucketPolicyLookup =
      std::function<Result<std::optional<std::string>>(std::string_view bucket)>;
  // Buckets belong to `owner_account`. Before serving.
  void SetBuckets(BucketPolicyLookup policy, std::string owner_account) {
    bucket_policy_ = std::move(policy);
    bucket_owner_ = std::move(owner_account);
  }

  // CA facts are cached against `generation` from now on (null: read on every call). Before
  // serving; `generation` must outlive this.
  void SetFactsGeneration(store::FactsGenerationStore* generation) {
    ca_cache_.SetGeneration(generation);
  }

  Result<ResourceFacts> FactsOf(std::string_view arn, std::string_view action) const override;

  // CAs whose facts are cached (for tests).
  size_t cached_cas() const;

 private:
  Result<ResourceFacts> CaFacts(std::string_view arn) const;
  // Reads the facts of a CA; nullopt when it does not exist.
  Result<std::optional<ResourceFacts>> ReadCaFacts(std::string_view ca_id) const;
  Result<ResourceFacts> RoleFactsOf(std::string_view arn) const;
  Result<ResourceFacts> BucketFacts(std::string_view arn) const;

  store::Store& store_;
  CaPolicyLookup ca_policy_;
  RoleLookup role_;
  policy::PolicyCache& cache_;
  BucketPolicyLookup bucket_policy_;
  std::string bucket_owner_;

  // CA facts by CA id; without a generation every call reads them.
  mutable store::GenerationCache<ResourceFacts> ca_cache_;
};

}  // namespace openpca::access
