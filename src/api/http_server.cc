#include "api/http_server.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/pipeline.h"
#include "api/http_session.h"
#include "api/request_log.h"
#include "api/request_metrics.h"
#include "api/tls_context.h"
#include "api/worker_pool.h"
#include "common/buffered_random.h"
#include "common/random.h"
#include "common/thread_name.h"

namespace openpca::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

BeastResponse ToBeast(HttpResponse&& r) {
  BeastResponse res{static_cast<http::status>(r.status), 11};
  for (auto& [name, value] : r.headers) res.insert(name, value);
  res.body() = std::move(r.body);
  return res;
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

class ApiServer::Impl final : public SessionHost {
 public:
  Impl(Options options, CredentialLookup lookup, const Authorizer* authorizer, TlsContextPtr tls,
       std::shared_ptr<spdlog::logger> logger, const Clock& clock)
      : options_(std::move(options)),
        session_config_{options_.max_body_bytes, options_.header_timeout, options_.idle_timeout},
        logger_(std::move(logger)),
        pipeline_(PipelineOptionsOf(options_), std::move(lookup), authorizer, clock, logger_),
        tls_(std::move(tls)),
        iocs_(MakeContexts(options_.io_threads)),
        acceptor_strand_(net::make_strand(*iocs_[0])),
        acceptor_(acceptor_strand_),
        accept_timer_(acceptor_strand_),
        summary_timer_(acceptor_strand_) {
    if (options_.metrics != nullptr) {
      route_metrics_ = std::make_unique<RouteMetrics>(*options_.metrics);
    }
  }

  ~Impl() override { Stop(); }

  void RegisterOperation(std::string name, OperationHandler handler, ActionSpec action) {
    OPENPCA_CHECK(state_ == State::kCreated);
    pipeline_.AddOperation(ServiceModel::AcmPca().signing_name(), std::move(name),
                           std::move(handler), std::move(action));
  }

  Pipeline& pipeline() {
    OPENPCA_CHECK(state_ == State::kCreated);
    return pipeline_;
  }

  static Pipeline::Options PipelineOptionsOf(const Options& o) {
    Pipeline::Options po;
    po.regions = o.regions.empty() ? std::vector<std::string>{o.region} : o.regions;
    po.secure_transport = !o.tls_cert_file.empty();
    po.metrics = o.metrics;
    return po;
  }

  void AddRoute(Route route) {
    OPENPCA_CHECK(state_ == State::kCreated);
    OPENPCA_CHECK(route.handler != nullptr);
    OPENPCA_CHECK(route.inline_handler == nullptr || route.method != http::verb::head);
    if (route.label.empty()) {
      route.label = std::string(View(http::to_string(route.method))) + " " + route.path_prefix;
    }
    auto entry = std::make_unique<RouteEntry>(std::move(route));
    if (route_metrics_) entry->instruments = route_metrics_->ForRoute(entry->label);
    routes_.push_back(std::move(entry));
  }

  Status Start() {
    std::lock_guard lock(state_mu_);
    if (state_ != State::kCreated) return Status(ErrorCode::kInvalidState, "already started");
    beast::error_code ec;
    tcp::endpoint endpoint(net::ip::make_address(options_.host, ec), options_.port);
    if (ec) return Status(ErrorCode::kInvalidArgs, "bad listen address " + options_.host);
    auto fail = [&](const char* what) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return InternalError(std::string(what) + " " + options_.host + ":" +
                           std::to_string(options_.port) + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return fail("open");
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) return fail("SO_REUSEADDR");
    acceptor_.bind(endpoint, ec);
    if (ec) return fail("bind");
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen");
    port_ = acceptor_.local_endpoint().port();

    pool_ = std::make_unique<WorkerPool>(options_.worker_threads, options_.max_queued_requests);
    if (options_.metrics != nullptr) queue_collector_ = RegisterQueueCollector(*options_.metrics);
    for (auto& ioc : iocs_) work_.emplace_back(ioc->get_executor());
    net::post(acceptor_strand_, [this] { DoAccept(); });
    if (options_.inline_summary_interval.count() > 0) {
      net::post(acceptor_strand_, [this] { ArmSummaryTimer(); });
    }
    for (int i = 0; i < options_.io_threads; ++i) {
      io_threads_.emplace_back([this, i] {
        NameThisThread("http-io-" + std::to_string(i));
        RunIo(*iocs_[static_cast<size_t>(i)]);
      });
    }
    state_ = State::kRunning;
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  void Stop() {
    {
      std::unique_lock lock(state_mu_);
      if (state_ == State::kCreated || state_ == State::kStopped) {
        state_ = State::kStopped;
        state_cv_.notify_all();
        return;
      }
      if (state_ == State::kStopping) {
        state_cv_.wait(lock, [&] { return state_ == State::kStopped; });
        return;
      }
      state_ = State::kStopping;
    }
    stopping_.store(true);
    net::post(acceptor_strand_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_timer_.cancel();
      summary_timer_.cancel();
    });
    {
      std::vector<std::shared_ptr<HttpSession>> live;
      {
        std::lock_guard lock(sessions_mu_);
        for (auto& [ptr, weak] : sessions_) {
          if (auto s = weak.lock()) live.push_back(std::move(s));
        }
      }
      for (auto& s : live) s->Shutdown();
    }  // drop our references, or the sessions could never end
    {
      std::unique_lock lock(sessions_mu_);
      if (!sessions_cv_.wait_for(lock, options_.shutdown_timeout,
                                 [&] { return sessions_.empty(); })) {
        logger_->warn("{{\"event\":\"api_shutdown_timeout\",\"open_connections\":{}}}",
                      sessions_.size());
      }
    }
    work_.clear();
    for (auto& ioc : iocs_) ioc->stop();  // abandons whatever outlived the timeout
    for (std::thread& t : io_threads_) t.join();
    io_threads_.clear();
    pool_->Join();
    queue_collector_.Reset();
    LogInlineSummary();
    std::lock_guard lock(state_mu_);
    state_ = State::kStopped;
    state_cv_.notify_all();
  }

  void Wait() {
    std::unique_lock lock(state_mu_);
    state_cv_.wait(lock, [&] { return state_ == State::kStopped; });
  }

  // --- SessionHost ---

  void OnRequest(std::shared_ptr<HttpSession> session, BeastRequest&& req) override {
    auto started = std::chrono::steady_clock::now();
    std::string_view target = View(req.target());
    std::string_view path = target.substr(0, target.find('?'));
    if (req.method() == http::verb::get && path == "/health") {
      session->SendResponse(HealthResponse());
      return;
    }
    // The view is built only for matchers and inline handlers; on this I/O thread its header
    // list reuses one vector.
    thread_local std::vector<sigv4::Header> io_headers;
    std::optional<HttpRequest> view;
    auto get_view = [&]() -> const HttpRequest& {
      if (!view.has_value()) view.emplace(MakeView(*session, req, &io_headers));
      return *view;
    };
    const RouteEntry* route = FindRoute(req.method(), path, get_view);
    if (route != nullptr && route->inline_handler != nullptr) {
      std::optional<PreparedResponse> answer;
      try {
        answer = route->inline_handler(get_view());
      } catch (const std::exception& e) {
        logger_->error(
            "{{\"event\":\"inline_route_exception\",\"route\":\"{}\",\"what\":\"{}\"}}",
            route->label, e.what());
      }
      if (answer.has_value()) {
        route->inline_answered.fetch_add(1, std::memory_order_relaxed);
        if (route_metrics_) {
          route_metrics_->RecordRoute(route->instruments, answer->status, started);
        }
        session->SendPreparedResponse(std::move(*answer));
        return;
      }
    }
    // Requests no raw route takes go to the pipeline: POST / (JSON and query protocols) and the
    // REST services' paths; anything no service's protocol matches is refused here.
    if (route == nullptr && (req.method() != http::verb::post || path != "/") &&
        !pipeline_.MatchesRestService(get_view())) {
      session->SendResponse(
          Reject(*session, req, started,
                 Status(ErrorCode::kUnknownOperation, "No such resource: " + std::string(path))));
      return;
    }
    if (route == nullptr && pipeline_.IsQuickRead(get_view())) {
      // A quick read runs here, on this I/O thread: no hand-off to a worker and back.
      session->SendResponse(ToBeast(pipeline_.Handle(get_view(), NewRequestId(), started)));
      return;
    }
    if (!pool_->TryReserve()) {
      session->SendResponse(
          Reject(*session, req, started, Status(ErrorCode::kThrottling, "Rate exceeded")));
      return;
    }
    view.reset();  // points into `req`, which moves
    pool_->PostReserved(
        [this, session = std::move(session), req = std::move(req), route, started]() mutable {
          session->SendResponse(Process(*session, req, route, started));
        });
  }

  BeastResponse MakeTransportError(int http_status) override {
    Status status = http_status == 413
                        ? Status(ErrorCode::kRequestEntityTooLarge,
                                 "Request body is larger than " +
                                     std::to_string(options_.max_body_bytes) + " bytes")
                        : Status(ErrorCode::kSerialization, "Malformed HTTP request");
    return ToBeast(
        pipeline_.Reject(HttpRequest{}, status, NewRequestId(), std::chrono::steady_clock::now()));
  }

  void OnSessionClosed(HttpSession* session) override {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(session);
    if (sessions_.empty()) sessions_cv_.notify_all();
  }

  bool stopping() const override { return stopping_.load(std::memory_order_relaxed); }

 private:
  struct RouteEntry : Route {
    explicit RouteEntry(Route r) : Route(std::move(r)) {}
    mutable std::atomic<uint64_t> inline_answered{0};
    RouteMetrics::Route instruments;  // set when the server has metrics
    uint64_t inline_logged = 0;  // guarded by summary_mu_
  };
  enum class State { kCreated, kRunning, kStopping, kStopped };

  metrics::CollectorRegistration RegisterQueueCollector(metrics::Registry& registry) {
    return registry.AddCollector(metrics::MakeCollector([this](metrics::ExpositionWriter& out) {
      out.Begin("openpca_worker_queue_depth", "Requests waiting for a worker thread.",
                metrics::MetricType::kGauge);
      out.Sample("openpca_worker_queue_depth", {}, static_cast<double>(pool_->queued()));
      out.Begin("openpca_worker_queue_capacity",
                "Requests that may wait for a worker before ThrottlingException "
                "(max_queued_requests).",
                metrics::MetricType::kGauge);
      out.Sample("openpca_worker_queue_capacity", {},
                 static_cast<double>(options_.max_queued_requests));
    }));
  }

  // One event loop per I/O thread (concurrency hint 1: one thread runs it, others may post),
  // connections spread over them round-robin: a connection's handlers never move between I/O
  // threads, and no I/O thread waits for another one's reactor.
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  void RunIo(net::io_context& ioc) {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {  // a bug in a completion handler; keep serving
        logger_->error("{{\"event\":\"api_io_exception\",\"what\":\"{}\"}}", e.what());
      }
    }
  }

  void DoAccept() {
    net::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
    acceptor_.async_accept(ioc.get_executor(), [this](beast::error_code ec, SessionSocket s) {
      if (!acceptor_.is_open() || ec == net::error::operation_aborted) return;
      if (ec) {
        // E.g. out of file descriptors: back off instead of spinning.
        logger_->warn("{{\"event\":\"api_accept_error\",\"error\":\"{}\"}}", ec.message());
        accept_timer_.expires_after(std::chrono::milliseconds(50));
        accept_timer_.async_wait([this](beast::error_code e) {
          if (!e && acceptor_.is_open()) DoAccept();
        });
        return;
      }
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      std::shared_ptr<HttpSession> session =
          HttpSession::Create(std::move(s), tls_.get(), *this, session_config_);
      {
        std::lock_guard lock(sessions_mu_);
        sessions_.emplace(session.get(), session);
      }
      session->Start();
      DoAccept();
    });
  }

  // See "Routing" in http_server.h. `get_view` builds the request view on first use.
  template <typename GetView>
  const RouteEntry* FindRoute(http::verb method, std::string_view path, GetView& get_view) const {
    const RouteEntry* best = nullptr;
    for (const std::unique_ptr<RouteEntry>& entry : routes_) {
      const RouteEntry& r = *entry;
      if (r.method != method || !path.starts_with(r.path_prefix)) continue;
      if (best != nullptr) {
        const size_t len = r.path_prefix.size(), best_len = best->path_prefix.size();
        const bool better = len > best_len || (len == best_len && r.matcher != nullptr &&
                                               best->matcher == nullptr);
        if (!better) continue;
      }
      if (r.matcher != nullptr && !Matches(r, get_view())) continue;
      best = &r;
    }
    return best;
  }

  bool Matches(const RouteEntry& route, const HttpRequest& view) const {
    try {
      return route.matcher(view);
    } catch (const std::exception& e) {
      logger_->error(
          "{{\"event\":\"route_matcher_exception\",\"route\":\"{}\",\"what\":\"{}\"}}",
          route.label, e.what());
      return false;
    }
  }

  void ArmSummaryTimer() {
    summary_timer_.expires_after(options_.inline_summary_interval);
    summary_timer_.async_wait([this](beast::error_code ec) {
      if (ec || stopping()) return;
      LogInlineSummary();
      ArmSummaryTimer();
    });
  }

  // One line per route with inline answers since the previous summary.
  void LogInlineSummary() {
    std::lock_guard lock(summary_mu_);
    for (const std::unique_ptr<RouteEntry>& r : routes_) {
      if (r->inline_handler == nullptr) continue;
      const uint64_t total = r->inline_answered.load(std::memory_order_relaxed);
      if (total == r->inline_logged) continue;
      nlohmann::json line = {{"event", "api_inline_summary"},
                             {"action", r->label},
                             {"answered", total - r->inline_logged},
                             {"total", total},
                             {"interval_s", options_.inline_summary_interval.count()}};
      r->inline_logged = total;
      logger_->info("{}", line.dump());
    }
  }

  // On a worker thread.
  BeastResponse Process(const HttpSession& session, const BeastRequest& req, const RouteEntry* route,
                        std::chrono::steady_clock::time_point started) {
    std::vector<sigv4::Header> headers;
    HttpRequest view = MakeView(session, req, &headers);
    if (route == nullptr) return ToBeast(pipeline_.Handle(view, NewRequestId(), started));
    HttpResponse res;
    try {
      res = route->handler(view);
    } catch (const std::exception& e) {
      logger_->error("{{\"event\":\"raw_route_exception\",\"route\":\"{}\",\"what\":\"{}\"}}",
                     route->label, e.what());
      res = HttpResponse{500, {}, ""};
    }
    RequestLogEntry entry;
    entry.action = route->label;
    entry.source_ip = session.source_ip();
    entry.code = res.status < 400 ? ErrorCode::kOk : ErrorCode::kInvalidRequest;
    entry.http_status = res.status;
    entry.latency_ms = MillisSince(started);
    LogRequest(*logger_, entry);
    if (route_metrics_) route_metrics_->RecordRoute(route->instruments, res.status, started);
    return ToBeast(std::move(res));
  }

  BeastResponse Reject(const HttpSession& session, const BeastRequest& req,
                       std::chrono::steady_clock::time_point started, const Status& status) {
    std::vector<sigv4::Header> headers;
    HttpRequest view = MakeView(session, req, &headers);
    return ToBeast(pipeline_.Reject(view, status, NewRequestId(), started));
  }

  static HttpRequest MakeView(const HttpSession& session, const BeastRequest& req,
                              std::vector<sigv4::Header>* headers) {
    headers->clear();
    headers->reserve(16);
    for (const auto& field : req) {
      headers->push_back({View(field.name_string()), View(field.value())});
    }
    std::string_view target = View(req.target());
    size_t q = target.find('?');
    return HttpRequest{
        .method = View(req.method_string()),
        .target = target,
        .path = target.substr(0, q),
        .query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
        .headers = *headers,
        .body = req.body(),
        .source_ip = session.source_ip(),
        .tls_version = session.tls_version(),
        .tls_cipher = session.tls_cipher(),
    };
  }

  static BeastResponse HealthResponse() {
    BeastResponse res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"status":"ok"})";
    return res;
  }

  std::string NewRequestId() { return NewUuidV4(random_); }

  const Options options_;
  const SessionConfig session_config_;
  std::shared_ptr<spdlog::logger> logger_;
  Pipeline pipeline_;
  std::vector<std::unique_ptr<RouteEntry>> routes_;
  std::mutex summary_mu_;
  OpenSslRandom random_source_;
  BufferedRandom random_{random_source_};  // request ids: one DRBG call per ~250 of them
  TlsContextPtr tls_;

  // Declared before iocs_: sessions destroyed with pending handlers still unregister.
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions_;

  std::vector<std::unique_ptr<net::io_context>> iocs_;
  size_t next_ioc_ = 0;  // on acceptor_strand_
  net::strand<net::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_timer_;
  net::steady_timer summary_timer_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> io_threads_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<RouteMetrics> route_metrics_;  // null without Options::metrics
  metrics::CollectorRegistration queue_collector_;
  uint16_t port_ = 0;

  std::atomic<bool> stopping_{false};
  std::mutex state_mu_;
  std::condition_variable state_cv_;
  State state_ = State::kCreated;
};

