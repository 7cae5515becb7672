-- Expired idempotency claims are purged in bounded batches by expiry time.
CREATE INDEX idempotency_claims_expiry ON idempotency_claims (expires_at_ms);
