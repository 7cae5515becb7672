#include "authority/crl_partitions.h"

#include "common/crl_location.h"

namespace openpca::authority {

CrlPartitions::CrlPartitions(store::Store& store, const Clock& clock, Random& random,
                             int64_t capacity)
    : store_(store), clock_(clock), random_(random), capacity_(capacity) {
  OPENPCA_CHECK(capacity_ >= 1 && capacity_ <= kMaxCrlPartitionCapacity);
}

std::shared_ptr<CrlPartitions::CaState> CrlPartitions::StateOf(const std::string& ca_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<CaState>& state = cas_[ca_id];
  if (state == nullptr) state = std::make_shared<CaState>();
  return state;
}

Result<AssignedPartition> CrlPartitions::Assign(const std::string& ca_id,
                                                const CrlLocation& location,
                                                const OpenedFn& opened) {
  std::shared_ptr<CaState> state = StateOf(ca_id);
  std::lock_guard<std::mutex> lock(state->mu);
  if (state->open.has_value() && state->open->location == location &&
      state->open->used < capacity_) {
    ++state->open->used;
    return state->open->assigned;
  }
  // Open a new partition. Its row is durable before any certificate can name it; concurrent
  // issuers of this CA wait here meanwhile (once per `capacity_` certificates).
  store::CrlPartitionRecord record;
  record.ca_id = ca_id;
  record.partition_id = NewUuidV4(random_);
  record.bucket = location.bucket;
  record.object_key = CrlPartitionObjectKey(location.custom_path, ca_id, record.partition_id);
  record.uri = CrlUrl(location.public_url, location.bucket, location.custom_cname,
                      record.object_key);
  record.capacity = capacity_;
  record.created_at_ms = ToUnixMillis(clock_.Now());
  RETURN_IF_ERROR(store_.InsertCrlPartition(record));
  if (opened) opened(record);
  state->open = OpenPartition{location, AssignedPartition{record.partition_id, record.uri}, 1};
  return state->open->assigned;
}

Status CrlPartitions::NoteCompleteCrlUse(const std::string& ca_id) {
  std::shared_ptr<CaState> state = StateOf(ca_id);
  std::lock_guard<std::mutex> lock(state->mu);
  if (state->complete_noted) return Status::Ok();
  store::CrlPartitionRecord record;
  record.ca_id = ca_id;
  record.created_at_ms = ToUnixMillis(clock_.Now());
  RETURN_IF_ERROR(store_.InsertCrlPartition(record));
  state->complete_noted = true;
  return Status::Ok();
}

void CrlPartitions::Forget(const std::string& ca_id) {
  std::lock_guard<std::mutex> lock(mu_);
  cas_.erase(ca_id);
}

}  // namespace openpca::authority