Result<std::unique_ptr<ApiServer>> ApiServer::Create(Options options, CredentialLookup lookup,
                                                     const Authorizer* authorizer,
                                                     const Clock& clock) {
  if (options.io_threads < 1 || options.worker_threads < 1 || options.max_queued_requests < 1 ||
      options.max_body_bytes < 1) {
    return Status(ErrorCode::kInvalidArgs, "thread counts, queue and body limits must be >= 1");
  }
  beast::error_code ec;
  net::ip::make_address(options.host, ec);
  if (ec) return Status(ErrorCode::kInvalidArgs, "listen host must be an IP address");
  if (lookup == nullptr) return Status(ErrorCode::kInvalidArgs, "no credential lookup");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status(ErrorCode::kInvalidArgs, "TLS needs both a certificate and a key file");
  }
  TlsContextPtr tls;
  if (!options.tls_cert_file.empty()) {
    ASSIGN_OR_RETURN(tls, MakeServerTlsContext(options.tls_cert_file, options.tls_key_file));
  }
  std::shared_ptr<spdlog::logger> logger =
      options.request_logger != nullptr ? options.request_logger : spdlog::default_logger();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(lookup), authorizer,
                                     std::move(tls), std::move(logger), clock);
  impl->pipeline().AddService(ServiceModel::AcmPca());
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() {
  if (impl_ != nullptr) impl_->Stop();
}
void ApiServer::RegisterOperation(std::string name, OperationHandler handler,
                                  ActionSpec action) {
  impl_->RegisterOperation(std::move(name), std::move(handler), std::move(action));
}
Pipeline& ApiServer::pipeline() { return impl_->pipeline(); }
void ApiServer::RegisterRawRoute(boost::beast::http::verb method, std::string path_prefix,
                                 RawHandler handler) {
  Route route;
  route.method = method;
  route.path_prefix = std::move(path_prefix);
  route.handler = std::move(handler);
  impl_->AddRoute(std::move(route));
}
void ApiServer::AddRoute(Route route) { impl_->AddRoute(std::move(route)); }
Status ApiServer::Start() { return impl_->Start(); }
uint16_t ApiServer::port() const { return impl_->port(); }
void ApiServer::Stop() { impl_->Stop(); }
void ApiServer::Wait() { impl_->Wait(); }

}  // namespace openpca::api
