#include "store/sqlite/sqlite_trail_delivery_store.h"

#include <algorithm>

#include "store/digest_chains.h"
#include "store/sqlite/sqlite_read_rows.h"
#include "store/trail_json.h"

namespace openpca::store {
namespace {

constexpr char kTrailColumns[] =
    "arn, account_id, home_region, name, s3_bucket, s3_key_prefix, sns_topic_name, "
    "include_global_service_events, multi_region, log_file_validation, tags_json, created_ms, "
    "logging, start_logging_ms, stop_logging_ms, epoch, chain_started_ms, final_digest_pending, "
    "cursor_seq, latest_delivery_ms, latest_digest_delivery_ms, latest_delivery_error, "
    "latest_digest_delivery_error";

TrailRecord ReadTrail(const SqliteStatement& s) {
  TrailRecord t;
  t.arn = s.ColumnText(0);
  t.account_id = s.ColumnText(1);
  t.home_region = s.ColumnText(2);
  t.name = s.ColumnText(3);
  t.s3_bucket = s.ColumnText(4);
  t.s3_key_prefix = s.ColumnText(5);
  t.sns_topic_name = s.ColumnText(6);
  t.include_global_service_events = s.ColumnInt64(7) != 0;
  t.multi_region = s.ColumnInt64(8) != 0;
  t.log_file_validation = s.ColumnInt64(9) != 0;
  t.tags = TrailPairsFromJson(s.ColumnText(10));
  t.created_ms = s.ColumnInt64(11);
  t.logging = s.ColumnInt64(12) != 0;
  t.start_logging_ms = s.ColumnInt64(13);
  t.stop_logging_ms = s.ColumnInt64(14);
  t.epoch = s.ColumnInt64(15);
  t.chain_started_ms = s.ColumnInt64(16);
  t.final_digest_pending = s.ColumnInt64(17) != 0;
  t.cursor_seq = s.ColumnInt64(18);
  t.latest_delivery_ms = s.ColumnInt64(19);
  t.latest_digest_delivery_ms = s.ColumnInt64(20);
  t.latest_delivery_error = s.ColumnText(21);
  t.latest_digest_delivery_error = s.ColumnText(22);
  return t;
}

Result<std::optional<TrailRecord>> GetTrailOn(SqliteConnection& conn, std::string_view arn) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare(std::string("SELECT ") + kTrailColumns +
                                " FROM cloudtrail_trails WHERE arn = ?1"));
  stmt.BindText(1, arn);
  return ReadOneRow<TrailRecord>(stmt, ReadTrail);
}

Status TrailNotFound(std::string_view arn) {
  return Status(ErrorCode::kTrailNotFound, "Unknown trail: " + std::string(arn));
}

// The trail must still exist at `epoch`.
Status CheckEpoch(SqliteConnection& conn, std::string_view arn, int64_t epoch) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT epoch FROM cloudtrail_trails WHERE arn = ?1"));
  stmt.BindText(1, arn);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.ColumnInt64(0) != epoch) {
    return Status(ErrorCode::kConcurrentModification, "the trail changed during delivery");
  }
  return Status::Ok();
}

Status InsertOutbox(SqliteConnection& conn, const OutboxObject& o) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("INSERT INTO cloudtrail_outbox (trail_arn, kind, bucket, "
                                "object_key, body, content_type, metadata_json) VALUES (?1, ?2, "
                                "?3, ?4, ?5, ?6, ?7)"));
  std::string meta = TrailPairsToJson(o.metadata);
  stmt.BindText(1, o.trail_arn)
      .BindText(2, o.kind)
      .BindText(3, o.bucket)
      .BindText(4, o.key)
      .BindBlob(5, o.body)
      .BindText(6, o.content_type)
      .BindText(7, meta);
  return stmt.Run();
}

