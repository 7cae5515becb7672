// Test helpers for the api module: a blocking Beast HTTP client, SigV4-signed AWS JSON requests,
// and a spdlog sink that collects lines.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/sinks/base_sink.h>

#include "api/sigv4.h"

namespace openpca::api::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

inline constexpr char kAkid[] = "AKIDOPENPCATEST00001";
inline constexpr char kSecret[] = "c2VjcmV0LXRlc3Qta2V5LWZvci1vcGVucGNhLXVuaXQ";
inline constexpr char kAccount[] = "111122223333";
inline constexpr char kCaArn[] =
    "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/"
    "11111111-2222-3333-4444-555555555555";

inline CredentialLookup TestLookup() {
  return [](const std::string& akid, std::string_view) -> Result<Credential> {
    if (akid != kAkid) return Status(ErrorCode::kUnrecognizedClient, "unknown key");
    return Credential{kAkid, kSecret, kAccount, "arn:aws:iam::111122223333:root"};
  };
}

// An AWS JSON 1.1 request for ACMPrivateCA.<op>, signed like botocore does (content-type, host,
// x-amz-date, x-amz-target). An empty secret leaves it unsigned.
inline Request JsonRequest(uint16_t port, std::string_view op, std::string body, TimePoint now,
                           std::string_view akid = kAkid, std::string_view secret = kSecret) {
  Request req{http::verb::post, "/", 11};
  std::string host = "127.0.0.1:" + std::to_string(port);
  std::string target = "ACMPrivateCA." + std::string(op);
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/x-amz-json-1.1");
  req.set("X-Amz-Target", target);
  req.body() = std::move(body);
  req.prepare_payload();
  if (!secret.empty()) {
    std::vector<sigv4::Header> headers = {
        {"Content-Type", "application/x-amz-json-1.1"}, {"Host", host}, {"X-Amz-Target", target}};
    for (auto& [name, value] : SignRequest({"POST", "/", headers, req.body()},
                                           {akid, secret, "us-east-1", "acm-pca", now})) {
      req.set(name, value);
    }
  }
  return req;
}

class TestClient {
 public:
  explicit TestClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  Response Send(const Request& req) {
    http::write(socket_, req);
    return Read();
  }

  Response Read() {
    Response res;
    http::read(socket_, buffer_, res);
    return res;
  }

  void WriteRaw(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }

  // True if the server closes the connection (EOF or reset) within `timeout`; discards data.
  bool PeerClosesWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int fd = socket_.native_handle();
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n == 0) return false;
      char buf[4096];
      ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
      if (got <= 0) return true;
    }
  }

  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// Collects formatted log lines (pattern "%v").
class CollectingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

}  // namespace openpca::api::testing
