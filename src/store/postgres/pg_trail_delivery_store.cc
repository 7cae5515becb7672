#include "store/postgres/pg_trail_delivery_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/digest_chains.h"
#include "store/postgres/pg_read_rows.h"
#include "store/trail_json.h"

namespace openpca::store {
namespace {

constexpr char kPgTrailColumns[] =
    "arn, account_id, home_region, name, s3_bucket, s3_key_prefix, sns_topic_name, "
    "include_global_service_events, multi_region, log_file_validation, tags_json, created_ms, "
    "logging, start_logging_ms, stop_logging_ms, epoch, chain_started_ms, final_digest_pending, "
    "cursor_seq, latest_delivery_ms, latest_digest_delivery_ms, latest_delivery_error, "
    "latest_digest_delivery_error";

constexpr char kPgChainColumns[] =
    "trail_arn, region, window_start_ms, prev_bucket, prev_key, prev_hash_hex, "
    "prev_signature_hex, pending_logs_json";

TrailRecord PgReadTrailRow(const PgResult& rows, int r) {
  TrailRecord t;
  t.arn = rows.String(r, 0);
  t.account_id = rows.String(r, 1);
  t.home_region = rows.String(r, 2);
  t.name = rows.String(r, 3);
  t.s3_bucket = rows.String(r, 4);
  t.s3_key_prefix = rows.String(r, 5);
  t.sns_topic_name = rows.String(r, 6);
  t.include_global_service_events = rows.Int64(r, 7) != 0;
  t.multi_region = rows.Int64(r, 8) != 0;
  t.log_file_validation = rows.Int64(r, 9) != 0;
  t.tags = TrailPairsFromJson(rows.String(r, 10));
  t.created_ms = rows.Int64(r, 11);
  t.logging = rows.Int64(r, 12) != 0;
  t.start_logging_ms = rows.Int64(r, 13);
  t.stop_logging_ms = rows.Int64(r, 14);
  t.epoch = rows.Int64(r, 15);
  t.chain_started_ms = rows.Int64(r, 16);
  t.final_digest_pending = rows.Int64(r, 17) != 0;
  t.cursor_seq = rows.Int64(r, 18);
  t.latest_delivery_ms = rows.Int64(r, 19);
  t.latest_digest_delivery_ms = rows.Int64(r, 20);
  t.latest_delivery_error = rows.String(r, 21);
  t.latest_digest_delivery_error = rows.String(r, 22);
  return t;
}

// The trail, row-locked until the transaction ends when `lock` (writes acting on the trail).
Result<std::optional<TrailRecord>> PgGetTrailOn(PgConnection& conn, std::string_view arn,
                                                bool lock) {
  PgParams params;
  params.Text(arn);
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgTrailColumns +
                                                " FROM cloudtrail_trails WHERE arn = $1" +
                                                (lock ? " FOR UPDATE" : ""),
                                            params));
  return ReadFirstPgRow<TrailRecord>(rows, PgReadTrailRow);
}

Status PgTrailNotFound(std::string_view arn) {
  return Status(ErrorCode::kTrailNotFound, "Unknown trail: " + std::string(arn));
}

Status PgTrailExists(const TrailRecord& t) {
  return Status(ErrorCode::kTrailAlreadyExists,
                "Trail " + t.name + " already exists for customer: " + t.account_id);
}

// The trail must still exist at `epoch`; its row stays locked until the transaction ends, so
// no StartLogging/StopLogging of another server can slip in before the commit.
Status PgCheckTrailEpoch(PgConnection& conn, std::string_view arn, int64_t epoch) {
  PgParams params;
  params.Text(arn);
  ASSIGN_OR_RETURN(
      PgResult rows,
      conn.Exec("SELECT epoch FROM cloudtrail_trails WHERE arn = $1 FOR UPDATE", params));
  if (rows.rows() == 0 || rows.Int64(0, 0) != epoch) {
    return Status(ErrorCode::kConcurrentModification, "the trail changed during delivery");
  }
  return Status::Ok();
}

