// ApiServer routes with inline handlers (answered on the I/O thread) and matchers.
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "api/http_server.h"
#include "api_test_util.h"

namespace openpca::api {
namespace {

using namespace openpca::api::testing;
using nlohmann::json;

TimePoint Now() { return ParseAmzDate("20260115T120000Z").value(); }

Request Get(std::string target, unsigned version = 11) {
  Request req{http::verb::get, target, version};
  req.set(http::field::host, "x");
  return req;
}

class InlineRouteTest : public ::testing::Test {
 protected:
  InlineRouteTest() : clock_(Now()) {
    sink_ = std::make_shared<CollectingSink>();
    logger_ = std::make_shared<spdlog::logger>("inline_test", sink_);
    logger_->set_pattern("%v");
    fields_ = std::make_shared<const std::string>("Content-Type: text/plain\r\nX-Fast: yes\r\n");
    body_ = std::make_shared<const std::string>("fast answer");
  }

  // Routes:
  //   GET /fast/...     inline: "hit" answers, "throw" throws, anything else declines;
  //                     worker: "slow <path>"
  //   GET /fast/gate    worker blocks until `release_` (for shutdown tests)
  //   GET /m/...        with matcher (header X-Pick: yes) and without, same prefix
  //   POST /            with matcher (Content-Type: application/x-special), else JSON protocol
  void StartServer(int io_threads = 1, std::chrono::seconds summary_interval = {}) {
    ApiServer::Options options;
    options.port = 0;
    options.io_threads = io_threads;
    options.worker_threads = 2;
    options.request_logger = logger_;
    options.inline_summary_interval = summary_interval;
    Result<std::unique_ptr<ApiServer>> server =
        ApiServer::Create(options, TestLookup(), nullptr, clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->RegisterOperation("ListCertificateAuthorities",
                               [](const CallContext&, const json&) -> Result<json> {
                                 return json{{"CertificateAuthorities", json::array()}};
                               });

    ApiServer::Route fast;
    fast.method = http::verb::get;
    fast.path_prefix = "/fast/";
    fast.inline_handler = [this](const HttpRequest& req) -> std::optional<PreparedResponse> {
      RecordThread(inline_threads_);
      if (req.path == "/fast/throw") throw std::runtime_error("inline bug");
      if (req.path != "/fast/hit") return std::nullopt;
      return PreparedResponse{200, fields_, *body_, body_};
    };
    fast.handler = [this](const HttpRequest& req) {
      RecordThread(worker_threads_);
      ++worker_calls_;
      if (req.path == "/fast/gate") {
        gate_entered_.set_value();
        release_.wait();
      }
      return HttpResponse{200, {{"Content-Type", "text/plain"}}, "slow " + std::string(req.path)};
    };
    server_->AddRoute(std::move(fast));

    ApiServer::Route plain;
    plain.method = http::verb::get;
    plain.path_prefix = "/m/";
    plain.handler = [](const HttpRequest&) { return HttpResponse{200, {}, "plain"}; };
    server_->AddRoute(std::move(plain));
    ApiServer::Route picky;
    picky.method = http::verb::get;
    picky.path_prefix = "/m/";
    picky.matcher = [](const HttpRequest& req) {
      if (req.Header("X-Pick") == "boom") throw std::runtime_error("matcher bug");
      return req.Header("X-Pick") == "yes";
    };
    picky.handler = [](const HttpRequest&) { return HttpResponse{200, {}, "picky"}; };
    picky.inline_handler = [this](const HttpRequest&) -> std::optional<PreparedResponse> {
      return PreparedResponse{200, nullptr, "picky inline", nullptr};
    };
    server_->AddRoute(std::move(picky));

    ApiServer::Route root_post;
    root_post.method = http::verb::post;
    root_post.path_prefix = "/";
    root_post.label = "POST / (special)";
    root_post.matcher = [](const HttpRequest& req) {
      return req.path == "/" && req.Header("Content-Type") == "application/x-special";
    };
    root_post.handler = [](const HttpRequest& req) {
      return HttpResponse{200, {}, "special " + std::string(req.body)};
    };
    server_->AddRoute(std::move(root_post));

    ASSERT_TRUE(server_->Start().ok());
  }

  void RecordThread(std::set<std::thread::id>& into) {
    std::lock_guard lock(mu_);
    into.insert(std::this_thread::get_id());
  }

  // Log lines with "event" == `event`.
  std::vector<json> Events(std::string_view event) {
    std::vector<json> out;
    for (const std::string& line : sink_->lines()) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("event", "") == event) out.push_back(j);
    }
    return out;
  }

