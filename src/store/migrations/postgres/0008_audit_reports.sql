-- 0008_audit_reports: acm-pca audit reports (CreateCertificateAuthorityAuditReport).
--
-- certificates.requested_by_service_principal names the AWS service principal that had the
-- certificate issued on the customer's behalf ('acm.amazonaws.com' for AWS Certificate Manager),
-- NULL when the customer asked for it directly (every certificate issued before this migration).
-- The audit report's requestedByServicePrincipal column reads it.
--
-- audit_reports has one row per report: CREATING until the background generator has written the
-- object (or given up), then SUCCESS or FAILED. created_at_ms orders a CA's reports for the
-- "one report per CA every 30 minutes" rule (audit_reports_by_ca).

ALTER TABLE certificates ADD COLUMN requested_by_service_principal TEXT;

CREATE TABLE audit_reports (
  id             TEXT    NOT NULL PRIMARY KEY,  -- lower-case UUID (AuditReportId)
  ca_id          TEXT    NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  bucket         TEXT    NOT NULL,
  object_key     TEXT    NOT NULL,              -- audit-report/<CA id>/<id>.json|csv
  format         TEXT    NOT NULL,              -- JSON | CSV
  status         TEXT    NOT NULL,              -- CREATING | SUCCESS | FAILED
  created_at_ms  BIGINT  NOT NULL,
  finished_at_ms BIGINT                         -- NULL while CREATING
);

CREATE INDEX audit_reports_by_ca ON audit_reports (ca_id, created_at_ms);

-- Startup finds the reports a crash left CREATING without reading the whole table.
CREATE INDEX audit_reports_creating ON audit_reports (status) WHERE status = 'CREATING';
