#include "api/http_server.h"

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "api_test_util.h"

namespace openpca::api {
namespace {

using namespace openpca::api::testing;
using nlohmann::json;

TimePoint Now() { return ParseAmzDate("20260115T120000Z").value(); }

std::string CaInput() { return json{{"CertificateAuthorityArn", kCaArn}}.dump(); }

json Body(const Response& res) { return json::parse(res.body()); }

// Refuses DeletePolicy, allows everything else.
class DenyDeletePolicy final : public Authorizer {
 public:
  Status Authorize(const CallContext& ctx, const ActionSpec&, const std::string&,
                   const ConditionKeys&) const override {
    if (ctx.operation == "DeletePolicy") {
      return Status(ErrorCode::kAccessDenied, "User is not authorized to perform DeletePolicy");
    }
    return Status::Ok();
  }
};

class ApiServerTest : public ::testing::Test {
 protected:
  ApiServerTest() : clock_(Now()) {
    sink_ = std::make_shared<CollectingSink>();
    logger_ = std::make_shared<spdlog::logger>("api_test", sink_);
    logger_->set_pattern("%v");
  }

  // Starts a server with the test operations; `tweak` adjusts options first.
  void StartServer(const std::function<void(ApiServer::Options&)>& tweak = nullptr) {
    ApiServer::Options options;
    options.port = 0;
    options.worker_threads = 4;
    options.request_logger = logger_;
    if (tweak) tweak(options);
    Result<std::unique_ptr<ApiServer>> server =
        ApiServer::Create(options, TestLookup(), &deny_delete_policy_, clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->RegisterOperation(
        "ListTags", [](const CallContext& ctx, const json& input) -> Result<json> {
          return json{{"Tags", json::array()},          {"Echo", input},
                      {"RequestId", ctx.request_id},    {"Account", ctx.account_id},
                      {"Principal", ctx.principal_arn}, {"SourceIp", ctx.source_ip}};
        });
    server_->RegisterOperation("DeletePolicy", [](const CallContext&, const json&) -> Result<json> {
      return json::object();
    });
    server_->RegisterOperation("GetPolicy",
                               [this](const CallContext&, const json&) -> Result<json> {
                                 slow_started_.set_value();
                                 std::this_thread::sleep_for(std::chrono::milliseconds(300));
                                 return json{{"Policy", "{}"}};
                               });
    server_->RegisterOperation("GetCertificate",
                               [this](const CallContext&, const json&) -> Result<json> {
                                 ++blocked_;
                                 release_.wait();
                                 return json{{"Certificate", "pem"}};
                               });
    server_->RegisterOperation(
        "RevokeCertificate", [](const CallContext&, const json& in) -> Result<json> {
          std::string serial = in.at("CertificateSerial");
          if (serial == "01") return Status(ErrorCode::kResourceNotFound, "no such certificate");
          if (serial == "02") return InternalError("sqlite: secret detail /var/lib/openpca");
          throw std::runtime_error("handler bug");
        });
    server_->RegisterOperation("ListCertificateAuthorities",
                               [](const CallContext&, const json&) -> Result<json> {
                                 return json();  // null → {}
                               });
    server_->RegisterRawRoute(http::verb::get, "/raw/", [](const HttpRequest& req) {
      return HttpResponse{200,
                          {{"Content-Type", "text/plain"}},
                          "raw " + std::string(req.path) + " q=" + std::string(req.query) +
                              " ip=" + std::string(req.source_ip)};
    });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  Request Json(std::string_view op, std::string body) {
    return JsonRequest(server_->port(), op, std::move(body), clock_.Now());
  }

  void ExpectError(const Response& res, int status, std::string_view type) {
    EXPECT_EQ(res.result_int(), status) << res.body();
    EXPECT_EQ(std::string(res["x-amzn-ErrorType"]), type);
    EXPECT_FALSE(std::string(res["x-amzn-RequestId"]).empty());
    EXPECT_EQ(std::string(res[http::field::content_type]), "application/x-amz-json-1.1");
    json body = Body(res);
    EXPECT_EQ(body["__type"], type);
    EXPECT_TRUE(body.contains("message"));
  }

  FakeClock clock_;
  DenyDeletePolicy deny_delete_policy_;
  std::shared_ptr<CollectingSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<ApiServer> server_;
  std::promise<void> slow_started_;
  std::atomic<int> blocked_{0};
  std::shared_future<void> release_;
};

TEST_F(ApiServerTest, SignedRequestReachesHandler) {
  StartServer();
  TestClient client(server_->port());
  Response res = client.Send(Json("ListTags", CaInput()));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(std::string(res[http::field::content_type]), "application/x-amz-json-1.1");
  EXPECT_TRUE(std::string(res[http::field::connection]).empty());
  std::string request_id = std::string(res["x-amzn-RequestId"]);
  EXPECT_EQ(request_id.size(), 36u);
  json body = Body(res);
  EXPECT_EQ(body["Echo"]["CertificateAuthorityArn"], kCaArn);
  EXPECT_EQ(body["RequestId"], request_id);
  EXPECT_EQ(body["Account"], kAccount);
  EXPECT_EQ(body["Principal"], "arn:aws:iam::111122223333:root");
  EXPECT_EQ(body["SourceIp"], "127.0.0.1");

  server_->Stop();
  std::vector<std::string> lines = sink_->lines();
  ASSERT_EQ(lines.size(), 1u);
  json log = json::parse(lines[0]);
  EXPECT_EQ(log["action"], "ListTags");
  EXPECT_EQ(log["access_key_id"], kAkid);
  EXPECT_EQ(log["ca_arn"], kCaArn);
  EXPECT_EQ(log["status"], 200);
  EXPECT_EQ(log["request_id"], request_id);
  EXPECT_EQ(lines[0].find(kSecret), std::string::npos);
}

TEST_F(ApiServerTest, EmptyOutputIsEmptyObject) {
  StartServer();
  TestClient client(server_->port());
  Response res = client.Send(Json("ListCertificateAuthorities", "{}"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "{}");
}

TEST_F(ApiServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestClient client(server_->port());
  for (int i = 0; i < 3; ++i) {
    Response res = client.Send(Json("ListTags", CaInput()));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
  }
  // Errors keep the connection too.
  Response res = client.Send(Json("Nope", "{}"));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(client.Send(Json("ListTags", CaInput())).result_int(), 200);
}

TEST_F(ApiServerTest, ConnectionCloseWhenAsked) {
  StartServer();
  TestClient client(server_->port());
  Request req = Json("ListTags", CaInput());
  req.keep_alive(false);
  Response res = client.Send(req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(client.PeerClosesWithin(std::chrono::seconds(2)));
}

TEST_F(ApiServerTest, UnknownOrMissingTarget) {
  StartServer();
  TestClient client(server_->port());
  ExpectError(client.Send(Json("NoSuchOperation", "{}")), 400, "UnknownOperationException");
  Request req = Json("ListTags", CaInput());
  req.erase("X-Amz-Target");
  ExpectError(client.Send(req), 400, "UnknownOperationException");
  req.set("X-Amz-Target", "SomeOtherService.ListTags");
  ExpectError(client.Send(req), 400, "UnknownOperationException");
  // A model operation that has no handler registered.
  ExpectError(client.Send(Json("CreatePermission", "{}")), 400, "UnknownOperationException");
}

TEST_F(ApiServerTest, BadJsonIsSerializationException) {
  StartServer();
  TestClient client(server_->port());
  ExpectError(client.Send(Json("ListTags", "{not json")), 400, "SerializationException");
  ExpectError(client.Send(Json("ListTags", "[1,2]")), 400, "SerializationException");
  ExpectError(client.Send(Json("ListTags", R"({"CertificateAuthorityArn":5})")), 400,
              "SerializationException");
}

TEST_F(ApiServerTest, ModelValidation) {
  StartServer();
  TestClient client(server_->port());
  Response res = client.Send(Json("ListTags", "{}"));
  ExpectError(res, 400, "ValidationException");
  EXPECT_EQ(Body(res)["message"],
            "1 validation error detected: Value null at 'certificateAuthorityArn' failed to "
            "satisfy constraint: Member must not be null");
}

TEST_F(ApiServerTest, AuthenticationErrors) {
  StartServer();
  TestClient client(server_->port());
  Request unsigned_req =
      JsonRequest(server_->port(), "ListTags", CaInput(), clock_.Now(), kAkid, "");
  ExpectError(client.Send(unsigned_req), 403, "MissingAuthenticationToken");
  ExpectError(client.Send(JsonRequest(server_->port(), "ListTags", CaInput(), clock_.Now(), kAkid,
                                      "wrong-secret")),
              400, "InvalidSignatureException");
  ExpectError(client.Send(JsonRequest(server_->port(), "ListTags", CaInput(), clock_.Now(),
                                      "AKIDUNKNOWN", kSecret)),
              400, "UnrecognizedClientException");
  ExpectError(client.Send(JsonRequest(server_->port(), "ListTags", CaInput(),
                                      clock_.Now() - std::chrono::minutes(20))),
              400, "RequestExpired");
  Request tampered = Json("ListTags", CaInput());
  tampered.body() = R"({"CertificateAuthorityArn":"arn:aws:acm-pca:us-east-1:111122223333:)"
                    R"(certificate-authority/99999999-2222-3333-4444-555555555555"})";
  tampered.prepare_payload();
  ExpectError(client.Send(tampered), 400, "InvalidSignatureException");
}

TEST_F(ApiServerTest, AuthorizationHookDenies) {
  StartServer();
  TestClient client(server_->port());
  ExpectError(client.Send(Json("DeletePolicy", json{{"ResourceArn", kCaArn}}.dump())), 400,
              "AccessDeniedException");
}

TEST_F(ApiServerTest, HandlerErrorsAreMapped) {
  StartServer();
  TestClient client(server_->port());
  auto revoke = [&](std::string serial) {
    return client.Send(Json("RevokeCertificate", json{{"CertificateAuthorityArn", kCaArn},
                                                      {"CertificateSerial", serial},
                                                      {"RevocationReason", "SUPERSEDED"}}
                                                     .dump()));
  };
  ExpectError(revoke("01"), 400, "ResourceNotFoundException");
  Response internal = revoke("02");
  ExpectError(internal, 500, "InternalFailure");
  EXPECT_EQ(internal.body().find("secret detail"), std::string::npos);
  ExpectError(revoke("03"), 500, "InternalFailure");

  server_->Stop();
  bool logged_detail = false;
  for (const std::string& line : sink_->lines()) {
    if (line.find("secret detail") != std::string::npos) logged_detail = true;
  }
  EXPECT_TRUE(logged_detail);  // the real message goes to the log
}

TEST_F(ApiServerTest, OversizeBodyIs413WithoutReadingIt) {
  StartServer([](ApiServer::Options& o) { o.max_body_bytes = 1024; });
  {
    TestClient client(server_->port());
    // Announce 10 MB, send only the headers and a little: the server must answer anyway.
    client.WriteRaw(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ACMPrivateCA.ListTags\r\n"
        "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 10000000\r\n\r\n{\"a\":");
    Response res = client.Read();
    ExpectError(res, 413, "RequestEntityTooLargeException");
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(client.PeerClosesWithin(std::chrono::seconds(5)));
  }
  {
    // Chunked bodies have no Content-Length; the limit applies while reading.
    TestClient client(server_->port());
    std::string chunk(2000, 'x');
    client.WriteRaw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                    chunk + "\r\n");
    ExpectError(client.Read(), 413, "RequestEntityTooLargeException");
  }
  // A body at the limit is fine.
  TestClient client(server_->port());
  std::string padding(1024 - CaInput().size() - 8, ' ');
  std::string body = R"({"CertificateAuthorityArn":")" + std::string(kCaArn) + "\"}" + padding;
  Response res = client.Send(Json("ListTags", body.substr(0, 1024)));
  EXPECT_NE(res.result_int(), 413);
}

TEST_F(ApiServerTest, HealthAndRawRoutesSkipSigV4) {
  StartServer();
  TestClient client(server_->port());
  Request health{http::verb::get, "/health", 11};
  health.set(http::field::host, "x");
  Response res = client.Send(health);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(Body(res), (json{{"status", "ok"}}));

  Request raw{http::verb::get, "/raw/some/thing?x=1", 11};
  raw.set(http::field::host, "x");
  res = client.Send(raw);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "raw /raw/some/thing q=x=1 ip=127.0.0.1");

