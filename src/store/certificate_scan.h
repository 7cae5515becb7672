// CertificateScan: reads every certificate a CA issued, one at a time, for whole-CA reports
// (acm-pca audit reports). SqliteCertificateScan and PgCertificateScan implement it on the
// database of a SqliteStore or PgStore.
//
// Implementations are thread-safe. A scan streams rows from a database cursor: memory does not
// grow with the number of certificates.
#pragma once

#include <functional>
#include <string_view>

#include "common/status.h"
#include "store/records.h"

namespace openpca::store {

class CertificateScan {
 public:
  virtual ~CertificateScan() = default;

  // Calls `fn` once per certificate of `ca_id` (revoked or not, expired or not, CA certificates
  // included), in serial_hex order, from one consistent snapshot. The first error `fn` returns
  // stops the scan and is returned. `fn` runs while a read connection is held: it may call other
  // read methods (they use other connections) and may take its time (WAL readers do not block the
  // writer), but holds that connection meanwhile. An unknown CA has no certificates (OK, `fn` is
  // never called). Errors: those of `fn`; kInternal.
  virtual Status ForEachCertificate(std::string_view ca_id,
                                    const std::function<Status(const CertificateRecord&)>& fn) = 0;
};

}  // namespace openpca::store
