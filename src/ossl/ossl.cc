#include "ossl/ossl.h"

#include <openssl/err.h>

namespace openpca::ossl {

Status OsslError(const char* fn, ErrorCode code) {
  std::string message = std::string(fn) + " failed";
  unsigned long err;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    message += ": ";
    message += buf;
  }
  return Status(code, message);
}

void ClearOsslErrors() { ERR_clear_error(); }

}  // namespace openpca::ossl
