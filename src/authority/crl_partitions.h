// CrlPartitions: binds each certificate of a PARTITIONED CA to a CRL partition at issuance
// (spec revocation.md §3), and records which CRLs certificates point to (Store crl_partitions).
//
// A partition holds at most `capacity` certificates (at most kMaxCrlPartitionCapacity, so that its
// CRL stays within 1 MB even if all were revoked; see common/crl_location.h). Assignment happens in
// memory: per CA, the open partition and how many certificates it was given. Only opening a
// partition writes to the store (its row, durable, before any certificate names it), so issuance
// costs no extra database write. The open partition is not remembered across restarts: after one,
// the next certificate opens a new partition. A slot handed out to an issuance that then fails is
// not reused; partitions may end up less than full, never over.
//
// A partition's location (bucket, object key, URI) is fixed when it is opened from the CA's CRL
// configuration at that moment; when the configuration or the public URL changes, the next
// certificate opens a new partition at the new location.
//
// Thread-safe: one mutex per CA serializes assignment (a few instructions) and the rare opening.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "store/records.h"
#include "store/store.h"

namespace openpca::authority {

// Where the CRLs of a CA's configuration go: the parts of a partition's location that come from
// the configuration and the server.
struct CrlLocation {
  std::string bucket;
  std::string custom_path;   // "" = "crl"
  std::string custom_cname;  // "" = path-style at public_url
  std::string public_url;    // no trailing '/'

  bool operator==(const CrlLocation&) const = default;
};

// The partition a certificate was bound to.
struct AssignedPartition {
  std::string partition_id;
  std::string uri;  // the certificate's CDP URI
};

class CrlPartitions {
 public:
  // Called once per partition opened, after its row is durable and before any certificate naming
  // it is returned (to publish its empty CRL). Runs while the CA's assignment lock is held.
  using OpenedFn = std::function<void(const store::CrlPartitionRecord&)>;

  // `capacity`: certificates per partition, 1..kMaxCrlPartitionCapacity (checked by the caller).
  CrlPartitions(store::Store& store, const Clock& clock, Random& random, int64_t capacity);

  // The partition the next certificate of `ca_id` goes to. Opens one when the CA has none open
  // at `location` or the open one is full. Errors: those of Store::InsertCrlPartition.
  Result<AssignedPartition> Assign(const std::string& ca_id, const CrlLocation& location,
                                   const OpenedFn& opened);

  // Records (once per CA and process) that certificates of `ca_id` name its complete CRL, so that
  // it is kept published should the CA switch to PARTITIONED. Errors: those of the store.
  Status NoteCompleteCrlUse(const std::string& ca_id);

  // Drops the in-memory state of a CA (purged): its next certificate opens a new partition.
  void Forget(const std::string& ca_id);

  int64_t capacity() const { return capacity_; }

 private:
  struct OpenPartition {
    CrlLocation location;
    AssignedPartition assigned;
    int64_t used = 0;
  };
  struct CaState {
    std::mutex mu;
    std::optional<OpenPartition> open;
    bool complete_noted = false;
  };
  std::shared_ptr<CaState> StateOf(const std::string& ca_id);

  store::Store& store_;
  const Clock& clock_;
  Random& random_;
  const int64_t capacity_;

  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<CaState>> cas_;
};

}  // namespace openpca::authority
