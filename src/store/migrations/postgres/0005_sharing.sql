-- 0005_sharing: resource policies and permissions of CAs (acm-pca PutPolicy, CreatePermission) and
-- AWS RAM resource shares, their associations, invitations and customer-managed permissions.
--
-- CA rows are referenced by id (ca_policies, ca_permissions); RAM rows name resources by ARN, as
-- RAM does, so a share may name a resource of any type. Lists (actions, tags) are JSON arrays in
-- TEXT columns: they are read and written whole. Times are Unix epoch milliseconds.

CREATE TABLE ca_policies (
  ca_id         TEXT    NOT NULL PRIMARY KEY REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  policy        TEXT    NOT NULL,
  version       BIGINT  NOT NULL,  -- 1 at the first PutPolicy, +1 at every replacement
  updated_at_ms BIGINT  NOT NULL
);

CREATE TABLE ca_permissions (
  ca_id          TEXT    NOT NULL REFERENCES certificate_authorities (id) ON DELETE CASCADE,
  principal      TEXT    NOT NULL,  -- acm.amazonaws.com
  source_account TEXT    NOT NULL,  -- '' when none was given
  actions_json   TEXT    NOT NULL,  -- ["IssueCertificate", ...]
  created_at_ms  BIGINT  NOT NULL,
  PRIMARY KEY (ca_id, principal, source_account)
);

CREATE TABLE ram_resource_shares (
  arn                       TEXT    NOT NULL PRIMARY KEY,
  owner_account             TEXT    NOT NULL,
  region                    TEXT    NOT NULL,
  name                      TEXT    NOT NULL,
  status                    TEXT    NOT NULL,  -- ResourceShareStatus
  allow_external_principals BIGINT  NOT NULL,
  feature_set               TEXT    NOT NULL,  -- ResourceShareFeatureSet
  tags_json                 TEXT    NOT NULL,  -- [{"key":..,"value":..}]
  client_token              TEXT    NOT NULL,  -- '' when none was given
  request_digest            TEXT    NOT NULL,  -- of the creating request, for clientToken reuse
  created_at_ms             BIGINT  NOT NULL,
  updated_at_ms             BIGINT  NOT NULL
);

CREATE INDEX ram_resource_shares_by_owner ON ram_resource_shares (owner_account, created_at_ms);

CREATE TABLE ram_share_resources (
  share_arn     TEXT    NOT NULL REFERENCES ram_resource_shares (arn) ON DELETE CASCADE,
  resource_arn  TEXT    NOT NULL,
  resource_type TEXT    NOT NULL,  -- acm-pca:CertificateAuthority
  status        TEXT    NOT NULL,  -- ResourceShareAssociationStatus
  created_at_ms BIGINT  NOT NULL,
  updated_at_ms BIGINT  NOT NULL,
  PRIMARY KEY (share_arn, resource_arn)
);

CREATE INDEX ram_share_resources_by_resource ON ram_share_resources (resource_arn);

CREATE TABLE ram_share_principals (
  share_arn     TEXT    NOT NULL REFERENCES ram_resource_shares (arn) ON DELETE CASCADE,
  principal     TEXT    NOT NULL,  -- account id, organization or OU ARN
  status        TEXT    NOT NULL,  -- ResourceShareAssociationStatus
  external      BIGINT  NOT NULL,  -- outside the owner's organization
  created_at_ms BIGINT  NOT NULL,
  updated_at_ms BIGINT  NOT NULL,
  PRIMARY KEY (share_arn, principal)
);

CREATE INDEX ram_share_principals_by_principal ON ram_share_principals (principal);

-- One permission per resource type per share.
CREATE TABLE ram_share_permissions (
  share_arn          TEXT    NOT NULL REFERENCES ram_resource_shares (arn) ON DELETE CASCADE,
  resource_type      TEXT    NOT NULL,
  permission_arn     TEXT    NOT NULL,
  permission_version BIGINT  NOT NULL,
  updated_at_ms      BIGINT  NOT NULL,
  PRIMARY KEY (share_arn, resource_type)
);

CREATE TABLE ram_invitations (
  arn              TEXT    NOT NULL PRIMARY KEY,
  share_arn        TEXT    NOT NULL,
  sender_account   TEXT    NOT NULL,
  receiver_account TEXT    NOT NULL,
  status           TEXT    NOT NULL,  -- ResourceShareInvitationStatus
  created_at_ms    BIGINT  NOT NULL
);

CREATE INDEX ram_invitations_by_receiver ON ram_invitations (receiver_account);

CREATE TABLE ram_permissions (
  arn             TEXT    NOT NULL PRIMARY KEY,
  account_id      TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  resource_type   TEXT    NOT NULL,
  default_version BIGINT  NOT NULL,
  created_at_ms   BIGINT  NOT NULL,
  updated_at_ms   BIGINT  NOT NULL
);

CREATE TABLE ram_permission_versions (
  arn             TEXT    NOT NULL REFERENCES ram_permissions (arn) ON DELETE CASCADE,
  version         BIGINT  NOT NULL,
  policy_template TEXT    NOT NULL,
  created_at_ms   BIGINT  NOT NULL,
  PRIMARY KEY (arn, version)
);