Result<std::vector<DigestChainRecord>> ListChainsOn(SqliteConnection& conn,
                                                    std::string_view trail_arn) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT trail_arn, region, window_start_ms, prev_bucket, "
                                "prev_key, prev_hash_hex, prev_signature_hex, pending_logs_json "
                                "FROM cloudtrail_digest_chains WHERE trail_arn = ?1 ORDER BY "
                                "region"));
  stmt.BindText(1, trail_arn);
  std::vector<DigestChainRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    DigestChainRecord c;
    c.trail_arn = stmt.ColumnText(0);
    c.region = stmt.ColumnText(1);
    c.window_start_ms = stmt.ColumnInt64(2);
    c.prev_bucket = stmt.ColumnText(3);
    c.prev_key = stmt.ColumnText(4);
    c.prev_hash_hex = stmt.ColumnText(5);
    c.prev_signature_hex = stmt.ColumnText(6);
    c.pending_logs = DigestLogsFromJson(stmt.ColumnText(7));
    out.push_back(std::move(c));
  }
  return out;
}

Status UpsertChain(SqliteConnection& conn, const DigestChainRecord& c) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("INSERT INTO cloudtrail_digest_chains (trail_arn, region, "
                                "window_start_ms, prev_bucket, prev_key, prev_hash_hex, "
                                "prev_signature_hex, pending_logs_json) VALUES (?1, ?2, ?3, ?4, "
                                "?5, ?6, ?7, ?8) ON CONFLICT (trail_arn, region) DO UPDATE SET "
                                "window_start_ms = excluded.window_start_ms, prev_bucket = "
                                "excluded.prev_bucket, prev_key = excluded.prev_key, "
                                "prev_hash_hex = excluded.prev_hash_hex, prev_signature_hex = "
                                "excluded.prev_signature_hex, pending_logs_json = "
                                "excluded.pending_logs_json"));
  std::string logs = DigestLogsToJson(c.pending_logs);
  stmt.BindText(1, c.trail_arn)
      .BindText(2, c.region)
      .BindInt64(3, c.window_start_ms)
      .BindText(4, c.prev_bucket)
      .BindText(5, c.prev_key)
      .BindText(6, c.prev_hash_hex)
      .BindText(7, c.prev_signature_hex)
      .BindText(8, logs);
  return stmt.Run();
}

Status DeleteChains(SqliteConnection& conn, std::string_view arn) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("DELETE FROM cloudtrail_digest_chains WHERE trail_arn = ?1"));
  stmt.BindText(1, arn);
  return stmt.Run();
}

}  // namespace

Status SqliteTrailDeliveryStore::InsertTrail(const TrailRecord& t, int max_per_region) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    // Trails that count in the new trail's home region: its own and every multi-region trail.
    ASSIGN_OR_RETURN(SqliteStatement same,
                     conn.Prepare("SELECT name FROM cloudtrail_trails WHERE account_id = ?1 AND "
                                  "(home_region = ?2 OR multi_region = 1)"));
    same.BindText(1, t.account_id).BindText(2, t.home_region);
    int count = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, same.Step());
      if (!row) break;
      if (same.ColumnText(0) == t.name) {
        return Status(ErrorCode::kTrailAlreadyExists,
                      "Trail " + t.name + " already exists for customer: " + t.account_id);
      }
      ++count;
    }
    if (t.multi_region) {
      // A multi-region trail takes its name in every region.
      ASSIGN_OR_RETURN(SqliteStatement named,
                       conn.Prepare("SELECT 1 FROM cloudtrail_trails WHERE account_id = ?1 AND "
                                    "name = ?2"));
      named.BindText(1, t.account_id).BindText(2, t.name);
      ASSIGN_OR_RETURN(bool taken, named.Step());
      if (taken) {
        return Status(ErrorCode::kTrailAlreadyExists,
                      "Trail " + t.name + " already exists for customer: " + t.account_id);
      }
    }
    if (count >= max_per_region) {
      return Status(ErrorCode::kMaximumNumberOfTrailsExceeded,
                    "User: " + t.account_id + " already has " + std::to_string(count) +
                        " trails in " + t.home_region + ".");
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("INSERT INTO cloudtrail_trails (") + kTrailColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                  "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"));
    std::string tags = TrailPairsToJson(t.tags);
    stmt.BindText(1, t.arn)
        .BindText(2, t.account_id)
        .BindText(3, t.home_region)
        .BindText(4, t.name)
        .BindText(5, t.s3_bucket)
        .BindText(6, t.s3_key_prefix)
        .BindText(7, t.sns_topic_name)
        .BindInt64(8, t.include_global_service_events ? 1 : 0)
        .BindInt64(9, t.multi_region ? 1 : 0)
        .BindInt64(10, t.log_file_validation ? 1 : 0)
        .BindText(11, tags)
        .BindInt64(12, t.created_ms)
        .BindInt64(13, t.logging ? 1 : 0)
        .BindInt64(14, t.start_logging_ms)
        .BindInt64(15, t.stop_logging_ms)
        .BindInt64(16, t.epoch)
        .BindInt64(17, t.chain_started_ms)
        .BindInt64(18, t.final_digest_pending ? 1 : 0)
        .BindInt64(19, t.cursor_seq)
        .BindInt64(20, t.latest_delivery_ms)
        .BindInt64(21, t.latest_digest_delivery_ms)
        .BindText(22, t.latest_delivery_error)
        .BindText(23, t.latest_digest_delivery_error);
    Status st = stmt.Run();
    if (!st.ok() && stmt.last_error_code() == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Status(ErrorCode::kTrailAlreadyExists,
                    "Trail " + t.name + " already exists for customer: " + t.account_id);
    }
    return st;
  });
}

