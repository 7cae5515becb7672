-- 0010_acm: AWS Certificate Manager certificates (private ones requested from a CA of this
-- endpoint, and imported ones), the idempotency tokens of RequestCertificate and
-- PutAccountConfiguration, and each account's expiry-event configuration.
--
-- Times are Unix epoch milliseconds, except *_s (seconds) and *_day (days since the epoch, UTC).
-- Lists (SubjectAlternativeNames, InUseBy, tags) are JSON arrays in TEXT columns, read and
-- written whole. The private key is held sealed (SecretBox, AES-256-GCM under the master key, bound
-- to the certificate ARN): never in the clear.

CREATE TABLE acm_certificates (
  arn                   TEXT    NOT NULL PRIMARY KEY,
  account_id            TEXT    NOT NULL,
  region                TEXT    NOT NULL,
  type                  TEXT    NOT NULL,  -- PRIVATE | IMPORTED
  status                TEXT    NOT NULL,  -- CertificateStatus
  failure_reason        TEXT    NOT NULL,  -- FailureReason, '' when none
  domain_name           TEXT    NOT NULL,
  sans_json             TEXT    NOT NULL,
  key_algorithm         TEXT    NOT NULL,  -- the model's enum: RSA_2048, EC_prime256v1, ...
  ca_arn                TEXT    NOT NULL,  -- the issuing acm-pca CA, '' for imports
  pca_certificate_arn   TEXT    NOT NULL,  -- acm-pca ARN of the current certificate, '' if none
  serial_hex            TEXT    NOT NULL,
  certificate_der       BYTEA    NOT NULL,  -- empty until issued
  chain_pem             TEXT    NOT NULL,
  sealed_key            BYTEA    NOT NULL,  -- empty until issued
  not_before_s          BIGINT ,
  not_after_s           BIGINT ,
  created_at_ms         BIGINT  NOT NULL,
  issued_at_ms          BIGINT ,
  imported_at_ms        BIGINT ,
  revoked_at_ms         BIGINT ,
  revocation_reason     TEXT    NOT NULL,
  export_option         TEXT    NOT NULL,  -- ENABLED | DISABLED
  ct_logging            TEXT    NOT NULL,  -- ENABLED | DISABLED
  exported              BIGINT  NOT NULL,  -- exported since issued or last renewed
  in_use_by_json        TEXT    NOT NULL,
  renewal_status        TEXT    NOT NULL,  -- RenewalStatus, '' before the first managed renewal
  renewal_reason        TEXT    NOT NULL,  -- RenewalStatusReason (FailureReason), '' when none
  renewal_updated_at_ms BIGINT ,
  -- When the scheduler next attempts managed renewal (Unix seconds); NULL while not eligible.
  next_renewal_s        BIGINT ,
  last_expiry_event_day BIGINT  NOT NULL,  -- day of the last Approaching Expiration event, 0: none
  tags_json             TEXT    NOT NULL,
  version               BIGINT  NOT NULL   -- +1 at every update (optimistic concurrency)
);

CREATE INDEX acm_certificates_by_account ON acm_certificates (account_id, region, created_at_ms);
-- The renewal scheduler's scan: only eligible certificates are in it.
CREATE INDEX acm_certificates_renewal_due ON acm_certificates (next_renewal_s)
  WHERE next_renewal_s IS NOT NULL;
-- The expiry monitor's scan.
CREATE INDEX acm_certificates_by_not_after ON acm_certificates (not_after_s)
  WHERE not_after_s IS NOT NULL;

CREATE TABLE acm_idempotency (
  scope         TEXT    NOT NULL PRIMARY KEY,  -- "<operation>|<account>|<region>|<token>"
  result        TEXT    NOT NULL,
  expires_at_ms BIGINT  NOT NULL
);

CREATE TABLE acm_account_config (
  account_id         TEXT    NOT NULL PRIMARY KEY,
  days_before_expiry BIGINT  NOT NULL,
  updated_at_ms      BIGINT  NOT NULL
);
