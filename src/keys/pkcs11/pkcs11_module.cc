#include "keys/pkcs11/pkcs11_module.h"

#include <dlfcn.h>

#include <cstdio>
#include <map>
#include <mutex>

namespace openpca::keys::pkcs11 {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

// Modules loaded and initialised in this process, by path.
std::map<std::string, std::weak_ptr<Pkcs11Module>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<Pkcs11Module>>();
  return *registry;
}

}  // namespace

Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Load(const std::string& path) {
  if (path.empty()) return Status(ErrorCode::kInvalidArgs, "no PKCS#11 module path");
  std::lock_guard<std::mutex> lock(RegistryMutex());
  if (auto it = Registry().find(path); it != Registry().end()) {
    if (std::shared_ptr<Pkcs11Module> live = it->second.lock()) return live;
  }
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Status(ErrorCode::kInvalidArgs,
                  "cannot load PKCS#11 module " + path + ": " + (why ? why : "dlopen failed"));
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
  if (get_list == nullptr) {
    ::dlclose(handle);
    return Status(ErrorCode::kInvalidArgs, path + " is not a PKCS#11 module (no C_GetFunctionList)");
  }
  CK_FUNCTION_LIST* fn = nullptr;
  CK_RV rv = get_list(&fn);
  if (rv != CKR_OK || fn == nullptr) {
    ::dlclose(handle);
    return Status(ErrorCode::kInvalidArgs, path + ": C_GetFunctionList: " + RvName(rv));
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  rv = fn->C_Initialize(&args);
  // Another component of this process (not through this registry) may have initialised it; the
  // module is then shared with it and must not be finalised by us.
  bool owns_initialization = rv == CKR_OK;
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    ::dlclose(handle);
    return Status(ErrorCode::kInvalidArgs, path + ": C_Initialize: " + RvName(rv));
  }
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(path, handle, fn, owns_initialization));
  Registry()[path] = module;
  return module;
}

Pkcs11Module::~Pkcs11Module() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  if (owns_initialization_) fn_->C_Finalize(nullptr);
  // The handle stays mapped (RTLD_NODELETE); dlclose only drops the reference count.
  ::dlclose(handle_);
}

std::string RvName(CK_RV rv) {
  switch (rv) {
#define OPENPCA_RV(name) \
  case name:             \
    return #name;
    OPENPCA_RV(CKR_OK)
    OPENPCA_RV(CKR_CANCEL)
    OPENPCA_RV(CKR_HOST_MEMORY)
    OPENPCA_RV(CKR_SLOT_ID_INVALID)
    OPENPCA_RV(CKR_GENERAL_ERROR)
    OPENPCA_RV(CKR_FUNCTION_FAILED)
    OPENPCA_RV(CKR_ARGUMENTS_BAD)
    OPENPCA_RV(CKR_ATTRIBUTE_READ_ONLY)
    OPENPCA_RV(CKR_ATTRIBUTE_SENSITIVE)
    OPENPCA_RV(CKR_ATTRIBUTE_TYPE_INVALID)
    OPENPCA_RV(CKR_ATTRIBUTE_VALUE_INVALID)
    OPENPCA_RV(CKR_DATA_INVALID)
    OPENPCA_RV(CKR_DATA_LEN_RANGE)
    OPENPCA_RV(CKR_DEVICE_ERROR)
    OPENPCA_RV(CKR_DEVICE_MEMORY)
    OPENPCA_RV(CKR_DEVICE_REMOVED)
    OPENPCA_RV(CKR_FUNCTION_CANCELED)
    OPENPCA_RV(CKR_FUNCTION_NOT_SUPPORTED)
    OPENPCA_RV(CKR_KEY_HANDLE_INVALID)
    OPENPCA_RV(CKR_KEY_SIZE_RANGE)
    OPENPCA_RV(CKR_KEY_TYPE_INCONSISTENT)
    OPENPCA_RV(CKR_KEY_FUNCTION_NOT_PERMITTED)
    OPENPCA_RV(CKR_KEY_UNEXTRACTABLE)
    OPENPCA_RV(CKR_MECHANISM_INVALID)
    OPENPCA_RV(CKR_MECHANISM_PARAM_INVALID)
    OPENPCA_RV(CKR_OBJECT_HANDLE_INVALID)
    OPENPCA_RV(CKR_OPERATION_ACTIVE)
    OPENPCA_RV(CKR_OPERATION_NOT_INITIALIZED)
    OPENPCA_RV(CKR_PIN_INCORRECT)
    OPENPCA_RV(CKR_PIN_INVALID)
    OPENPCA_RV(CKR_PIN_LEN_RANGE)
    OPENPCA_RV(CKR_PIN_EXPIRED)
    OPENPCA_RV(CKR_PIN_LOCKED)
    OPENPCA_RV(CKR_SESSION_CLOSED)
    OPENPCA_RV(CKR_SESSION_COUNT)
    OPENPCA_RV(CKR_SESSION_HANDLE_INVALID)
    OPENPCA_RV(CKR_SESSION_READ_ONLY)
    OPENPCA_RV(CKR_SIGNATURE_INVALID)
    OPENPCA_RV(CKR_TEMPLATE_INCOMPLETE)
    OPENPCA_RV(CKR_TEMPLATE_INCONSISTENT)
    OPENPCA_RV(CKR_TOKEN_NOT_PRESENT)
    OPENPCA_RV(CKR_TOKEN_NOT_RECOGNIZED)
    OPENPCA_RV(CKR_TOKEN_WRITE_PROTECTED)
    OPENPCA_RV(CKR_USER_ALREADY_LOGGED_IN)
    OPENPCA_RV(CKR_USER_NOT_LOGGED_IN)
    OPENPCA_RV(CKR_USER_PIN_NOT_INITIALIZED)
    OPENPCA_RV(CKR_USER_TYPE_INVALID)
    OPENPCA_RV(CKR_BUFFER_TOO_SMALL)
    OPENPCA_RV(CKR_CRYPTOKI_NOT_INITIALIZED)
    OPENPCA_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED)
    OPENPCA_RV(CKR_DOMAIN_PARAMS_INVALID)
#undef OPENPCA_RV
    default: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "CKR_0x%lx", static_cast<unsigned long>(rv));
      return buf;
    }
  }
}

Status Pkcs11Error(const std::string& what, CK_RV rv) {
  return InternalError("PKCS#11 " + what + ": " + RvName(rv));
}

}  // namespace openpca::keys::pkcs11
