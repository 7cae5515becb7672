// Pipeline: the one request path of every AWS service on the endpoint (acm-pca, IAM, STS,
// Organizations, RAM, ...). For each call, in this order:
//   1. authenticate  SigV4 (header or presigned query) with the credential scope's service and
//                    region; the credential lookup names the principal (root, user, role session)
//   2. decode        the service's protocol (JSON 1.1, query, REST-JSON) turns the wire into the
//                    operation and its model-named JSON input, validated against the model
//   3. authorize     the operation's ActionSpec (action, resource ARN, condition keys) goes to the
//                    Authorizer; a handler never checks permissions itself
//   4. handle        the operation's handler
//   5. record        the RecordHook sees every call, allowed, denied or failed
//   6. encode        the protocol writes the output or the error in the service's shape
// and writes one request log line.
//
// Services and operations are registered before serving; Handle() is then const and thread-safe
// (the lookup, authorizer, handlers and hook must be thread-safe too).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <spdlog/logger.h>

#include "api/http_types.h"
#include "api/model.h"
#include "api/operation.h"
#include "api/protocols/protocol.h"
#include "api/sigv4.h"
#include "common/clock.h"
#include "common/status.h"
#include "metrics/registry.h"

namespace openpca::api {

class CallMetrics;

// Sees every call once it has an outcome. `input` is null when the call failed before decoding.
using RecordHook = std::function<void(const CallContext& ctx, const nlohmann::json* input,
                                      const Result<nlohmann::json>& result)>;

// The audit trail's view of the pipeline (server/audit_wiring.cc implements it). Begin() runs
// after authorization, just before the handler, on the handler's thread; what it returns lives
// while the handler runs (it may install thread-local state for the handler's writes) and is
// handed back to End(). End() runs once per call, when the call has an outcome, for every call:
// with a null scope for calls that never reached the handler (rejected by authentication,
// decoding or authorization). Implementations are thread-safe and must not throw.
class CallObserver {
 public:
  class Scope {
   public:
    virtual ~Scope() = default;
  };
  virtual ~CallObserver() = default;
  virtual std::unique_ptr<Scope> Begin(const ServiceModel& model, const CallContext& ctx,
                                       const nlohmann::json& input) const = 0;
  virtual void End(std::unique_ptr<Scope> scope, const ServiceModel& model, const CallContext& ctx,
                   const nlohmann::json* input, const Result<nlohmann::json>& result) const = 0;
};

class Pipeline {
 public:
  struct Options {
    // Regions a credential scope may name; the first is the default region.
    std::vector<std::string> regions = {"us-east-1"};
    std::chrono::seconds max_clock_skew{15 * 60};
    // The listener speaks TLS: aws:SecureTransport is true for every call.
    bool secure_transport = false;
    // Counts every call and its latency here (request_metrics.h); null: no metrics.
    metrics::Registry* metrics = nullptr;
  };

  // `authorizer` may be null only in tests of the transport (every call is then allowed).
  Pipeline(Options options, CredentialLookup lookup, const Authorizer* authorizer,
           const Clock& clock, std::shared_ptr<spdlog::logger> logger);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Adds a service by its model (keyed by the model's signing name). The first service added is
  // the default: it answers requests that name no service. Not thread-safe; before serving.
  void AddService(const ServiceModel& model);
  // `name` must be an operation of the service's model (aborts otherwise: a wiring bug).
  void AddOperation(std::string_view service, std::string name, OperationHandler handler,
                    ActionSpec action);
  void SetRecordHook(RecordHook hook) { record_ = std::move(hook); }
  // Not owned; must outlive the pipeline. Before serving.
  void SetCallObserver(const CallObserver* observer) { observer_ = observer; }

  bool HasService(std::string_view service) const;
  // Whether a request that is not `POST /` is addressed to a REST service (its method and path
  // name an operation of one). Cheap; for the transport's routing.
  bool MatchesRestService(const HttpRequest& request) const;
  // Whether the request names an operation declared a quick read (ActionSpec::quick_read), which
  // the transport may run on its I/O thread. Cheap: looks at the operation's name only.
  bool IsQuickRead(const HttpRequest& request) const;

  // Runs the pipeline. `started` is when the request finished arriving (for the logged latency).
  // Never throws.
  HttpResponse Handle(const HttpRequest& request, std::string request_id,
                      std::chrono::steady_clock::time_point started) const;

  // Logs and answers a request rejected before Handle() (throttled, unknown route, transport
  // error), in the shape of the service it was addressed to.
  HttpResponse Reject(const HttpRequest& request, const Status& status, std::string request_id,
                      std::chrono::steady_clock::time_point started) const;

 private:
  struct Operation {
    OperationHandler handler;
    ActionSpec action;
  };
  struct Service {
    const ServiceModel* model = nullptr;
    std::unique_ptr<protocols::Protocol> protocol;
    std::unique_ptr<SigV4Verifier> verifier;
    std::unordered_map<std::string, Operation> operations;
  };

  // The service a request is addressed to: its SigV4 scope, else what the request looks like.
  const Service& ServiceFor(const HttpRequest& request) const;
  Result<nlohmann::json> Run(const Service& service, const HttpRequest& request, CallContext& ctx,
                             nlohmann::json& input, bool& decoded,
                             std::unique_ptr<CallObserver::Scope>& scope) const;
  // What an unauthenticated request claims: its access key id and, when the key is known, the
  // account it belongs to (for the record of the rejected call).
  void NoteClaimedIdentity(const HttpRequest& request, CallContext& ctx) const;
  HttpResponse Finish(const Service& service, const Result<nlohmann::json>& result,
                      const CallContext& ctx, const nlohmann::json* input,
                      std::unique_ptr<CallObserver::Scope> scope,
                      std::chrono::steady_clock::time_point started) const;

  Options options_;
  CredentialLookup lookup_;
  const Authorizer* authorizer_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> logger_;
  RecordHook record_;
  std::unique_ptr<CallMetrics> metrics_;  // null without Options::metrics
  const CallObserver* observer_ = nullptr;
  std::vector<std::unique_ptr<Service>> services_;  // [0] is the default
  std::unordered_map<std::string, Service*> by_signing_name_;
};

}  // namespace openpca::api