  FakeClock clock_;
  std::shared_ptr<CollectingSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<const std::string> fields_;
  std::shared_ptr<const std::string> body_;
  std::unique_ptr<ApiServer> server_;
  std::mutex mu_;
  std::set<std::thread::id> inline_threads_;  // guarded by mu_
  std::set<std::thread::id> worker_threads_;  // guarded by mu_
  std::atomic<int> worker_calls_{0};
  std::promise<void> gate_entered_;
  std::shared_future<void> release_;
};

TEST_F(InlineRouteTest, HitIsAnsweredInlineWithPreparedFields) {
  StartServer();
  TestClient client(server_->port());
  for (int i = 0; i < 3; ++i) {  // keep-alive across inline answers
    Response res = client.Send(Get("/fast/hit"));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "fast answer");
    EXPECT_EQ(std::string(res[http::field::content_type]), "text/plain");
    EXPECT_EQ(std::string(res["X-Fast"]), "yes");
    EXPECT_EQ(std::string(res[http::field::content_length]), "11");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(worker_calls_.load(), 0);

  server_->Stop();
  // No per-request line; one summary at Stop() with the count.
  EXPECT_TRUE(Events("api_request").empty());
  std::vector<json> summary = Events("api_inline_summary");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0]["action"], "GET /fast/");
  EXPECT_EQ(summary[0]["answered"], 3);
  EXPECT_EQ(summary[0]["total"], 3);
}

TEST_F(InlineRouteTest, SummaryIsLoggedPeriodicallyWhileServing) {
  StartServer(1, std::chrono::seconds(1));
  TestClient client(server_->port());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(client.Send(Get("/fast/hit")).body(), "fast answer");
  // Periodic lines, before any Stop(), until they account for all four; polled with a generous
  // bound. Each line counts the answers since the previous one.
  auto sum_answered = [&] {
    int sum = 0;
    for (const json& line : Events("api_inline_summary")) sum += line["answered"].get<int>();
    return sum;
  };
  for (int i = 0; i < 200 && sum_answered() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<json> summary = Events("api_inline_summary");
  ASSERT_FALSE(summary.empty());
  EXPECT_EQ(sum_answered(), 4);
  EXPECT_EQ(summary.back()["total"], 4);
  EXPECT_EQ(summary.back()["interval_s"], 1);
  EXPECT_EQ(summary.back()["action"], "GET /fast/");
  // A later answer is in a later line, periodic or at Stop().
  EXPECT_EQ(client.Send(Get("/fast/hit")).body(), "fast answer");
  server_->Stop();
  summary = Events("api_inline_summary");
  EXPECT_EQ(sum_answered(), 5);
  EXPECT_EQ(summary.back()["answered"], 1);
  EXPECT_EQ(summary.back()["total"], 5);
}

TEST_F(InlineRouteTest, DeclinedRequestGoesToTheWorkerAndIsLogged) {
  StartServer();
  TestClient client(server_->port());
  Response res = client.Send(Get("/fast/miss"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "slow /fast/miss");
  EXPECT_EQ(worker_calls_.load(), 1);
  // Hits and misses interleave on one connection.
  EXPECT_EQ(client.Send(Get("/fast/hit")).body(), "fast answer");
  EXPECT_EQ(client.Send(Get("/fast/other")).body(), "slow /fast/other");
  EXPECT_EQ(worker_calls_.load(), 2);
  server_->Stop();
  {
    std::lock_guard lock(mu_);
    ASSERT_FALSE(inline_threads_.empty());
    ASSERT_FALSE(worker_threads_.empty());
    for (const auto& id : inline_threads_) EXPECT_EQ(worker_threads_.count(id), 0u);
  }
  std::vector<json> logged = Events("api_request");
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0]["action"], "GET /fast/");
  EXPECT_EQ(Events("api_inline_summary").size(), 1u);
}