  Request other{http::verb::get, "/elsewhere", 11};
  other.set(http::field::host, "x");
  ExpectError(client.Send(other), 400, "UnknownOperationException");
}

TEST_F(ApiServerTest, MalformedHttpIs400AndCloses) {
  StartServer();
  TestClient client(server_->port());
  client.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  Response res = client.Read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_TRUE(client.PeerClosesWithin(std::chrono::seconds(5)));
}

TEST_F(ApiServerTest, HeaderAndIdleTimeoutsCloseTheSocket) {
  StartServer([](ApiServer::Options& o) {
    o.header_timeout = std::chrono::seconds(1);
    o.idle_timeout = std::chrono::seconds(1);
  });
  TestClient slow_header(server_->port());
  slow_header.WriteRaw("POST / HTTP/1.1\r\nHost: x\r\n");
  TestClient idle(server_->port());
  EXPECT_EQ(idle.Send(Json("ListTags", CaInput())).result_int(), 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow_header.PeerClosesWithin(std::chrono::seconds(4)));
  EXPECT_TRUE(idle.PeerClosesWithin(std::chrono::seconds(4)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST_F(ApiServerTest, GracefulStopFinishesInFlightRequest) {
  StartServer();
  std::future<void> started = slow_started_.get_future();
  uint16_t port = server_->port();
  Request req = Json("GetPolicy", json{{"ResourceArn", kCaArn}}.dump());
  TestClient idle(port);  // an idle keep-alive connection must not hold up Stop()
  std::future<Response> pending = std::async(std::launch::async, [port, req] {
    TestClient client(port);
    return client.Send(req);
  });
  ASSERT_EQ(started.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto stop_begin = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_begin, std::chrono::seconds(5));
  Response res = pending.get();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(Body(res)["Policy"], "{}");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(idle.PeerClosesWithin(std::chrono::seconds(1)));
  EXPECT_THROW(TestClient late(port), boost::system::system_error);
  server_->Wait();  // returns at once once stopped
}

TEST_F(ApiServerTest, FullWorkerQueueIsThrottled) {
  std::promise<void> release;
  release_ = release.get_future().share();
  StartServer([](ApiServer::Options& o) {
    o.worker_threads = 1;
    o.max_queued_requests = 1;
  });
  uint16_t port = server_->port();
  Request get =
      Json("GetCertificate", json{{"CertificateAuthorityArn", kCaArn},
                                  {"CertificateArn", std::string(kCaArn) + "/certificate/0a"}}
                                 .dump());
  auto send = [port, get] {
    TestClient client(port);
    return client.Send(get);
  };
  std::future<Response> first = std::async(std::launch::async, send);
  for (int i = 0; i < 500 && blocked_.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(blocked_.load(), 1);                                        // the only worker is busy
  std::future<Response> second = std::async(std::launch::async, send);  // fills the queue
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  TestClient client(port);
  ExpectError(client.Send(get), 400, "ThrottlingException");
  release.set_value();
  EXPECT_EQ(first.get().result_int(), 200);
  EXPECT_EQ(second.get().result_int(), 200);
}

TEST(ApiServerCreateTest, RejectsBadOptions) {
  FakeClock clock(Now());
  ApiServer::Options o;
  o.host = "not-an-ip";
  EXPECT_EQ(ApiServer::Create(o, TestLookup(), nullptr, clock).status().code(),
            ErrorCode::kInvalidArgs);
  o = {};
  o.tls_cert_file = "/nonexistent.pem";
  EXPECT_EQ(ApiServer::Create(o, TestLookup(), nullptr, clock).status().code(),
            ErrorCode::kInvalidArgs);
  o.tls_key_file = "/nonexistent.key";
  EXPECT_EQ(ApiServer::Create(o, TestLookup(), nullptr, clock).status().code(),
            ErrorCode::kInternal);
}

TEST(ApiServerCreateTest, BindFailureIsAStatus) {
  FakeClock clock(Now());
  ApiServer::Options o;
  o.port = 0;
  auto a = ApiServer::Create(o, TestLookup(), nullptr, clock).value();
  ASSERT_TRUE(a->Start().ok());
  o.port = a->port();
  auto b = ApiServer::Create(o, TestLookup(), nullptr, clock).value();
  EXPECT_EQ(b->Start().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace openpca::api
