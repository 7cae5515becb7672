// Pkcs11Module: one PKCS#11 module (a shared library such as libsofthsm2.so) loaded with dlopen
// and initialised with C_Initialize(CKF_OS_LOCKING_OK).
//
// A module may be initialised only once per process, so Load() shares one Pkcs11Module per path:
// every store that names the same path gets the same object, and C_Finalize runs when the last
// reference goes. The library itself stays mapped (RTLD_NODELETE): some modules register exit
// handlers that must not outlive their code.
// Thread-safety: Load() is thread-safe; the function list may be used from any thread (the module
// was told it may use OS locking).
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace openpca::keys::pkcs11 {

class Pkcs11Module {
 public:
  // Errors: kInvalidArgs (not loadable, no C_GetFunctionList, C_Initialize refused); kInternal.
  static Result<std::shared_ptr<Pkcs11Module>> Load(const std::string& path);

  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }

 private:
  Pkcs11Module(std::string path, void* handle, CK_FUNCTION_LIST* fn, bool owns_initialization)
      : path_(std::move(path)),
        handle_(handle),
        fn_(fn),
        owns_initialization_(owns_initialization) {}

  const std::string path_;
  void* const handle_;
  CK_FUNCTION_LIST* const fn_;
  // False when something else in the process had initialised the module: then C_Finalize is
  // theirs to call.
  const bool owns_initialization_;
};

// "CKR_PIN_INCORRECT" for a return value, or "CKR_0x..." for one this table lacks.
std::string RvName(CK_RV rv);

// kInternal "<what>: CKR_..." (never with secrets: callers name the call, not its arguments).
Status Pkcs11Error(const std::string& what, CK_RV rv);

}  // namespace openpca::keys::pkcs11
