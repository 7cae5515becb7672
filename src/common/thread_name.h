// NameThisThread: gives the calling thread a name the kernel shows (top -H, ps -L, perf, and
// /proc/<pid>/task/<tid>/comm, which bench/issuance/cpu_per_request.sh reads to say where the
// server's CPU went). Names longer than 15 bytes are cut, as the kernel requires.
#pragma once

#include <string_view>

namespace openpca {

void NameThisThread(std::string_view name);

}  // namespace openpca