Result<std::optional<TrailRecord>> SqliteTrailDeliveryStore::GetTrail(std::string_view arn) {
  return WithReader(reads_, [&](SqliteConnection& conn) { return GetTrailOn(conn, arn); });
}

Result<std::vector<TrailRecord>> SqliteTrailDeliveryStore::ListTrails(
    std::string_view account_id) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<TrailRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("SELECT ") + kTrailColumns +
                                  " FROM cloudtrail_trails WHERE ?1 = '' OR account_id = ?1 "
                                  "ORDER BY arn"));
    stmt.BindText(1, account_id);
    return ReadAllRows<TrailRecord>(stmt, ReadTrail);
  });
}

Status SqliteTrailDeliveryStore::UpdateTrailConfig(const TrailRecord& t, int64_t now_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(std::optional<TrailRecord> old, GetTrailOn(conn, t.arn));
    if (!old.has_value()) return TrailNotFound(t.arn);
    int64_t epoch = old->epoch;
    int64_t chain_started = old->chain_started_ms;
    bool final_pending = old->final_digest_pending;
    if (t.log_file_validation && !old->log_file_validation) {
      // Validation switched on: new chains start now.
      RETURN_IF_ERROR(DeleteChains(conn, t.arn));
      ++epoch;
      chain_started = now_ms;
      final_pending = false;
    } else if (!t.log_file_validation && old->log_file_validation && old->logging) {
      ++epoch;
      final_pending = true;
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE cloudtrail_trails SET s3_bucket = ?2, s3_key_prefix = "
                                  "?3, sns_topic_name = ?4, include_global_service_events = ?5, "
                                  "multi_region = ?6, log_file_validation = ?7, tags_json = ?8, "
                                  "epoch = ?9, chain_started_ms = ?10, final_digest_pending = ?11 "
                                  "WHERE arn = ?1"));
    std::string tags = TrailPairsToJson(t.tags);
    stmt.BindText(1, t.arn)
        .BindText(2, t.s3_bucket)
        .BindText(3, t.s3_key_prefix)
        .BindText(4, t.sns_topic_name)
        .BindInt64(5, t.include_global_service_events ? 1 : 0)
        .BindInt64(6, t.multi_region ? 1 : 0)
        .BindInt64(7, t.log_file_validation ? 1 : 0)
        .BindText(8, tags)
        .BindInt64(9, epoch)
        .BindInt64(10, chain_started)
        .BindInt64(11, final_pending ? 1 : 0);
    return stmt.Run();
  });
}

