-- 0016_resource_facts_generation: one number that moves whenever something the server keeps in
-- memory about a CA changes.
--
-- Authorization reads, for every acm-pca call, the CA's owner account, its tags and its effective
-- resource policy (its own policy, its ACM permissions and what RAM shares grant); the handler
-- reads the CA row. The server keeps these per CA and reuses them while this number stays: the
-- triggers below move it in the same transaction as any write to those tables and to
-- certificate_authorities, so a kept fact is never older than the number it was read under. The
-- counter only grows. Issuing or revoking certificates does not move it.

CREATE TABLE resource_facts_generation (
  id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
) STRICT;

INSERT INTO resource_facts_generation (id, value) VALUES (1, 0);

CREATE TRIGGER ca_tags_moves_facts_on_insert AFTER INSERT ON ca_tags
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_tags_moves_facts_on_update AFTER UPDATE ON ca_tags
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_tags_moves_facts_on_delete AFTER DELETE ON ca_tags
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_policies_moves_facts_on_insert AFTER INSERT ON ca_policies
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_policies_moves_facts_on_update AFTER UPDATE ON ca_policies
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_policies_moves_facts_on_delete AFTER DELETE ON ca_policies
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_permissions_moves_facts_on_insert AFTER INSERT ON ca_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_permissions_moves_facts_on_update AFTER UPDATE ON ca_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ca_permissions_moves_facts_on_delete AFTER DELETE ON ca_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_resource_shares_moves_facts_on_insert AFTER INSERT ON ram_resource_shares
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_resource_shares_moves_facts_on_update AFTER UPDATE ON ram_resource_shares
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_resource_shares_moves_facts_on_delete AFTER DELETE ON ram_resource_shares
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_resources_moves_facts_on_insert AFTER INSERT ON ram_share_resources
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_resources_moves_facts_on_update AFTER UPDATE ON ram_share_resources
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_resources_moves_facts_on_delete AFTER DELETE ON ram_share_resources
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_principals_moves_facts_on_insert AFTER INSERT ON ram_share_principals
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_principals_moves_facts_on_update AFTER UPDATE ON ram_share_principals
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_principals_moves_facts_on_delete AFTER DELETE ON ram_share_principals
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_permissions_moves_facts_on_insert AFTER INSERT ON ram_share_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_permissions_moves_facts_on_update AFTER UPDATE ON ram_share_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_share_permissions_moves_facts_on_delete AFTER DELETE ON ram_share_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_invitations_moves_facts_on_insert AFTER INSERT ON ram_invitations
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_invitations_moves_facts_on_update AFTER UPDATE ON ram_invitations
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_invitations_moves_facts_on_delete AFTER DELETE ON ram_invitations
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_permissions_moves_facts_on_insert AFTER INSERT ON ram_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_permissions_moves_facts_on_update AFTER UPDATE ON ram_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_permissions_moves_facts_on_delete AFTER DELETE ON ram_permissions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_permission_versions_moves_facts_on_insert AFTER INSERT ON ram_permission_versions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_permission_versions_moves_facts_on_update AFTER UPDATE ON ram_permission_versions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ram_permission_versions_moves_facts_on_delete AFTER DELETE ON ram_permission_versions
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER certificate_authorities_moves_facts_on_insert AFTER INSERT ON certificate_authorities
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER certificate_authorities_moves_facts_on_update AFTER UPDATE ON certificate_authorities
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER certificate_authorities_moves_facts_on_delete AFTER DELETE ON certificate_authorities
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
END;
