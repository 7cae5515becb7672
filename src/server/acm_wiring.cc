#include "server/acm_wiring.h"

#include <limits>

#include "api/model.h"
#include "common/arn.h"
#include "certmanager/certificate_manager.h"
#include "certmanager/logging_event_sink.h"
#include "certmanager/scheduler.h"
#include "keys/exportable_keys.h"
#include "services/acm/acm_operations.h"
#include "services/acm/actions.h"

namespace openpca::server {
namespace {

// ACM's events go to the event bus (EventBridge rules) and, one line each, to the operational
// log, where an operator without rules still sees expiry warnings and renewal failures.
class LoggedEventSink final : public events::EventSink {
 public:
  LoggedEventSink(events::EventSink* bus, events::EventSink& log) : bus_(bus), log_(log) {}
  void Publish(events::Event event) override {
    if (bus_ != nullptr) bus_->Publish(event);
    log_.Publish(std::move(event));
  }

 private:
  events::EventSink* const bus_;
  events::EventSink& log_;
};

class AcmServiceImpl final : public AcmService {
 public:
  AcmServiceImpl(const config::ServerConfig& cfg, store::AcmStore& acm,
                 store::SharingStore& sharing, authority::Authority& authority,
                 std::shared_ptr<const keys::SecretBox> box, const Clock& clock, Random& random,
                 events::EventSink* sink, Leadership* leadership)
      : clock_(clock),
        store_(acm),
        keys_(std::move(box)),
        logging_sink_(random),
        sink_(sink, logging_sink_),
        manager_(store_, sharing, authority, keys_, clock, random, sink_, Options(cfg)),
        scheduler_(manager_,
                   certmanager::AcmScheduler::Options{
                       std::chrono::seconds(cfg.acm_scheduler_interval_s), 1000, leadership}) {}

  void Start() override { scheduler_.Start(); }
  void Stop() override { scheduler_.Stop(); }
  Result<std::vector<int64_t>> NearestExpiries(int limit) override {
    const int64_t now_s = ToUnixSeconds(clock_.Now());
    return store_.NotAftersBetween(now_s - 30 * 86400, std::numeric_limits<int64_t>::max(),
                                   limit);
  }
  certmanager::CertificateManager& manager() { return manager_; }

 private:
  static certmanager::ManagerOptions Options(const config::ServerConfig& cfg) {
    certmanager::ManagerOptions o;
    o.default_region = cfg.region;
    return o;
  }

  const Clock& clock_;
  store::AcmStore& store_;
  keys::ExportableKeys keys_;
  certmanager::LoggingEventSink logging_sink_;
  LoggedEventSink sink_;
  certmanager::CertificateManager manager_;
  certmanager::AcmScheduler scheduler_;
};

}  // namespace

std::unique_ptr<AcmService> WireAcm(const config::ServerConfig& cfg, api::Pipeline& pipeline,
                                    const api::Authorizer& authorizer, store::AcmStore& acm,
                                    store::SharingStore& sharing, authority::Authority& authority,
                                    std::shared_ptr<const keys::SecretBox> box, const Clock& clock,
                                    Random& random, events::EventSink* sink,
                                    Leadership* leadership) {
  auto service = std::make_unique<AcmServiceImpl>(cfg, acm, sharing, authority, std::move(box),
                                                  clock, random, sink, leadership);
  services::acm::AcmDeps deps;
  deps.manager = &service->manager();
  // ACM has the CA issue on the caller's behalf: the caller needs acm-pca:IssueCertificate on
  // the CA, decided by the same authorizer (the CA's resource policy for other accounts).
  deps.authorize_ca_issue = [&authorizer](const api::CallContext& ctx,
                                          const std::string& ca_arn) -> Status {
    api::ActionSpec spec;
    spec.action = "acm-pca:IssueCertificate";
    api::ConditionKeys keys = {
        {"acm-pca:TemplateArn",
         {"arn:" + std::string(PartitionOfRegion(ctx.region)) +
          ":acm-pca:::template/EndEntityCertificate/V1"}}};
    return authorizer.Authorize(ctx, spec, ca_arn, keys);
  };
  pipeline.AddService(api::ServiceModel::Get("acm"));
  for (auto& [name, handler] : services::acm::AcmOperations(std::move(deps))) {
    pipeline.AddOperation("acm", name, std::move(handler), services::acm::ActionFor(name));
  }
  return service;
}

}  // namespace openpca::server