Status SqliteTrailDeliveryStore::DeleteTrail(std::string_view arn) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM cloudtrail_trails WHERE arn = ?1"));
    stmt.BindText(1, arn);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return TrailNotFound(arn);
    return Status::Ok();
  });
}

Status SqliteTrailDeliveryStore::SetLogging(std::string_view arn, bool logging, int64_t now_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(std::optional<TrailRecord> old, GetTrailOn(conn, arn));
    if (!old.has_value()) return TrailNotFound(arn);
    if (old->logging == logging) return Status::Ok();
    if (logging) {
      // A new chain after every start; a final digest still owed for the previous period is
      // given up (its chain ended with the stop).
      RETURN_IF_ERROR(DeleteChains(conn, arn));
      ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn.Prepare("UPDATE cloudtrail_trails SET logging = 1, start_logging_ms "
                                    "= ?2, epoch = epoch + 1, chain_started_ms = ?2, "
                                    "final_digest_pending = 0 WHERE arn = ?1"));
      stmt.BindText(1, arn).BindInt64(2, now_ms);
      return stmt.Run();
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE cloudtrail_trails SET logging = 0, stop_logging_ms = "
                                  "?2, epoch = epoch + 1, final_digest_pending = 1 WHERE arn = ?1"));
    stmt.BindText(1, arn).BindInt64(2, now_ms);
    return stmt.Run();
  });
}

Status SqliteTrailDeliveryStore::SetTags(
    std::string_view arn, const std::vector<std::pair<std::string, std::string>>& tags) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE cloudtrail_trails SET tags_json = ?2 WHERE arn = ?1"));
    std::string text = TrailPairsToJson(tags);
    stmt.BindText(1, arn).BindText(2, text);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return TrailNotFound(arn);
    return Status::Ok();
  });
}

Result<std::vector<DigestChainRecord>> SqliteTrailDeliveryStore::ListChains(
    std::string_view trail_arn) {
  return WithReader(reads_,
                    [&](SqliteConnection& conn) { return ListChainsOn(conn, trail_arn); });
}

Status SqliteTrailDeliveryStore::CommitDelivery(const DeliveryCommit& c) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    RETURN_IF_ERROR(CheckEpoch(conn, c.trail_arn, c.epoch));
    {
      ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn.Prepare("UPDATE cloudtrail_trails SET cursor_seq = ?2, "
                                    "latest_delivery_ms = CASE WHEN ?3 > 0 THEN ?3 ELSE "
                                    "latest_delivery_ms END WHERE arn = ?1"));
      stmt.BindText(1, c.trail_arn).BindInt64(2, c.cursor_seq).BindInt64(3, c.delivered_ms);
      RETURN_IF_ERROR(stmt.Run());
    }
    for (const OutboxObject& o : c.objects) RETURN_IF_ERROR(InsertOutbox(conn, o));
    if (c.chain_logs.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(std::optional<TrailRecord> trail, GetTrailOn(conn, c.trail_arn));
    if (!trail.has_value()) return TrailNotFound(c.trail_arn);
    ASSIGN_OR_RETURN(std::vector<DigestChainRecord> chains, ListChainsOn(conn, c.trail_arn));
    AddPendingLogs(chains, c.trail_arn, trail->chain_started_ms, c.chain_logs);
    for (const auto& chain : chains) RETURN_IF_ERROR(UpsertChain(conn, chain));
    return Status::Ok();
  });
}

