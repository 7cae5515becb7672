#include "api/http_session.h"

#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace openpca::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kReadChunk = 8 * 1024;
// After rejecting a request whose body was not read, keep draining input this long so that the
// client reads our response instead of a reset.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kMaxLingerBytes = 4 << 20;
// How many prepared responses written synchronously may nest on one call stack (each answers the
// next pipelined request already in the read buffer) before the next write goes through the event
// loop.
constexpr int kMaxSyncWriteDepth = 8;

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

template <bool kTls>
class SessionImpl final : public HttpSession {
 public:
  using TcpStream = beast::basic_stream<tcp, SessionExecutor>;
  using Stream = std::conditional_t<kTls, beast::ssl_stream<TcpStream>, TcpStream>;

  SessionImpl(SessionSocket socket, ssl::context* tls, SessionHost& host, const SessionConfig& config,
              std::string source_ip) requires kTls : stream_(std::move(socket), *tls),
                                                     host_(host),
                                                     config_(config),
                                                     source_ip_(std::move(source_ip)) {}

  SessionImpl(SessionSocket socket, ssl::context* /*tls*/, SessionHost& host,
              const SessionConfig& config, std::string source_ip) requires(!kTls)
      : stream_(std::move(socket)),
        host_(host),
        config_(config),
        source_ip_(std::move(source_ip)) {}

  ~SessionImpl() override { host_.OnSessionClosed(this); }

  void Start() override {
    net::dispatch(stream_.get_executor(), [self = Self()] { self->OnStart(); });
  }

  void SendResponse(BeastResponse response) override {
    net::post(stream_.get_executor(), [self = Self(), res = std::move(response)]() mutable {
      self->DoWrite(std::move(res));
    });
  }