Status PgInsertOutbox(PgConnection& conn, const OutboxObject& o) {
  const std::string meta = TrailPairsToJson(o.metadata);
  PgParams params;
  params.Text(o.trail_arn)
      .Text(o.kind)
      .Text(o.bucket)
      .Text(o.key)
      .Bytea(o.body)
      .Text(o.content_type)
      .Text(meta);
  return conn
      .Exec(
          "INSERT INTO cloudtrail_outbox (trail_arn, kind, bucket, object_key, body, "
          "content_type, metadata_json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          params)
      .status();
}

Result<std::vector<DigestChainRecord>> PgListChainsOn(PgConnection& conn,
                                                      std::string_view trail_arn) {
  PgParams params;
  params.Text(trail_arn);
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec(std::string("SELECT ") + kPgChainColumns +
                                 " FROM cloudtrail_digest_chains WHERE trail_arn = $1 "
                                 "ORDER BY region",
                             params));
  std::vector<DigestChainRecord> out;
  for (int r = 0; r < rows.rows(); ++r) {
    DigestChainRecord c;
    c.trail_arn = rows.String(r, 0);
    c.region = rows.String(r, 1);
    c.window_start_ms = rows.Int64(r, 2);
    c.prev_bucket = rows.String(r, 3);
    c.prev_key = rows.String(r, 4);
    c.prev_hash_hex = rows.String(r, 5);
    c.prev_signature_hex = rows.String(r, 6);
    c.pending_logs = DigestLogsFromJson(rows.String(r, 7));
    out.push_back(std::move(c));
  }
  return out;
}

Status PgUpsertChain(PgConnection& conn, const DigestChainRecord& c) {
  const std::string logs = DigestLogsToJson(c.pending_logs);
  PgParams params;
  params.Text(c.trail_arn)
      .Text(c.region)
      .Int64(c.window_start_ms)
      .Text(c.prev_bucket)
      .Text(c.prev_key)
      .Text(c.prev_hash_hex)
      .Text(c.prev_signature_hex)
      .Text(logs);
  return conn
      .Exec(std::string("INSERT INTO cloudtrail_digest_chains (") + kPgChainColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (trail_arn, region) DO "
                "UPDATE SET window_start_ms = excluded.window_start_ms, prev_bucket = "
                "excluded.prev_bucket, prev_key = excluded.prev_key, prev_hash_hex = "
                "excluded.prev_hash_hex, prev_signature_hex = excluded.prev_signature_hex, "
                "pending_logs_json = excluded.pending_logs_json",
            params)
      .status();
}

Status PgDeleteChains(PgConnection& conn, std::string_view arn) {
  PgParams params;
  params.Text(arn);
  return conn.Exec("DELETE FROM cloudtrail_digest_chains WHERE trail_arn = $1", params).status();
}

}  // namespace