TEST_F(InlineRouteTest, InlineExceptionFallsBackToTheWorker) {
  StartServer();
  TestClient client(server_->port());
  Response res = client.Send(Get("/fast/throw"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "slow /fast/throw");
  // The I/O thread survived: the same connection still gets inline answers.
  EXPECT_EQ(client.Send(Get("/fast/hit")).body(), "fast answer");
  server_->Stop();
  std::vector<json> errors = Events("inline_route_exception");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["what"], "inline bug");
}

TEST_F(InlineRouteTest, Http10AndConnectionClose) {
  StartServer();
  {
    // HTTP/1.0 without keep-alive: the answer says close and the server closes.
    TestClient client(server_->port());
    Response res = client.Send(Get("/fast/hit", 10));
    EXPECT_EQ(res.version(), 10u);
    EXPECT_EQ(res.body(), "fast answer");
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(client.PeerClosesWithin(std::chrono::seconds(2)));
  }
  {
    // HTTP/1.0 asking for keep-alive gets it, and a second answer on the connection.
    TestClient client(server_->port());
    Request req = Get("/fast/hit", 10);
    req.keep_alive(true);
    Response res = client.Send(req);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(std::string(res[http::field::connection]), "keep-alive");
    EXPECT_EQ(client.Send(req).body(), "fast answer");
  }
  {
    TestClient client(server_->port());
    Request req = Get("/fast/hit");
    req.keep_alive(false);
    Response res = client.Send(req);
    EXPECT_EQ(res.body(), "fast answer");
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(client.PeerClosesWithin(std::chrono::seconds(2)));
  }
}

