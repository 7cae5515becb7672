#include "authority/authority.h"

#include "authority/issuer_context.h"

namespace openpca::authority {

Authority::Authority(store::Store& store, keys::KeyStore& keys, const Clock& clock,
                     Random& random, AuthorityOptions options)
    : store_(store), keys_(keys), clock_(clock), random_(random), options_(std::move(options)) {}

Authority::~Authority() = default;

}  // namespace openpca::authority