  void SendPreparedResponse(PreparedResponse response) override {
    DoWritePrepared(std::move(response));
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = Self()] {
      switch (self->state_) {
        case State::kHandshake:
        case State::kIdle:
        case State::kReading:
        case State::kLingering: {
          // Aborts the pending read; its handler then finishes closing.
          beast::get_lowest_layer(self->stream_).close();
          break;
        }
        case State::kProcessing:
        case State::kWriting:
          self->close_after_write_ = true;
          break;
        case State::kClosed:
          break;
      }
    });
  }

  const std::string& source_ip() const override { return source_ip_; }
  const std::string& tls_version() const override { return tls_version_; }
  const std::string& tls_cipher() const override { return tls_cipher_; }

 private:
  enum class State { kHandshake, kIdle, kReading, kProcessing, kWriting, kLingering, kClosed };

  std::shared_ptr<SessionImpl> Self() {
    return std::static_pointer_cast<SessionImpl>(shared_from_this());
  }
  TcpStream& Lowest() { return beast::get_lowest_layer(stream_); }

  void OnStart() {
    if constexpr (kTls) {
      state_ = State::kHandshake;
      Lowest().expires_after(config_.header_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = Self()](beast::error_code ec) {
        if (ec) return self->DoClose();
        SSL* ssl = self->stream_.native_handle();
        if (const char* v = SSL_get_version(ssl)) self->tls_version_ = v;
        if (const char* c = SSL_get_cipher_name(ssl)) self->tls_cipher_ = c;
        self->DoRead();
      });
    } else {
      DoRead();
    }
  }

  void DoRead() {
    if (state_ == State::kClosed) return;
    if (host_.stopping()) return DoClose();
    state_ = State::kIdle;
    parser_.emplace();
    parser_->body_limit(config_.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    if (buffer_.size() > 0) return ParseBuffered();
    // Wait for the next request under the idle timeout; the header timeout starts with its
    // first bytes.
    Lowest().expires_after(config_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = Self()](beast::error_code ec, size_t n) {
                              if (ec) return self->DoClose();
                              self->buffer_.commit(n);
                              self->ParseBuffered();
                            });
  }

  // Most requests arrive whole in one read: parse what is buffered right here, and leave it to
  // async_read_header (under the header timeout) only when more bytes are needed. Saves a trip
  // through the event loop per request.
  void ParseBuffered() {
    state_ = State::kReading;
    if (beast::error_code ec = PutBuffered(); ec) return OnReadError(ec);
    if (parser_->is_header_done()) return OnHeader({});
    ReadHeader();
  }

  // Feeds buffered bytes to the parser until it is done or needs more; returns a parse error.
  beast::error_code PutBuffered() {
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == http::error::need_more) return {};
      if (ec) return ec;
      if (n == 0) break;
    }
    return {};
  }

  void ReadHeader() {
    state_ = State::kReading;
    Lowest().expires_after(config_.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const BeastRequest& req = parser_->get();
    version_ = req.version();
    auto length = parser_->content_length();  // boost::optional
    if (length.has_value() && *length > config_.max_body_bytes) return Reject(413);
    if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, req.version());
      Lowest().expires_after(config_.header_timeout);
      http::async_write(stream_, *continue_, [self = Self()](beast::error_code ec, size_t) {
        if (ec) return self->DoClose();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (beast::error_code ec = PutBuffered(); ec) return OnReadError(ec);
    if (parser_->is_done()) return OnRequestRead();
    Lowest().expires_after(config_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->OnReadError(ec);
      self->OnRequestRead();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) return Reject(413);
    if (IsHttpParseError(ec)) return Reject(400);
    DoClose();  // EOF, reset, timeout, or closed by Shutdown()
  }

  void OnRequestRead() {
    state_ = State::kProcessing;
    Lowest().expires_never();
    BeastRequest req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    parser_.reset();
    host_.OnRequest(shared_from_this(), std::move(req));
  }

  // Answers a request the transport refused and closes, draining unread input.
  void Reject(int status) {
    close_after_write_ = true;
    linger_ = true;
    DoWrite(host_.MakeTransportError(status));
  }

  void DoWrite(BeastResponse res) {
    if (state_ == State::kClosed) return;
    state_ = State::kWriting;
    response_ = std::move(res);
    response_.version(version_);
    response_.keep_alive(keep_alive_ && !close_after_write_ && !host_.stopping());
    response_.prepare_payload();
    // A HEAD response declares the length of the body a GET would return (S3 HeadObject).
    if (auto it = response_.find("x-openpca-content-length"); it != response_.end()) {
      std::string length(it->value());
      response_.erase(it);
      response_.content_length(std::stoull(length));
    }
    write_keep_alive_ = response_.keep_alive();
    Lowest().expires_after(config_.idle_timeout);
    http::async_write(stream_, response_,
                      [self = Self()](beast::error_code ec, size_t) { self->OnWritten(ec); });
  }

  // The status line, prepared.fields, Content-Length, Connection when needed, and the body,
  // serialised by hand: one gathering write over buffers that reference the prepared pieces.
  void DoWritePrepared(PreparedResponse res) {
    if (state_ == State::kClosed) return;
    state_ = State::kWriting;
    prepared_ = std::move(res);
    write_keep_alive_ = keep_alive_ && !close_after_write_ && !host_.stopping();
    const auto status = static_cast<http::status>(prepared_.status);
    head_.assign(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    AppendNumber(head_, static_cast<uint64_t>(prepared_.status));
    head_.push_back(' ');
    beast::string_view reason = http::obsolete_reason(status);
    head_.append(reason.data(), reason.size());
    head_.append("\r\n");
    tail_.assign("Content-Length: ");
    AppendNumber(tail_, prepared_.body.size());
    tail_.append("\r\n");
    if (!write_keep_alive_) {
      tail_.append("Connection: close\r\n");
    } else if (version_ == 10) {
      tail_.append("Connection: keep-alive\r\n");
    }
    tail_.append("\r\n");
    const std::string_view fields =
        prepared_.fields != nullptr ? std::string_view(*prepared_.fields) : std::string_view();
    auto done = [self = Self()](beast::error_code ec, size_t) { self->OnWritten(ec); };
    if constexpr (kTls) {
      // One TLS record instead of one per buffer.
      head_.append(fields).append(tail_).append(prepared_.body);
      Lowest().expires_after(config_.idle_timeout);
      net::async_write(stream_, net::buffer(head_), std::move(done));
    } else {
      std::array<net::const_buffer, 4> buffers = {
          net::buffer(head_), net::buffer(fields.data(), fields.size()), net::buffer(tail_),
          net::buffer(prepared_.body.data(), prepared_.body.size())};
      // A response of a few hundred bytes almost always fits in the socket's send buffer: write
      // it now, without a timer, a completion handler and a trip through the event loop; only
      // what the kernel does not take is written asynchronously, under the idle timeout.
      // Bounded nesting: a pipelined request already buffered is answered from this call stack.
      if (sync_write_depth_ < kMaxSyncWriteDepth) {
        beast::error_code ec;
        SessionSocket& socket = Lowest().socket();
        if (!socket.non_blocking()) socket.non_blocking(true, ec);
        size_t total = net::buffer_size(buffers);
        size_t n = ec ? 0 : socket.write_some(buffers, ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
          ec = {};
          n = 0;
        }
        if (ec) return OnWritten(ec);
        if (n == total) {
          ++sync_write_depth_;
          OnWritten({});
          --sync_write_depth_;
          return;
        }
        if (n > 0) {
          beast::buffers_suffix<std::array<net::const_buffer, 4>> rest(buffers);
          rest.consume(n);
          Lowest().expires_after(config_.idle_timeout);
          net::async_write(stream_, rest, std::move(done));
          return;
        }
      }
      Lowest().expires_after(config_.idle_timeout);
      net::async_write(stream_, buffers, std::move(done));
    }
  }

  static void AppendNumber(std::string& out, uint64_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
    out.append(digits, end);
  }

  void OnWritten(beast::error_code ec) {
    prepared_ = {};  // release the shared body and fields now, not at the next response
    if (ec) return DoClose();
    if (write_keep_alive_) return DoRead();
    if (linger_) return DoLinger();
    DoClose();
  }

  void DoLinger() {
    if constexpr (kTls) {
      DoClose();
    } else {
      state_ = State::kLingering;
      beast::error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      Lowest().expires_after(kLingerTime);
      Drain();
    }
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = Self()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->DoClose();
                              self->Drain();
                            });
  }

  void DoClose() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    if constexpr (kTls) {
      Lowest().expires_after(config_.header_timeout);
      stream_.async_shutdown(
          [self = Self()](beast::error_code) { beast::get_lowest_layer(self->stream_).close(); });
    } else {
      beast::error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      Lowest().close();
    }
  }

  Stream stream_;
  SessionHost& host_;
  const SessionConfig config_;
  const std::string source_ip_;
  std::string tls_version_;  // set once after the handshake, before the first request
  std::string tls_cipher_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  BeastResponse response_;
  PreparedResponse prepared_;
  std::string head_;  // prepared response: status line (with TLS: the whole message)
  std::string tail_;  // prepared response: Content-Length, Connection, blank line
  bool write_keep_alive_ = false;
  State state_ = State::kIdle;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool linger_ = false;
  size_t lingered_ = 0;
  int sync_write_depth_ = 0;
};

}  // namespace

std::shared_ptr<HttpSession> HttpSession::Create(SessionSocket socket, ssl::context* tls,
                                                 SessionHost& host, const SessionConfig& config) {
  beast::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  std::string ip = ec ? std::string() : peer.address().to_string();
  if (tls != nullptr) {
    return std::make_shared<SessionImpl<true>>(std::move(socket), tls, host, config, std::move(ip));
  }
  return std::make_shared<SessionImpl<false>>(std::move(socket), nullptr, host, config,
                                              std::move(ip));
}

}  // namespace openpca::api
