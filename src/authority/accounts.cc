#include "authority/accounts.h"

#include <mutex>

namespace openpca::authority {
namespace {

constexpr char kAccountSetting[] = "account_id";
constexpr char kAdminKeySetting[] = "admin_access_key_id";

std::string RandomChars(Random& random, size_t n, std::string_view alphabet) {
  std::string out;
  while (out.size() < n) {
    for (uint8_t b : random.RandomBytes(n)) {
      // Rejection sampling keeps the distribution uniform.
      size_t limit = 256 - (256 % alphabet.size());
      if (b < limit && out.size() < n) out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

std::string SealedPurpose(const std::string& key_id) { return "access-key:" + key_id; }

}  // namespace

Accounts::Accounts(store::Store& store, const keys::SecretBox& box, Random& random,
                   const Clock& clock)
    : store_(store), box_(box), random_(random), clock_(clock) {}

Result<BootstrapResult> Accounts::Bootstrap(const std::optional<std::string>& fixed_key_id,
                                            const std::optional<std::string>& fixed_secret) {
  if (fixed_key_id.has_value() != fixed_secret.has_value()) {
    return Status(ErrorCode::kInvalidArgs,
                  "both the bootstrap access key id and secret access key must be given");
  }
  if (fixed_key_id.has_value() && (fixed_key_id->size() < 16 || fixed_key_id->size() > 128 ||
                                   fixed_secret->size() < 16)) {
    return Status(ErrorCode::kInvalidArgs,
                  "the bootstrap access key id must have 16-128 characters and the secret at "
                  "least 16");
  }
  ASSIGN_OR_RETURN(auto account, store_.GetSetting(kAccountSetting));
  if (!account.has_value()) {
    std::string id = RandomChars(random_, 1, "123456789") + RandomChars(random_, 11, "0123456789");
    RETURN_IF_ERROR(store_.PutSetting(kAccountSetting, id));
    account = id;
  }
  account_id_ = *account;

  BootstrapResult result;
  result.account_id = account_id_;
  ASSIGN_OR_RETURN(auto admin_id, store_.GetSetting(kAdminKeySetting));
  std::string key_id = fixed_key_id.value_or(admin_id.value_or(""));
  if (!key_id.empty()) {
    auto existing = Lookup(key_id);
    if (existing.ok()) {
      if (fixed_secret.has_value() && existing->secret_access_key != *fixed_secret) {
        return Status(ErrorCode::kInvalidArgs,
                      "the bootstrap access key id exists with a different secret");
      }
      if (!admin_id.has_value() || *admin_id != key_id) {
        RETURN_IF_ERROR(store_.PutSetting(kAdminKeySetting, key_id));
      }
      result.admin_key = std::move(existing).value();
      return result;
    }
    if (existing.status().code() != ErrorCode::kUnrecognizedClient) return existing.status();
  }

  AccessKey key;
  key.account_id = account_id_;
  key.access_key_id = fixed_key_id.value_or(
      "AKIA" + RandomChars(random_, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
  key.secret_access_key = fixed_secret.value_or(RandomChars(
      random_, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
  ASSIGN_OR_RETURN(Bytes sealed,
                   box_.Seal(AsSpan(key.secret_access_key), SealedPurpose(key.access_key_id)));
  store::AccessKeyRecord record{key.access_key_id, account_id_, sealed,
                                ToUnixMillis(clock_.Now())};
  RETURN_IF_ERROR(store_.InsertAccessKey(record));
  RETURN_IF_ERROR(store_.PutSetting(kAdminKeySetting, key.access_key_id));
  {
    std::unique_lock lock(mu_);
    cache_[key.access_key_id] = key;
  }
  result.admin_key = key;
  result.created = true;
  return result;
}

Result<AccessKey> Accounts::Lookup(const std::string& access_key_id) {
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(access_key_id);
    if (it != cache_.end()) return it->second;
  }
  auto record = store_.GetAccessKey(access_key_id);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kResourceNotFound) {
      return Status(ErrorCode::kUnrecognizedClient,
                    "The security token included in the request is invalid.");
    }
    return record.status();
  }
  ASSIGN_OR_RETURN(Bytes secret, box_.Open(record->sealed_secret, SealedPurpose(access_key_id)));
  AccessKey key{access_key_id, std::string(AsStringView(secret)), record->account_id};
  std::unique_lock lock(mu_);
  cache_[access_key_id] = key;
  return key;
}

}  // namespace openpca::authority
