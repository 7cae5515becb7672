-- 0004_identity: accounts, IAM identities and Organizations (store/identity_store.h).
--
-- Names of users, groups and roles are unique per account case-insensitively (COLLATE nocase),
-- as IAM's are; they keep the case they were created with. '' stands for "not set" in text
-- columns. Times are epoch milliseconds.
--
-- PostgreSQL has no NOCASE collation: `nocase` below is a nondeterministic ICU collation that
-- compares at strength 2 (case-insensitive, accent-sensitive), the counterpart of SQLite's
-- COLLATE NOCASE for the ASCII names IAM allows. It needs a server built with ICU.
--
-- Upgrade: an existing install has one account (settings.account_id) whose bootstrap key
-- (settings.admin_access_key_id) was the account root's. That key becomes the key of the IAM user
-- 'admin' with AdministratorAccess attached, so the same credentials keep working with the same
-- permissions.

CREATE COLLATION IF NOT EXISTS nocase
  (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TABLE iam_accounts (
  id            TEXT    NOT NULL PRIMARY KEY,
  name          TEXT    NOT NULL,
  email         TEXT    NOT NULL,
  status        TEXT    NOT NULL,  -- ACTIVE | SUSPENDED | PENDING_CLOSURE
  joined_method TEXT    NOT NULL,  -- CREATED | INVITED
  joined_at_ms  BIGINT  NOT NULL,
  org_id        TEXT    NOT NULL,  -- '' when not in an organization
  parent_id     TEXT    NOT NULL   -- root or OU id in the organization, '' otherwise
);

CREATE TABLE organizations (
  id                    TEXT    NOT NULL PRIMARY KEY,  -- o-...
  management_account_id TEXT    NOT NULL,
  feature_set           TEXT    NOT NULL,              -- ALL | CONSOLIDATED_BILLING
  root_id               TEXT    NOT NULL,              -- r-...
  enabled_policy_types  TEXT    NOT NULL,              -- comma-separated PolicyType values
  created_at_ms         BIGINT  NOT NULL
);

CREATE TABLE organizational_units (
  id        TEXT NOT NULL PRIMARY KEY,  -- ou-...
  org_id    TEXT NOT NULL,
  parent_id TEXT NOT NULL,              -- r-... or ou-...
  name      TEXT NOT NULL
);

CREATE TABLE org_policies (
  id          TEXT    NOT NULL PRIMARY KEY,  -- p-...
  org_id      TEXT    NOT NULL,              -- '' for AWS-managed policies
  name        TEXT    NOT NULL,
  description TEXT    NOT NULL,
  type        TEXT    NOT NULL,              -- SERVICE_CONTROL_POLICY, ...
  content     TEXT    NOT NULL,
  aws_managed BIGINT  NOT NULL
);

CREATE TABLE org_policy_attachments (
  org_id    TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  target_id TEXT NOT NULL,  -- r-..., ou-... or a 12-digit account id
  PRIMARY KEY (org_id, policy_id, target_id)
);

CREATE TABLE create_account_statuses (
  id              TEXT    NOT NULL PRIMARY KEY,  -- car-...
  org_id          TEXT    NOT NULL,
  account_name    TEXT    NOT NULL,
  email           TEXT    NOT NULL,
  role_name       TEXT    NOT NULL,
  state           TEXT    NOT NULL,              -- IN_PROGRESS | SUCCEEDED | FAILED
  requested_at_ms BIGINT  NOT NULL,
  completed_at_ms BIGINT  NOT NULL,              -- 0 while IN_PROGRESS
  account_id      TEXT    NOT NULL,
  failure_reason  TEXT    NOT NULL
);

CREATE TABLE iam_users (
  account_id           TEXT    NOT NULL,
  name                 TEXT    NOT NULL COLLATE nocase,
  id                   TEXT    NOT NULL,  -- AIDA...
  path                 TEXT    NOT NULL,
  permissions_boundary TEXT    NOT NULL,  -- managed policy ARN or ''
  created_at_ms        BIGINT  NOT NULL,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE iam_groups (
  account_id    TEXT    NOT NULL,
  name          TEXT    NOT NULL COLLATE nocase,
  id            TEXT    NOT NULL,  -- AGPA...
  path          TEXT    NOT NULL,
  created_at_ms BIGINT  NOT NULL,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE iam_group_members (
  account_id TEXT NOT NULL,
  group_name TEXT NOT NULL COLLATE nocase,
  user_name  TEXT NOT NULL COLLATE nocase,
  PRIMARY KEY (account_id, group_name, user_name)
);

CREATE TABLE iam_roles (
  account_id           TEXT    NOT NULL,
  name                 TEXT    NOT NULL COLLATE nocase,
  id                   TEXT    NOT NULL,  -- AROA...
  path                 TEXT    NOT NULL,
  trust_policy         TEXT    NOT NULL,  -- AssumeRolePolicyDocument as submitted
  description          TEXT    NOT NULL,
  max_session_duration BIGINT  NOT NULL,  -- seconds, 3600..43200
  permissions_boundary TEXT    NOT NULL,
  created_at_ms        BIGINT  NOT NULL,
  PRIMARY KEY (account_id, name)
);

-- Customer-managed policies (AWS-managed ones are built into the binary).
CREATE TABLE iam_policies (
  arn             TEXT    NOT NULL PRIMARY KEY,
  account_id      TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  id              TEXT    NOT NULL,  -- ANPA...
  path            TEXT    NOT NULL,
  description     TEXT    NOT NULL,
  default_version TEXT    NOT NULL,  -- v1, v2, ...
  next_version    BIGINT  NOT NULL,  -- number of the next version to create
  created_at_ms   BIGINT  NOT NULL,
  updated_at_ms   BIGINT  NOT NULL
);

CREATE TABLE iam_policy_versions (
  policy_arn    TEXT    NOT NULL,
  version_id    TEXT    NOT NULL,
  document      TEXT    NOT NULL,
  created_at_ms BIGINT  NOT NULL,
  PRIMARY KEY (policy_arn, version_id)
);

-- Managed policies attached to users, groups and roles (entity_type user | group | role).
CREATE TABLE iam_attachments (
  account_id  TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_name TEXT NOT NULL COLLATE nocase,
  policy_arn  TEXT NOT NULL,
  PRIMARY KEY (account_id, entity_type, entity_name, policy_arn)
);

CREATE TABLE iam_inline_policies (
  account_id  TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_name TEXT NOT NULL COLLATE nocase,
  policy_name TEXT NOT NULL,
  document    TEXT NOT NULL,
  PRIMARY KEY (account_id, entity_type, entity_name, policy_name)
);

-- Tags of users, roles and customer-managed policies (resource_type user | role | policy; a
-- policy is named by its ARN). position keeps the caller's order.
CREATE TABLE iam_tags (
  account_id    TEXT    NOT NULL,
  resource_type TEXT    NOT NULL,
  resource_name TEXT    NOT NULL COLLATE nocase,
  tag_key       TEXT    NOT NULL,
  tag_value     TEXT    NOT NULL,
  position      BIGINT  NOT NULL,
  PRIMARY KEY (account_id, resource_type, resource_name, tag_key)
);

-- Access keys gain an owner and a status. user_name '' is a key of the account root.
ALTER TABLE access_keys ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
ALTER TABLE access_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'Active';

-- Upgrade of an existing install (see the header).
INSERT INTO iam_accounts (id, name, email, status, joined_method, joined_at_ms, org_id, parent_id)
  SELECT value, 'openpca', '', 'ACTIVE', 'CREATED', 0, '', '' FROM settings
  WHERE name = 'account_id';

INSERT INTO iam_users (account_id, name, id, path, permissions_boundary, created_at_ms)
  SELECT k.account_id, 'admin', 'AIDA' || upper(substr(md5(random()::text || clock_timestamp()::text), 1, 17)), '/', '',
         k.created_at_ms
  FROM access_keys k JOIN settings s ON s.name = 'admin_access_key_id'
  WHERE k.access_key_id = s.value;

INSERT INTO iam_attachments (account_id, entity_type, entity_name, policy_arn)
  SELECT account_id, 'user', 'admin', 'arn:aws:iam::aws:policy/AdministratorAccess'
  FROM iam_users WHERE name = 'admin';

UPDATE access_keys SET user_name = 'admin'
  WHERE access_key_id = (SELECT value FROM settings WHERE name = 'admin_access_key_id');