Status PgTrailDeliveryStore::InsertTrail(const TrailRecord& t, int max_per_region) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    {
      // Another server's InsertTrail for the account waits here until this one commits, and
      // then counts this trail.
      PgParams lock;
      lock.Int64(kPgTrailAccountLockClass).Text(t.account_id);
      RETURN_IF_ERROR(
          conn.Exec("SELECT pg_advisory_xact_lock($1::int4, hashtext($2))", lock).status());
    }
    // Trails that count in the new trail's home region: its own and every multi-region trail.
    PgParams same_params;
    same_params.Text(t.account_id).Text(t.home_region);
    ASSIGN_OR_RETURN(PgResult same,
                     conn.Exec("SELECT name FROM cloudtrail_trails WHERE account_id = $1 AND "
                               "(home_region = $2 OR multi_region = 1)",
                               same_params));
    int count = 0;
    for (int r = 0; r < same.rows(); ++r) {
      if (same.Text(r, 0) == t.name) return PgTrailExists(t);
      ++count;
    }
    if (t.multi_region) {
      // A multi-region trail takes its name in every region.
      PgParams named_params;
      named_params.Text(t.account_id).Text(t.name);
      ASSIGN_OR_RETURN(PgResult named,
                       conn.Exec("SELECT 1 FROM cloudtrail_trails WHERE account_id = $1 AND "
                                 "name = $2",
                                 named_params));
      if (named.rows() > 0) return PgTrailExists(t);
    }
    if (count >= max_per_region) {
      return Status(ErrorCode::kMaximumNumberOfTrailsExceeded,
                    "User: " + t.account_id + " already has " + std::to_string(count) +
                        " trails in " + t.home_region + ".");
    }
    const std::string tags = TrailPairsToJson(t.tags);
    PgParams params;
    params.Text(t.arn)
        .Text(t.account_id)
        .Text(t.home_region)
        .Text(t.name)
        .Text(t.s3_bucket)
        .Text(t.s3_key_prefix)
        .Text(t.sns_topic_name)
        .Int64(t.include_global_service_events ? 1 : 0)
        .Int64(t.multi_region ? 1 : 0)
        .Int64(t.log_file_validation ? 1 : 0)
        .Text(tags)
        .Int64(t.created_ms)
        .Int64(t.logging ? 1 : 0)
        .Int64(t.start_logging_ms)
        .Int64(t.stop_logging_ms)
        .Int64(t.epoch)
        .Int64(t.chain_started_ms)
        .Int64(t.final_digest_pending ? 1 : 0)
        .Int64(t.cursor_seq)
        .Int64(t.latest_delivery_ms)
        .Int64(t.latest_digest_delivery_ms)
        .Text(t.latest_delivery_error)
        .Text(t.latest_digest_delivery_error);
    ASSIGN_OR_RETURN(PgResult inserted,
                     conn.Exec(std::string("INSERT INTO cloudtrail_trails (") + kPgTrailColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                                   "$13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) "
                                   "ON CONFLICT (arn) DO NOTHING",
                               params));
    if (inserted.affected_rows() == 0) return PgTrailExists(t);
    return Status::Ok();
  });
}

Result<std::optional<TrailRecord>> PgTrailDeliveryStore::GetTrail(std::string_view arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) { return PgGetTrailOn(conn, arn, false); });
}

Result<std::vector<TrailRecord>> PgTrailDeliveryStore::ListTrails(std::string_view account_id) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<TrailRecord>> {
    PgParams params;
    params.Text(account_id);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgTrailColumns +
                                   " FROM cloudtrail_trails WHERE $1 = '' OR account_id = $1 "
                                   "ORDER BY arn",
                               params));
    return ReadAllPgRows<TrailRecord>(rows, PgReadTrailRow);
  });
}

Status PgTrailDeliveryStore::UpdateTrailConfig(const TrailRecord& t, int64_t now_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(std::optional<TrailRecord> old, PgGetTrailOn(conn, t.arn, true));
    if (!old.has_value()) return PgTrailNotFound(t.arn);
    int64_t epoch = old->epoch;
    int64_t chain_started = old->chain_started_ms;
    bool final_pending = old->final_digest_pending;
    if (t.log_file_validation && !old->log_file_validation) {
      // Validation switched on: new chains start now.
      RETURN_IF_ERROR(PgDeleteChains(conn, t.arn));
      ++epoch;
      chain_started = now_ms;
      final_pending = false;
    } else if (!t.log_file_validation && old->log_file_validation && old->logging) {
      ++epoch;
      final_pending = true;
    }
    const std::string tags = TrailPairsToJson(t.tags);
    PgParams params;
    params.Text(t.arn)
        .Text(t.s3_bucket)
        .Text(t.s3_key_prefix)
        .Text(t.sns_topic_name)
        .Int64(t.include_global_service_events ? 1 : 0)
        .Int64(t.multi_region ? 1 : 0)
        .Int64(t.log_file_validation ? 1 : 0)
        .Text(tags)
        .Int64(epoch)
        .Int64(chain_started)
        .Int64(final_pending ? 1 : 0);
    return conn
        .Exec(
            "UPDATE cloudtrail_trails SET s3_bucket = $2, s3_key_prefix = $3, sns_topic_name = "
            "$4, include_global_service_events = $5, multi_region = $6, log_file_validation = "
            "$7, tags_json = $8, epoch = $9, chain_started_ms = $10, final_digest_pending = $11 "
            "WHERE arn = $1",
            params)
        .status();
  });
}

