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
  value BIGINT  NOT NULL
);

INSERT INTO resource_facts_generation (id, value) VALUES (1, 0);

CREATE FUNCTION move_resource_facts_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE resource_facts_generation SET value = value + 1 WHERE id = 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER ca_tags_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ca_tags
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ca_policies_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ca_policies
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ca_permissions_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ca_permissions
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_resource_shares_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_resource_shares
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_share_resources_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_share_resources
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_share_principals_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_share_principals
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_share_permissions_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_share_permissions
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_invitations_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_invitations
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_permissions_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_permissions
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER ram_permission_versions_moves_facts AFTER INSERT OR UPDATE OR DELETE ON ram_permission_versions
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();

CREATE TRIGGER certificate_authorities_moves_facts AFTER INSERT OR UPDATE OR DELETE ON certificate_authorities
  FOR EACH STATEMENT EXECUTE FUNCTION move_resource_facts_generation();