TEST_F(InlineRouteTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client(server_->port());
  client.WriteRaw(
      "GET /fast/hit HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /fast/slow HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /fast/hit HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.Read().body(), "fast answer");
  EXPECT_EQ(client.Read().body(), "slow /fast/slow");
  EXPECT_EQ(client.Read().body(), "fast answer");
}

// More pipelined answers than the session writes from one call stack: the rest go through the
// event loop, all in order, and the connection stays usable.
TEST_F(InlineRouteTest, ManyPipelinedInlineAnswersInOrder) {
  StartServer();
  TestClient client(server_->port());
  std::string batch;
  for (int i = 0; i < 100; ++i) {
    batch += (i % 10 == 9) ? "GET /fast/slow HTTP/1.1\r\nHost: x\r\n\r\n"
                           : "GET /fast/hit HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  client.WriteRaw(batch);
  for (int i = 0; i < 100; ++i) {
    Response res = client.Read();
    ASSERT_EQ(res.result_int(), 200) << i;
    EXPECT_EQ(res.body(), (i % 10 == 9) ? "slow /fast/slow" : "fast answer") << i;
    EXPECT_TRUE(res.keep_alive()) << i;
  }
  EXPECT_EQ(client.Send(Get("/fast/hit")).body(), "fast answer");
  EXPECT_EQ(worker_calls_.load(), 10);
}

// A prepared body larger than the socket's send buffer: what the kernel does not take at once is
// written asynchronously; the client receives every byte, and keep-alive continues.
TEST_F(InlineRouteTest, LargeInlineBodyIsWrittenWhole) {
  std::string big(6 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  body_ = std::make_shared<const std::string>(big);
  StartServer();
  TestClient client(server_->port());
  client.WriteRaw(
      "GET /fast/hit HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /fast/hit HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 2; ++i) {
    Response res = client.Read();
    ASSERT_EQ(res.result_int(), 200);
    EXPECT_EQ(std::string(res[http::field::content_length]), std::to_string(big.size()));
    EXPECT_TRUE(res.body() == big) << "body of " << res.body().size() << " bytes differs";
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(worker_calls_.load(), 0);
}

TEST_F(InlineRouteTest, MatcherPicksAmongRoutesWithTheSamePrefix) {
  StartServer();
  TestClient client(server_->port());
  Request req = Get("/m/x");
  EXPECT_EQ(client.Send(req).body(), "plain");
  req.set("X-Pick", "yes");
  EXPECT_EQ(client.Send(req).body(), "picky inline");
  req.set("X-Pick", "boom");  // a throwing matcher does not match
  EXPECT_EQ(client.Send(req).body(), "plain");
  server_->Stop();
  EXPECT_EQ(Events("route_matcher_exception").size(), 1u);
}

TEST_F(InlineRouteTest, RootPostMatcherLeavesTheJsonProtocolAlone) {
  StartServer();
  TestClient client(server_->port());
  Request special{http::verb::post, "/", 11};
  special.set(http::field::host, "x");
  special.set(http::field::content_type, "application/x-special");
  special.body() = "payload";
  special.prepare_payload();
  EXPECT_EQ(client.Send(special).body(), "special payload");
  // A signed AWS JSON call still reaches its operation.
  Response res =
      client.Send(JsonRequest(server_->port(), "ListCertificateAuthorities", "{}", clock_.Now()));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"CertificateAuthorities":[]})");
  // POST elsewhere is not matched by the "/" route.
  special.target("/other");
  Response other = client.Send(special);
  EXPECT_EQ(other.result_int(), 400);
  EXPECT_EQ(std::string(other["x-amzn-ErrorType"]), "UnknownOperationException");
}

TEST_F(InlineRouteTest, TwoIoThreadsServeManyConnections) {
  StartServer(2);
  constexpr int kClients = 8, kRequests = 50;
  std::vector<std::future<int>> done;
  for (int c = 0; c < kClients; ++c) {
    done.push_back(std::async(std::launch::async, [port = server_->port()] {
      TestClient client(port);
      int ok = 0;
      for (int i = 0; i < kRequests; ++i) {
        Response res = client.Send(Get(i % 10 == 0 ? "/fast/miss" : "/fast/hit"));
        ok += res.result_int() == 200 && !res.body().empty();
      }
      return ok;
    }));
  }
  for (auto& f : done) EXPECT_EQ(f.get(), kRequests);
  EXPECT_EQ(worker_calls_.load(), kClients * kRequests / 10);
  server_->Stop();
  std::vector<json> summary = Events("api_inline_summary");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0]["total"], kClients * kRequests * 9 / 10);
}

TEST_F(InlineRouteTest, StopClosesConnectionsAfterInlineAnswersAndFinishesDeclinedOnes) {
  std::promise<void> release;
  release_ = release.get_future().share();
  StartServer();
  uint16_t port = server_->port();
  TestClient idle(port);
  EXPECT_EQ(idle.Send(Get("/fast/hit")).body(), "fast answer");
  std::future<Response> gated = std::async(std::launch::async, [port] {
    TestClient client(port);
    return client.Send(Get("/fast/gate"));
  });
  ASSERT_EQ(gate_entered_.get_future().wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  std::thread stopper([this] { server_->Stop(); });
  EXPECT_TRUE(idle.PeerClosesWithin(std::chrono::seconds(5)));
  release.set_value();
  Response res = gated.get();
  EXPECT_EQ(res.body(), "slow /fast/gate");
  EXPECT_FALSE(res.keep_alive());
  stopper.join();
  EXPECT_THROW(TestClient late(port), boost::system::system_error);
}

TEST(InlineRouteCreateTest, InlineHandlerOnHeadAborts) {
  FakeClock clock(Now());
  ApiServer::Options o;
  o.port = 0;
  auto server = ApiServer::Create(o, TestLookup(), nullptr, clock).value();
  ApiServer::Route route;
  route.method = http::verb::head;
  route.path_prefix = "/";
  route.handler = [](const HttpRequest&) { return HttpResponse{}; };
  route.inline_handler = [](const HttpRequest&) -> std::optional<PreparedResponse> {
    return std::nullopt;
  };
  EXPECT_DEATH(server->AddRoute(route), "");
}

}  // namespace
}  // namespace openpca::api