Status PgTrailDeliveryStore::DeleteTrail(std::string_view arn) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("DELETE FROM cloudtrail_trails WHERE arn = $1", params));
    if (rows.affected_rows() == 0) return PgTrailNotFound(arn);
    return Status::Ok();
  });
}

Status PgTrailDeliveryStore::SetLogging(std::string_view arn, bool logging, int64_t now_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(std::optional<TrailRecord> old, PgGetTrailOn(conn, arn, true));
    if (!old.has_value()) return PgTrailNotFound(arn);
    if (old->logging == logging) return Status::Ok();
    PgParams params;
    params.Text(arn).Int64(now_ms);
    if (logging) {
      // A new chain after every start; a final digest still owed for the previous period is
      // given up (its chain ended with the stop).
      RETURN_IF_ERROR(PgDeleteChains(conn, arn));
      return conn
          .Exec(
              "UPDATE cloudtrail_trails SET logging = 1, start_logging_ms = $2, epoch = epoch + "
              "1, chain_started_ms = $2, final_digest_pending = 0 WHERE arn = $1",
              params)
          .status();
    }
    return conn
        .Exec(
            "UPDATE cloudtrail_trails SET logging = 0, stop_logging_ms = $2, epoch = epoch + 1, "
            "final_digest_pending = 1 WHERE arn = $1",
            params)
        .status();
  });
}

Status PgTrailDeliveryStore::SetTags(std::string_view arn,
                                     const std::vector<std::pair<std::string, std::string>>& tags) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    const std::string text = TrailPairsToJson(tags);
    PgParams params;
    params.Text(arn).Text(text);
    ASSIGN_OR_RETURN(
        PgResult rows,
        conn.Exec("UPDATE cloudtrail_trails SET tags_json = $2 WHERE arn = $1", params));
    if (rows.affected_rows() == 0) return PgTrailNotFound(arn);
    return Status::Ok();
  });
}

Result<std::vector<DigestChainRecord>> PgTrailDeliveryStore::ListChains(
    std::string_view trail_arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) { return PgListChainsOn(conn, trail_arn); });
}

Status PgTrailDeliveryStore::CommitDelivery(const DeliveryCommit& c) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    RETURN_IF_ERROR(PgCheckTrailEpoch(conn, c.trail_arn, c.epoch));
    {
      PgParams params;
      params.Text(c.trail_arn).Int64(c.cursor_seq).Int64(c.delivered_ms);
      RETURN_IF_ERROR(conn.Exec("UPDATE cloudtrail_trails SET cursor_seq = $2, "
                                "latest_delivery_ms = CASE WHEN $3 > 0 THEN $3 ELSE "
                                "latest_delivery_ms END WHERE arn = $1",
                                params)
                          .status());
    }
    for (const OutboxObject& o : c.objects) RETURN_IF_ERROR(PgInsertOutbox(conn, o));
    if (c.chain_logs.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(std::optional<TrailRecord> trail, PgGetTrailOn(conn, c.trail_arn, false));
    if (!trail.has_value()) return PgTrailNotFound(c.trail_arn);
    ASSIGN_OR_RETURN(std::vector<DigestChainRecord> chains, PgListChainsOn(conn, c.trail_arn));
    AddPendingLogs(chains, c.trail_arn, trail->chain_started_ms, c.chain_logs);
    for (const auto& chain : chains) RETURN_IF_ERROR(PgUpsertChain(conn, chain));
    return Status::Ok();
  });
}

