#include "audit/trail_delivery.h"

#include <algorithm>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "audit/digest_builder.h"
#include "audit/gzip.h"
#include "audit/trail_layout.h"
#include "common/thread_name.h"

namespace openpca::audit {
namespace {

constexpr int kReadLimit = 2000;
constexpr int kOutboxPage = 16;
constexpr char kGzipContentType[] = "application/x-gzip";

// Events of global services, which a trail without IncludeGlobalServiceEvents leaves out.
bool IsGlobalServiceEvent(const store::StoredEvent& e) {
  return e.event_source == "iam.amazonaws.com" || e.event_source == "organizations.amazonaws.com";
}

bool InScope(const store::TrailRecord& trail, const std::vector<std::string>& regions,
             const store::StoredEvent& e) {
  if (e.recipient_account_id != trail.account_id) return false;
  if (trail.multi_region ? std::find(regions.begin(), regions.end(), e.region) == regions.end()
                         : e.region != trail.home_region) {
    return false;
  }
  if (!trail.include_global_service_events && IsGlobalServiceEvent(e)) return false;
  if (e.event_time_ms < trail.start_logging_ms) return false;
  if (!trail.logging && e.event_time_ms > trail.stop_logging_ms) return false;
  return true;
}

// The records of one region waiting to become a log file.
struct PendingFile {
  std::string body = "{\"Records\":[";
  int count = 0;
  int64_t oldest_ms = 0;
  int64_t newest_ms = 0;
};

}  // namespace

TrailDelivery::TrailDelivery(store::TrailDeliveryStore& trails, store::TrailStore* history,
                             objects::BucketStore& buckets, DigestKeys& keys, const Clock& clock,
                             Random& random, TrailBucketCheck bucket_check,
                             TrailDeliveryOptions options)
    : trails_(trails),
      history_(history),
      buckets_(buckets),
      keys_(keys),
      clock_(clock),
      random_(random),
      bucket_check_(std::move(bucket_check)),
      options_(std::move(options)) {
  OPENPCA_CHECK(options_.delivery_interval.count() > 0 && options_.digest_interval.count() > 0);
  OPENPCA_CHECK(!options_.regions.empty() && options_.max_records_per_file > 0);
}

TrailDelivery::~TrailDelivery() { Stop(); }

void TrailDelivery::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void TrailDelivery::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TrailDelivery::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void TrailDelivery::Loop() {
  NameThisThread("trail-delivery");
  // Rounds often enough that a trail is served within a fraction of its shortest interval.
  auto tick = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::min(options_.delivery_interval, options_.digest_interval)) /
              4;
  auto period = std::clamp<std::chrono::milliseconds>(tick, std::chrono::milliseconds(250),
                                                      std::chrono::milliseconds(10000));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    if (!MayRun(options_.leadership, "trail-delivery")) {
      // Another server delivers; this one keeps no outbox of its own to flush.
    } else if (Status st = RunOnce(); !st.ok()) {
      spdlog::error("trail delivery round failed: {}", st.message());
    }
    lock.lock();
    cv_.wait_for(lock, period, [this] { return stopping_ || woken_; });
  }
}


Status TrailDelivery::RunOnce() {
  RETURN_IF_ERROR(FlushOutbox());
  ASSIGN_OR_RETURN(std::vector<store::TrailRecord> trails, trails_.ListTrails(""));
  for (const store::TrailRecord& trail : trails) {
    if (!trail.logging && !trail.final_digest_pending) continue;
    const int64_t now_ms = ToUnixMillis(clock_.Now());
    auto last = last_delivery_ms_.find(trail.arn);
    bool due = trail.final_digest_pending || last == last_delivery_ms_.end() ||
               now_ms - last->second >= options_.delivery_interval.count() * 1000;
    if (due) {
      Status st = DeliverTrail(trail, now_ms);
      if (!st.ok()) {
        spdlog::warn("trail {}: delivery: {}", trail.arn, st.message());
        if (st.code() == ErrorCode::kInternal) return st;
        continue;  // the digest waits for the files it must list
      }
      last_delivery_ms_[trail.arn] = now_ms;
    }
    Status st = DigestTrail(trail, now_ms);
    if (!st.ok()) {
      spdlog::warn("trail {}: digest: {}", trail.arn, st.message());
      if (st.code() == ErrorCode::kInternal) return st;
    }
  }
  return FlushOutbox();
}

