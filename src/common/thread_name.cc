#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace openpca {

void NameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, 15));  // 16 bytes with the terminator
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace openpca