Status SqliteTrailDeliveryStore::CommitDigests(const DigestCommit& c) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    RETURN_IF_ERROR(CheckEpoch(conn, c.trail_arn, c.epoch));
    // Log files delivered since the digest was built stay pending for the next one.
    ASSIGN_OR_RETURN(std::vector<DigestChainRecord> current, ListChainsOn(conn, c.trail_arn));
    if (c.final_digest) {
      RETURN_IF_ERROR(DeleteChains(conn, c.trail_arn));
    } else {
      for (const DigestChainRecord& chain : c.chains) {
        RETURN_IF_ERROR(UpsertChain(conn, ChainAfterDigest(chain, current)));
      }
    }
    for (const OutboxObject& o : c.objects) RETURN_IF_ERROR(InsertOutbox(conn, o));
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE cloudtrail_trails SET latest_digest_delivery_ms = ?2, "
                                  "final_digest_pending = CASE WHEN ?3 THEN 0 ELSE "
                                  "final_digest_pending END WHERE arn = ?1"));
    stmt.BindText(1, c.trail_arn).BindInt64(2, c.delivered_ms).BindInt64(3, c.final_digest);
    return stmt.Run();
  });
}

Status SqliteTrailDeliveryStore::SetDeliveryError(std::string_view trail_arn, bool digest,
                                                  std::string_view error) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(digest ? "UPDATE cloudtrail_trails SET "
                                           "latest_digest_delivery_error = ?2 WHERE arn = ?1"
                                         : "UPDATE cloudtrail_trails SET latest_delivery_error = "
                                           "?2 WHERE arn = ?1"));
    stmt.BindText(1, trail_arn).BindText(2, error);
    return stmt.Run();
  });
}

Result<std::vector<OutboxObject>> SqliteTrailDeliveryStore::ListOutbox(int64_t after_id,
                                                                        int limit) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<OutboxObject>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT id, trail_arn, kind, bucket, object_key, body, "
                                  "content_type, metadata_json FROM cloudtrail_outbox WHERE id > ?1 "
                                  "ORDER BY id LIMIT ?2"));
    stmt.BindInt64(1, after_id).BindInt64(2, limit);
    std::vector<OutboxObject> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      OutboxObject o;
      o.id = stmt.ColumnInt64(0);
      o.trail_arn = stmt.ColumnText(1);
      o.kind = stmt.ColumnText(2);
      o.bucket = stmt.ColumnText(3);
      o.key = stmt.ColumnText(4);
      o.body = stmt.ColumnBlob(5);
      o.content_type = stmt.ColumnText(6);
      o.metadata = TrailPairsFromJson(stmt.ColumnText(7));
      out.push_back(std::move(o));
    }
    return out;
  });
}

Status SqliteTrailDeliveryStore::DeleteOutbox(int64_t id) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM cloudtrail_outbox WHERE id = ?1"));
    stmt.BindInt64(1, id);
    return stmt.Run();
  });
}

Status SqliteTrailDeliveryStore::InsertDigestKey(const DigestKeyRecord& k) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("INSERT INTO cloudtrail_digest_keys (key_id, region, "
                                  "public_key_der, fingerprint, valid_from_s, valid_to_s) VALUES "
                                  "(?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt.BindText(1, k.key_id)
        .BindText(2, k.region)
        .BindBlob(3, k.public_key_pkcs1_der)
        .BindText(4, k.fingerprint)
        .BindInt64(5, k.valid_from_s)
        .BindInt64(6, k.valid_to_s);
    return stmt.Run();
  });
}

Result<std::vector<DigestKeyRecord>> SqliteTrailDeliveryStore::ListDigestKeys(
    std::string_view region) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<DigestKeyRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT key_id, region, public_key_der, fingerprint, "
                                  "valid_from_s, valid_to_s FROM cloudtrail_digest_keys WHERE "
                                  "region = ?1 ORDER BY valid_from_s, key_id"));
    stmt.BindText(1, region);
    std::vector<DigestKeyRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      DigestKeyRecord k;
      k.key_id = stmt.ColumnText(0);
      k.region = stmt.ColumnText(1);
      k.public_key_pkcs1_der = stmt.ColumnBlob(2);
      k.fingerprint = stmt.ColumnText(3);
      k.valid_from_s = stmt.ColumnInt64(4);
      k.valid_to_s = stmt.ColumnInt64(5);
      out.push_back(std::move(k));
    }
    return out;
  });
}

}  // namespace openpca::store