Status PgTrailDeliveryStore::CommitDigests(const DigestCommit& c) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    RETURN_IF_ERROR(PgCheckTrailEpoch(conn, c.trail_arn, c.epoch));
    // Log files delivered since the digest was built stay pending for the next one.
    ASSIGN_OR_RETURN(std::vector<DigestChainRecord> current, PgListChainsOn(conn, c.trail_arn));
    if (c.final_digest) {
      RETURN_IF_ERROR(PgDeleteChains(conn, c.trail_arn));
    } else {
      for (const DigestChainRecord& chain : c.chains) {
        RETURN_IF_ERROR(PgUpsertChain(conn, ChainAfterDigest(chain, current)));
      }
    }
    for (const OutboxObject& o : c.objects) RETURN_IF_ERROR(PgInsertOutbox(conn, o));
    PgParams params;
    params.Text(c.trail_arn).Int64(c.delivered_ms).Int64(c.final_digest ? 1 : 0);
    return conn
        .Exec(
            "UPDATE cloudtrail_trails SET latest_digest_delivery_ms = $2, final_digest_pending = "
            "CASE WHEN $3 <> 0 THEN 0 ELSE final_digest_pending END WHERE arn = $1",
            params)
        .status();
  });
}

Status PgTrailDeliveryStore::SetDeliveryError(std::string_view trail_arn, bool digest,
                                              std::string_view error) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(trail_arn).Text(error);
    return conn
        .Exec(digest ? "UPDATE cloudtrail_trails SET latest_digest_delivery_error = $2 "
                       "WHERE arn = $1"
                     : "UPDATE cloudtrail_trails SET latest_delivery_error = $2 WHERE arn = $1",
              params)
        .status();
  });
}

Result<std::vector<OutboxObject>> PgTrailDeliveryStore::ListOutbox(int64_t after_id, int limit) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<OutboxObject>> {
    PgParams params;
    params.Int64(after_id).Int64(limit);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT id, trail_arn, kind, bucket, object_key, body, "
                               "content_type, metadata_json FROM cloudtrail_outbox WHERE id > $1 "
                               "ORDER BY id LIMIT $2",
                               params));
    std::vector<OutboxObject> out;
    for (int r = 0; r < rows.rows(); ++r) {
      OutboxObject o;
      o.id = rows.Int64(r, 0);
      o.trail_arn = rows.String(r, 1);
      o.kind = rows.String(r, 2);
      o.bucket = rows.String(r, 3);
      o.key = rows.String(r, 4);
      o.body = rows.Bytea(r, 5);
      o.content_type = rows.String(r, 6);
      o.metadata = TrailPairsFromJson(rows.String(r, 7));
      out.push_back(std::move(o));
    }
    return out;
  });
}

Status PgTrailDeliveryStore::DeleteOutbox(int64_t id) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Int64(id);
    return conn.Exec("DELETE FROM cloudtrail_outbox WHERE id = $1", params).status();
  });
}

Status PgTrailDeliveryStore::InsertDigestKey(const DigestKeyRecord& k) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(k.key_id)
        .Text(k.region)
        .Bytea(k.public_key_pkcs1_der)
        .Text(k.fingerprint)
        .Int64(k.valid_from_s)
        .Int64(k.valid_to_s);
    return conn
        .Exec(
            "INSERT INTO cloudtrail_digest_keys (key_id, region, public_key_der, fingerprint, "
            "valid_from_s, valid_to_s) VALUES ($1, $2, $3, $4, $5, $6)",
            params)
        .status();
  });
}

Result<std::vector<DigestKeyRecord>> PgTrailDeliveryStore::ListDigestKeys(std::string_view region) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<DigestKeyRecord>> {
    PgParams params;
    params.Text(region);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT key_id, region, public_key_der, fingerprint, valid_from_s, "
                               "valid_to_s FROM cloudtrail_digest_keys WHERE region = $1 "
                               "ORDER BY valid_from_s, key_id",
                               params));
    std::vector<DigestKeyRecord> out;
    for (int r = 0; r < rows.rows(); ++r) {
      DigestKeyRecord k;
      k.key_id = rows.String(r, 0);
      k.region = rows.String(r, 1);
      k.public_key_pkcs1_der = rows.Bytea(r, 2);
      k.fingerprint = rows.String(r, 3);
      k.valid_from_s = rows.Int64(r, 4);
      k.valid_to_s = rows.Int64(r, 5);
      out.push_back(std::move(k));
    }
    return out;
  });
}

}  // namespace openpca::store
