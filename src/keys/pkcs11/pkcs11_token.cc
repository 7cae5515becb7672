#include "keys/pkcs11/pkcs11_token.h"

#include <openssl/crypto.h>

#include <cstring>

namespace openpca::keys::pkcs11 {
namespace {

constexpr int kMaxRuns = 3;

bool SessionLost(CK_RV rv) { return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED; }

bool TokenLost(CK_RV rv) {
  return rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_REMOVED ||
         rv == CKR_TOKEN_NOT_RECOGNIZED || rv == CKR_SLOT_ID_INVALID;
}

std::string TrimmedLabel(const unsigned char (&label)[32]) {
  std::string s(reinterpret_cast<const char*>(label), sizeof(label));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

}  // namespace

Pkcs11Token::Pkcs11Token(std::shared_ptr<Pkcs11Module> module, std::string label, std::string pin,
                         int max_sessions)
    : module_(std::move(module)),
      label_(std::move(label)),
      pin_(std::move(pin)),
      max_sessions_(max_sessions) {}

Pkcs11Token::~Pkcs11Token() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Session& s : idle_) fn()->C_CloseSession(s.handle);
  idle_.clear();
  OPENSSL_cleanse(pin_.data(), pin_.size());
}

Result<std::shared_ptr<Pkcs11Token>> Pkcs11Token::Open(std::shared_ptr<Pkcs11Module> module,
                                                       std::string label, std::string pin,
                                                       int max_sessions) {
  if (module == nullptr) return Status(ErrorCode::kInvalidArgs, "no PKCS#11 module");
  if (label.empty() || label.size() > 32) {
    return Status(ErrorCode::kInvalidArgs, "a PKCS#11 token label has 1 to 32 bytes");
  }
  if (max_sessions < 1) return Status(ErrorCode::kInvalidArgs, "max_sessions must be positive");
  std::shared_ptr<Pkcs11Token> token(
      new Pkcs11Token(std::move(module), std::move(label), std::move(pin), max_sessions));
  {
    std::lock_guard<std::mutex> lock(token->mu_);
    RETURN_IF_ERROR(token->FindSlot());
  }
  // Log in now, so that a wrong PIN or a missing token stops the server at startup.
  Session s{};
  CK_RV rv = token->Acquire(s);
  if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
      rv == CKR_PIN_LOCKED || rv == CKR_PIN_EXPIRED || rv == CKR_USER_PIN_NOT_INITIALIZED) {
    return Status(ErrorCode::kInvalidArgs,
                  "PKCS#11 token " + token->label_ + " refused the PIN: " + RvName(rv));
  }
  if (rv != CKR_OK) return Pkcs11Error("opening a session on token " + token->label_, rv);
  token->Release(s, true);
  return token;
}

Status Pkcs11Token::FindSlot() {
  CK_ULONG count = 0;
  CK_RV rv = fn()->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv != CKR_OK) return Pkcs11Error("C_GetSlotList", rv);
  std::vector<CK_SLOT_ID> slots(count);
  rv = fn()->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return Pkcs11Error("C_GetSlotList", rv);
  slots.resize(count);
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (fn()->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if (!(info.flags & CKF_TOKEN_INITIALIZED)) continue;
    if (TrimmedLabel(info.label) == label_) {
      slot_ = slot;
      return Status::Ok();
    }
  }
  return Status(ErrorCode::kInvalidArgs, "no PKCS#11 token labelled \"" + label_ + "\" in " +
                                             module_->path());
}

CK_SLOT_ID Pkcs11Token::slot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slot_;
}

uint64_t Pkcs11Token::epoch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return epoch_;
}

int Pkcs11Token::open_sessions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

std::optional<CK_MECHANISM_INFO> Pkcs11Token::Mechanism(CK_MECHANISM_TYPE type) const {
  CK_MECHANISM_INFO info{};
  if (fn()->C_GetMechanismInfo(slot(), type, &info) != CKR_OK) return std::nullopt;
  return info;
}

CK_RV Pkcs11Token::Login(CK_SESSION_HANDLE session) {
  std::lock_guard<std::mutex> lock(login_mu_);
  CK_SESSION_INFO info{};
  CK_RV rv = fn()->C_GetSessionInfo(session, &info);
  if (rv != CKR_OK) return rv;
  if (info.state == CKS_RW_USER_FUNCTIONS || info.state == CKS_RO_USER_FUNCTIONS) return CKR_OK;
  rv = fn()->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin_.data()),
                     static_cast<CK_ULONG>(pin_.size()));
  return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

CK_RV Pkcs11Token::Acquire(Session& out) {
  CK_SLOT_ID slot;
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      while (!idle_.empty()) {
        Session s = idle_.back();
        idle_.pop_back();
        if (s.epoch == epoch_) {
          out = s;
          return CKR_OK;
        }
        fn()->C_CloseSession(s.handle);
        --open_;
      }
      if (open_ < max_sessions_) break;
      released_.wait(lock);
    }
    ++open_;
    slot = slot_;
    out.epoch = epoch_;
  }
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  CK_RV rv = fn()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                 &handle);
  if (rv == CKR_OK) {
    rv = Login(handle);
    if (rv != CKR_OK) fn()->C_CloseSession(handle);
  }
  if (rv != CKR_OK) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    released_.notify_one();
    return rv;
  }
  out.handle = handle;
  return CKR_OK;
}

void Pkcs11Token::Release(const Session& s, bool keep) {
  std::lock_guard<std::mutex> lock(mu_);
  if (keep && s.epoch == epoch_) {
    idle_.push_back(s);
  } else {
    fn()->C_CloseSession(s.handle);
    --open_;
  }
  released_.notify_one();
}

CK_RV Pkcs11Token::Reconnect(uint64_t seen_epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  // Another thread may have reconnected since this caller saw the failure.
  if (epoch_ != seen_epoch) return CKR_OK;
  ++epoch_;
  // Lent sessions of the old epoch are closed when they come back (Release).
  for (const Session& s : idle_) fn()->C_CloseSession(s.handle);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  Status found = FindSlot();
  return found.ok() ? CKR_OK : CKR_TOKEN_NOT_PRESENT;
}

CK_RV Pkcs11Token::Run(const Operation& op) {
  CK_RV rv = CKR_OK;
  for (int run = 0; run < kMaxRuns; ++run) {
    Session s{};
    rv = Acquire(s);
    if (rv == CKR_OK) {
      rv = op(s.handle);
      if (rv == CKR_USER_NOT_LOGGED_IN) {
        // The login was lost (something in this process logged out, or the token forgot it): log
        // in again and retry on the same session.
        rv = Login(s.handle);
        if (rv == CKR_OK) {
          rv = op(s.handle);
        }
      }
      Release(s, !SessionLost(rv) && !TokenLost(rv));
    }
    if (!SessionLost(rv) && !TokenLost(rv)) return rv;
    // A session that was invalidated usually means all of them were (C_CloseAllSessions, a
    // token reset): start a new epoch rather than meet each dead pooled session in turn.
    if (Reconnect(s.epoch) != CKR_OK) return rv;
  }
  return rv;
}

}  // namespace openpca::keys::pkcs11
