#include "authority/authority.h"

#include "authority/issuer_context.h"
#include "common/arn.h"

namespace openpca::authority {

Authority::Authority(store::Store& store, keys::KeyStore& keys, const Clock& clock,
                     Random& random, AuthorityOptions options)
    : store_(store),
      keys_(keys),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      crl_partitions_(store, clock, random, options_.crl_partition_capacity),
      public_url_(options_.public_url) {}

Status Authority::ProbeCrlBucket(const nlohmann::json& config, const std::string& ca_account,
                                 const std::string& ca_arn) {
  if (!crl_hooks_.probe_bucket || !config.is_object()) return Status::Ok();
  auto crl = config.find("CrlConfiguration");
  if (crl == config.end() || !crl->is_object() || !crl->value("Enabled", false)) {
    return Status::Ok();
  }
  const std::string bucket = crl->value("S3BucketName", "");
  if (bucket.empty()) return Status::Ok();
  const bool public_read = crl->value("S3ObjectAcl", "PUBLIC_READ") != "BUCKET_OWNER_FULL_CONTROL";
  Status written = crl_hooks_.probe_bucket(bucket, public_read, ca_account, ca_arn);
  if (written.ok()) return Status::Ok();
  // AWS's answer when it cannot write the bucket (what the cause was stays in the server log).
  return Status(ErrorCode::kValidation,
                "Permission error with your S3 bucket '" + bucket +
                    "'. Check that your bucket policy, encryption settings, S3 Block Public "
                    "Access settings, and global account permissions are configured correctly. "
                    "For more information, check the service documentation.");
}

void Authority::SetPublicUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard<std::mutex> lock(public_url_mu_);
  public_url_ = std::move(url);
}

std::string Authority::PublicUrl() const {
  std::lock_guard<std::mutex> lock(public_url_mu_);
  return public_url_;
}

void Authority::NotifyEvent(AuthorityEvent::Kind kind, const store::CaRecord& ca,
                            std::string certificate_arn) {
  if (!event_listener_) return;
  AuthorityEvent event;
  event.kind = kind;
  event.account_id = ca.account_id;
  std::optional<CaArn> parsed = ParseCaArn(ca.arn);
  event.region = parsed.has_value() ? parsed->region : options_.region;
  event.ca_arn = ca.arn;
  event.certificate_arn = std::move(certificate_arn);
  event_listener_(event);
}

Authority::~Authority() = default;

}  // namespace openpca::authority
