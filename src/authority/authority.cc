#include "authority/authority.h"

#include "authority/issuer_context.h"

namespace openpca::authority {

Authority::Authority(store::Store& store, keys::KeyStore& keys, const Clock& clock,
                     Random& random, AuthorityOptions options)
    : store_(store),
      keys_(keys),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      public_url_(options_.public_url) {}

void Authority::SetPublicUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard<std::mutex> lock(public_url_mu_);
  public_url_ = std::move(url);
}

std::string Authority::PublicUrl() const {
  std::lock_guard<std::mutex> lock(public_url_mu_);
  return public_url_;
}

Authority::~Authority() = default;

}  // namespace openpca::authority
