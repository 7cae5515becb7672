// Pkcs11Token: one token of a PKCS#11 module, found by its label, with the user logged in and a
// pool of sessions that callers take one at a time.
//
// PKCS#11 login state belongs to the application, not to a session: one C_Login serves every
// session of the token. A session must not be used by two threads at once, so Run() lends each
// caller a session of its own; the pool grows up to `max_sessions` (then callers wait) and keeps
// idle sessions open for reuse, so a thread that signs repeatedly keeps reusing one.
//
// Recovery (Run): a session that was closed or invalidated is dropped and replaced; a lost login
// (CKR_USER_NOT_LOGGED_IN) is redone with the PIN; a removed or re-inserted token
// (CKR_TOKEN_NOT_PRESENT, CKR_DEVICE_REMOVED, ...) makes the token be looked up again by label in
// a new "epoch": every pooled session of the old epoch is closed, and object handles cached by
// callers for an older epoch() must be looked up again.
//
// Ownership: shares the module; owns the PIN (cleansed on destruction, never in a message).
// Thread-safety: all methods are thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "keys/pkcs11/pkcs11_module.h"

namespace openpca::keys::pkcs11 {

class Pkcs11Token {
 public:
  // Finds the token labelled `label` (trailing blanks of the 32-byte label ignored), opens a
  // session and logs in as the user with `pin`.
  // Errors: kInvalidArgs (no such token, label longer than 32 bytes, PIN refused, max_sessions
  // < 1); kInternal.
  static Result<std::shared_ptr<Pkcs11Token>> Open(std::shared_ptr<Pkcs11Module> module,
                                                   std::string label, std::string pin,
                                                   int max_sessions);
  ~Pkcs11Token();
  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;

  // An operation on a session: returns CKR_OK or the value of the call that failed.
  using Operation = std::function<CK_RV(CK_SESSION_HANDLE session)>;

  // Runs `op` on a logged-in read-write session lent to this call alone. When `op` fails with a
  // value that means the session, the login or the token was lost, recovers as described above
  // and runs `op` again (at most three runs in all). Returns the last run's value; a failure to
  // recover (no token, PIN refused) is returned as that call's value.
  CK_RV Run(const Operation& op);

  CK_FUNCTION_LIST* fn() const { return module_->fn(); }
  const std::string& label() const { return label_; }
  CK_SLOT_ID slot() const;
  // Increases each time the token is looked up again after a loss.
  uint64_t epoch() const;
  // C_GetMechanismInfo on the token's slot; nullopt when the mechanism is not offered.
  std::optional<CK_MECHANISM_INFO> Mechanism(CK_MECHANISM_TYPE type) const;

  // For tests and diagnostics: sessions currently open by this token (idle and lent).
  int open_sessions() const;

 private:
  struct Session {
    CK_SESSION_HANDLE handle;
    uint64_t epoch;
  };

  Pkcs11Token(std::shared_ptr<Pkcs11Module> module, std::string label, std::string pin,
              int max_sessions);

  // Finds the slot whose token has label_. Errors: kInvalidArgs when none does; kInternal.
  Status FindSlot();
  // Takes an idle session of the current epoch or opens one (logged in); waits at the limit.
  CK_RV Acquire(Session& out);
  // Returns `s` to the pool, or closes it when `keep` is false or its epoch has passed.
  void Release(const Session& s, bool keep);
  CK_RV Login(CK_SESSION_HANDLE session);
  // Starts a new epoch: closes idle sessions and looks the token up again by label.
  CK_RV Reconnect(uint64_t seen_epoch);

  const std::shared_ptr<Pkcs11Module> module_;
  const std::string label_;
  std::string pin_;  // cleansed in the destructor
  const int max_sessions_;

  mutable std::mutex mu_;
  std::condition_variable released_;
  CK_SLOT_ID slot_ = 0;             // guarded by mu_
  uint64_t epoch_ = 1;              // guarded by mu_
  std::vector<Session> idle_;       // guarded by mu_
  int open_ = 0;                    // guarded by mu_: idle + lent sessions
  std::mutex login_mu_;             // serialises C_Login
};

}  // namespace openpca::keys::pkcs11
