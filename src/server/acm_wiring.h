// AWS Certificate Manager on the endpoint: its store, exportable key store, CertificateManager,
// operation table (through the pipeline) and scheduler (managed renewal, expiry events).
// Built by Serve() after the authority and the authorizer; lives as long as the server.
#pragma once

#include <memory>

#include "api/operation.h"
#include "api/pipeline.h"
#include "authority/authority.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/random.h"
#include "config/config.h"
#include "events/event.h"
#include "keys/secret_box.h"
#include "store/acm_store.h"
#include "store/sharing_store.h"

namespace openpca::server {

class AcmService {
 public:
  virtual ~AcmService() = default;
  // Starts the scheduler (a first pass runs at once).
  virtual void Start() = 0;
  virtual void Stop() = 0;
  // notAfter (Unix seconds) of at most `limit` certificates, soonest first, from those that
  // expired in the last 30 days on: the source of the metrics endpoint's ACM expiry histogram.
  virtual Result<std::vector<int64_t>> NearestExpiries(int limit) = 0;
};

// Registers the acm service on `pipeline`. `sink` (the event bus) receives ACM's events, and each
// is also written to the operational log (LoggingEventSink); `sink` may be null. Everything passed must outlive the result.
std::unique_ptr<AcmService> WireAcm(const config::ServerConfig& cfg, api::Pipeline& pipeline,
                                    const api::Authorizer& authorizer,
                                    store::AcmStore& acm, store::SharingStore& sharing,
                                    authority::Authority& authority,
                                    std::shared_ptr<const keys::SecretBox> box, const Clock& clock,
                                    Random& random, events::EventSink* sink,
                                    Leadership* leadership = nullptr);

}  // namespace openpca::server
