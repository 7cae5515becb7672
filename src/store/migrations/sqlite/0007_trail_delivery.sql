-- CloudTrail trails, their delivery state and digest chains, the bucket-object outbox and the
-- public halves of the digest signing keys (store/trail_delivery_store.h).
CREATE TABLE cloudtrail_trails (
  arn TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  home_region TEXT NOT NULL,
  name TEXT NOT NULL,
  s3_bucket TEXT NOT NULL,
  s3_key_prefix TEXT NOT NULL,
  sns_topic_name TEXT NOT NULL,
  include_global_service_events INTEGER NOT NULL,
  multi_region INTEGER NOT NULL,
  log_file_validation INTEGER NOT NULL,
  tags_json TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  logging INTEGER NOT NULL,
  start_logging_ms INTEGER NOT NULL,
  stop_logging_ms INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  chain_started_ms INTEGER NOT NULL,
  final_digest_pending INTEGER NOT NULL,
  cursor_seq INTEGER NOT NULL,
  latest_delivery_ms INTEGER NOT NULL,
  latest_digest_delivery_ms INTEGER NOT NULL,
  latest_delivery_error TEXT NOT NULL,
  latest_digest_delivery_error TEXT NOT NULL
);
CREATE INDEX cloudtrail_trails_by_account ON cloudtrail_trails (account_id, name);

CREATE TABLE cloudtrail_digest_chains (
  trail_arn TEXT NOT NULL REFERENCES cloudtrail_trails (arn) ON DELETE CASCADE,
  region TEXT NOT NULL,
  window_start_ms INTEGER NOT NULL,
  prev_bucket TEXT NOT NULL,
  prev_key TEXT NOT NULL,
  prev_hash_hex TEXT NOT NULL,
  prev_signature_hex TEXT NOT NULL,
  pending_logs_json TEXT NOT NULL,
  PRIMARY KEY (trail_arn, region)
);

CREATE TABLE cloudtrail_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trail_arn TEXT NOT NULL REFERENCES cloudtrail_trails (arn) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  bucket TEXT NOT NULL,
  object_key TEXT NOT NULL,
  body BLOB NOT NULL,
  content_type TEXT NOT NULL,
  metadata_json TEXT NOT NULL
);

CREATE TABLE cloudtrail_digest_keys (
  key_id TEXT PRIMARY KEY,
  region TEXT NOT NULL,
  public_key_der BLOB NOT NULL,
  fingerprint TEXT NOT NULL,
  valid_from_s INTEGER NOT NULL,
  valid_to_s INTEGER NOT NULL
);
CREATE INDEX cloudtrail_digest_keys_by_region ON cloudtrail_digest_keys (region, valid_from_s);