Status TrailDelivery::DeliverTrail(const store::TrailRecord& trail, int64_t now_ms) {
  if (bucket_check_) {
    if (Status st = bucket_check_(trail); !st.ok()) {
      std::string name = st.code() == ErrorCode::kS3BucketDoesNotExist ? "NoSuchBucket"
                                                                      : "AccessDenied";
      if (trail.latest_delivery_error != name) {
        RETURN_IF_ERROR(trails_.SetDeliveryError(trail.arn, false, name));
      }
      return Status(ErrorCode::kAccessDenied, st.message());
    }
  }
  if (history_ == nullptr) {
    if (trail.final_digest_pending && !trail.log_file_validation) {
      // Nothing to deliver and no chain to end.
      store::DigestCommit done;
      done.trail_arn = trail.arn;
      done.epoch = trail.epoch;
      done.final_digest = true;
      return trails_.CommitDigests(done);
    }
    return Status::Ok();
  }
  int64_t cursor = trail.cursor_seq;
  bool caught_up = false;
  while (!caught_up) {
    // Gather up to one file's worth of records per region, then commit them as one step.
    std::map<std::string, PendingFile> files;
    int gathered = 0;
    int64_t step_cursor = cursor;
    while (gathered < options_.max_records_per_file) {
      int limit = std::min(kReadLimit, options_.max_records_per_file - gathered);
      ASSIGN_OR_RETURN(std::vector<store::StoredEvent> events,
                       history_->ReadEventsAfter(step_cursor, limit));
      for (const store::StoredEvent& e : events) {
        step_cursor = e.seq;
        if (!InScope(trail, options_.regions, e)) continue;
        PendingFile& f = files[e.region];
        if (f.count > 0) f.body.push_back(',');
        f.body += e.record_json;
        f.oldest_ms = f.count == 0 ? e.event_time_ms : std::min(f.oldest_ms, e.event_time_ms);
        f.newest_ms = f.count == 0 ? e.event_time_ms : std::max(f.newest_ms, e.event_time_ms);
        ++f.count;
        ++gathered;
      }
      if (static_cast<int>(events.size()) < limit) {
        caught_up = true;
        break;
      }
    }
    if (step_cursor == cursor) break;  // nothing new
    store::DeliveryCommit commit;
    commit.trail_arn = trail.arn;
    commit.epoch = trail.epoch;
    commit.cursor_seq = step_cursor;
    for (auto& [region, f] : files) {
      f.body += "]}";
      ASSIGN_OR_RETURN(Bytes gz, Gzip(AsSpan(f.body)));
      store::OutboxObject o;
      o.trail_arn = trail.arn;
      o.kind = "log";
      o.bucket = trail.s3_bucket;
      o.key = LogFileKey(trail.s3_key_prefix, trail.account_id, region, now_ms,
                         RandomSuffix(random_));
      o.body = std::move(gz);
      o.content_type = kGzipContentType;
      if (trail.log_file_validation) {
        commit.chain_logs.push_back(store::DigestLogEntry{
            region, o.bucket, o.key, Sha256Hex(AsSpan(f.body)), f.oldest_ms, f.newest_ms});
      }
      commit.objects.push_back(std::move(o));
    }
    if (!commit.objects.empty()) commit.delivered_ms = now_ms;
    RETURN_IF_ERROR(trails_.CommitDelivery(commit));
    cursor = step_cursor;
  }
  if (!trail.latest_delivery_error.empty()) {
    RETURN_IF_ERROR(trails_.SetDeliveryError(trail.arn, false, ""));
  }
  if (trail.final_digest_pending && !trail.log_file_validation) {
    ASSIGN_OR_RETURN(std::vector<store::DigestChainRecord> chains, trails_.ListChains(trail.arn));
    if (chains.empty()) {
      // Validation is off and no chain is open: the final delivery is complete.
      store::DigestCommit done;
      done.trail_arn = trail.arn;
      done.epoch = trail.epoch;
      done.final_digest = true;
      return trails_.CommitDigests(done);
    }
  }
  return Status::Ok();
}

