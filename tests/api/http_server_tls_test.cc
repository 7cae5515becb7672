// ApiServer over TLS. Compiled without OPENSSL_NO_DEPRECATED because it includes Boost.Asio's
// SSL headers (see src/api/tls_context.h); the test's own OpenSSL calls are all EVP/3.0 APIs.
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "api/http_server.h"
#include "api_test_util.h"
#include "testing/test_pki.h"

namespace openpca::api {
namespace {

using namespace openpca::api::testing;
namespace ssl = boost::asio::ssl;

// Writes a fresh self-signed P-256 certificate for 127.0.0.1 and its key into `dir`.
void WriteSelfSigned(const std::filesystem::path& dir) {
  x509::EvpPkeyPtr key = test_pki::NewKey(KeyAlgorithm::kEcP256);
  test_pki::CertSpec spec;
  spec.subject = {{"CN", "127.0.0.1", MBSTRING_ASC}};
  spec.not_before_offset = -60;
  spec.not_after_offset = 3600;
  x509::X509Ptr cert = test_pki::SelfSignedCertificate(*key, spec);
  test_pki::WriteFile(dir / "key.pem", test_pki::PrivateKeyPem(*key));
  test_pki::WriteFile(dir / "cert.pem", test_pki::CertPem(*cert));
}

class ApiServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("openpca_api_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    WriteSelfSigned(dir_);
    ApiServer::Options o;
    o.port = 0;
    o.worker_threads = 2;
    o.tls_cert_file = dir_ / "cert.pem";
    o.tls_key_file = dir_ / "key.pem";
    o.request_logger = std::make_shared<spdlog::logger>("tls_test");
    Result<std::unique_ptr<ApiServer>> server = ApiServer::Create(o, TestLookup(), nullptr, clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->RegisterOperation(
        "ListCertificateAuthorities",
        [](const CallContext&, const nlohmann::json&) -> Result<nlohmann::json> {
          return nlohmann::json{{"CertificateAuthorities", nlohmann::json::array()}};
        });
    ApiServer::Route fast;
    fast.method = http::verb::get;
    fast.path_prefix = "/fast";
    fast.handler = [](const HttpRequest&) { return HttpResponse{200, {}, "from a worker"}; };
    fast.inline_handler = [](const HttpRequest& req) -> std::optional<PreparedResponse> {
      if (req.path != "/fast/hit") return std::nullopt;
      static const auto kFields = std::make_shared<const std::string>("X-Fast: yes\r\n");
      return PreparedResponse{200, kFields, "inline over TLS", nullptr};
    };
    server_->AddRoute(std::move(fast));
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A TLS client trusting the test certificate; `max_version` limits the protocol.
  std::unique_ptr<beast::ssl_stream<tcp::socket>> Connect(int max_version, beast::error_code* ec) {
    client_ctx_ = std::make_unique<ssl::context>(ssl::context::tls_client);
    client_ctx_->load_verify_file((dir_ / "cert.pem").string());
    client_ctx_->set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_max_proto_version(client_ctx_->native_handle(), max_version);
    auto stream = std::make_unique<beast::ssl_stream<tcp::socket>>(ioc_, *client_ctx_);
    stream->next_layer().connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    stream->handshake(ssl::stream_base::client, *ec);
    return stream;
  }

  FakeClock clock_{ParseAmzDate("20260115T120000Z").value()};
  std::filesystem::path dir_;
  std::unique_ptr<ApiServer> server_;
  net::io_context ioc_;
  std::unique_ptr<ssl::context> client_ctx_;
};

TEST_F(ApiServerTlsTest, ServesSignedRequestsOverTls) {
  beast::error_code ec;
  auto stream = Connect(TLS1_3_VERSION, &ec);
  ASSERT_FALSE(ec) << ec.message();
  beast::flat_buffer buffer;
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
    http::write(*stream,
                JsonRequest(server_->port(), "ListCertificateAuthorities", "{}", clock_.Now()));
    Response res;
    http::read(*stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), R"({"CertificateAuthorities":[]})");
  }
  EXPECT_STREQ(SSL_get_version(stream->native_handle()), "TLSv1.3");
}

TEST_F(ApiServerTlsTest, InlineAnswersOverTls) {
  beast::error_code ec;
  auto stream = Connect(TLS1_3_VERSION, &ec);
  ASSERT_FALSE(ec) << ec.message();
  beast::flat_buffer buffer;
  for (const char* path : {"/fast/hit", "/fast/miss", "/fast/hit"}) {
    Request req{http::verb::get, path, 11};
    req.set(http::field::host, "x");
    http::write(*stream, req);
    Response res;
    http::read(*stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    if (std::string_view(path) == "/fast/hit") {
      EXPECT_EQ(res.body(), "inline over TLS");
      EXPECT_EQ(std::string(res["X-Fast"]), "yes");
    } else {
      EXPECT_EQ(res.body(), "from a worker");
    }
  }
}

TEST_F(ApiServerTlsTest, Tls12UsesEcdhe) {
  beast::error_code ec;
  auto stream = Connect(TLS1_2_VERSION, &ec);
  ASSERT_FALSE(ec) << ec.message();
  std::string cipher = SSL_get_cipher_name(stream->native_handle());
  EXPECT_EQ(cipher.rfind("ECDHE-", 0), 0u) << cipher;
}

TEST_F(ApiServerTlsTest, RefusesTls11) {
  beast::error_code ec;
  auto stream = Connect(TLS1_1_VERSION, &ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace openpca::api