Status TrailDelivery::DigestTrail(const store::TrailRecord& trail, int64_t now_ms) {
  ASSIGN_OR_RETURN(std::vector<store::DigestChainRecord> chains, trails_.ListChains(trail.arn));
  const bool final = trail.final_digest_pending;
  // Validation off: only a final digest that ends open chains.
  if (!trail.log_file_validation && !(final && !chains.empty())) return Status::Ok();

  // The home region's chain runs from StartLogging; another region's (multi-region trails) from
  // its first log file (CommitDelivery opens it), and on from there.
  std::vector<store::DigestChainRecord> state;
  {
    store::DigestChainRecord home;
    home.trail_arn = trail.arn;
    home.region = trail.home_region;
    home.window_start_ms = trail.chain_started_ms;
    state.push_back(std::move(home));
  }
  for (const auto& c : chains) {
    auto it = std::find_if(state.begin(), state.end(),
                           [&](const auto& s) { return s.region == c.region; });
    if (it != state.end()) {
      *it = c;
    } else {
      state.push_back(c);  // a region the trail no longer covers still ends its chain
    }
  }
  if (!final) {
    int64_t oldest_window = now_ms;
    for (const auto& c : state) oldest_window = std::min(oldest_window, c.window_start_ms);
    if (now_ms - oldest_window < options_.digest_interval.count() * 1000) return Status::Ok();
  }

  store::DigestCommit commit;
  commit.trail_arn = trail.arn;
  commit.epoch = trail.epoch;
  commit.delivered_ms = now_ms;
  commit.final_digest = final;
  for (const store::DigestChainRecord& c : state) {
    // Digest keys carry the end time in seconds and must follow the previous one.
    int64_t end_s = std::max(now_ms / 1000, c.window_start_ms / 1000 + 1);
    DigestInput in;
    in.account_id = trail.account_id;
    in.start_ms = c.window_start_ms;
    in.end_ms = end_s * 1000;
    in.bucket = trail.s3_bucket;
    in.key = DigestFileKey(trail.s3_key_prefix, trail.account_id, c.region, trail.name,
                           trail.home_region, in.end_ms);
    ASSIGN_OR_RETURN(DigestKeys::SigningKey key, keys_.Current(c.region));
    in.fingerprint = key.fingerprint;
    in.prev_bucket = c.prev_bucket;
    in.prev_key = c.prev_key;
    in.prev_hash_hex = c.prev_hash_hex;
    in.prev_signature_hex = c.prev_signature_hex;
    in.logs = c.pending_logs;
    std::string json = BuildDigestJson(in);
    std::string to_sign = DigestSigningString(in, json);
    ASSIGN_OR_RETURN(Bytes signature,
                     key.signer->Sign(SigningAlgorithm::kSha256WithRsa, AsSpan(to_sign)));
    std::string signature_hex = HexEncode(signature);
    ASSIGN_OR_RETURN(Bytes gz, Gzip(AsSpan(json)));

    store::OutboxObject o;
    o.trail_arn = trail.arn;
    o.kind = "digest";
    o.bucket = in.bucket;
    o.key = in.key;
    o.body = std::move(gz);
    o.content_type = kGzipContentType;
    o.metadata = {{"signature", signature_hex},
                  {"signature-algorithm", kDigestSignatureAlgorithm}};
    commit.objects.push_back(std::move(o));

    store::DigestChainRecord next;
    next.trail_arn = trail.arn;
    next.region = c.region;
    next.window_start_ms = in.end_ms;
    next.prev_bucket = in.bucket;
    next.prev_key = in.key;
    next.prev_hash_hex = Sha256Hex(AsSpan(json));
    next.prev_signature_hex = signature_hex;
    next.pending_logs = c.pending_logs;  // what this digest listed (the store keeps the rest)
    commit.chains.push_back(std::move(next));
  }
  RETURN_IF_ERROR(trails_.CommitDigests(commit));
  if (!trail.latest_digest_delivery_error.empty()) {
    RETURN_IF_ERROR(trails_.SetDeliveryError(trail.arn, true, ""));
  }
  return Status::Ok();
}

Status TrailDelivery::FlushOutbox() {
  int64_t after = 0;
  std::unordered_set<std::string> failed_trails;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<store::OutboxObject> page,
                     trails_.ListOutbox(after, kOutboxPage));
    if (page.empty()) return Status::Ok();
    for (const store::OutboxObject& o : page) {
      after = o.id;
      // A trail's objects are written in order: after a failure its later ones wait.
      if (failed_trails.contains(o.trail_arn)) continue;
      Status st = buckets_.BucketExists(o.bucket)
                      ? buckets_.Put(o.bucket, o.key, o.body, o.content_type, false, o.metadata)
                      : Status(ErrorCode::kS3BucketDoesNotExist, "NoSuchBucket");
      if (!st.ok()) {
        failed_trails.insert(o.trail_arn);
        std::string error = st.code() == ErrorCode::kS3BucketDoesNotExist ? "NoSuchBucket"
                            : st.code() == ErrorCode::kAccessDenied        ? "AccessDenied"
                                                                           : "InternalError";
        spdlog::warn("trail {}: writing s3://{}/{}: {}", o.trail_arn, o.bucket, o.key,
                     st.message());
        RETURN_IF_ERROR(trails_.SetDeliveryError(o.trail_arn, o.kind == "digest", error));
        continue;
      }
      RETURN_IF_ERROR(trails_.DeleteOutbox(o.id));
    }
  }
}

}  // namespace openpca::audit
