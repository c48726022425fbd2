-- CreateIndex
CREATE INDEX "audit_entries_organization_id_target_id_id_idx" ON "audit_entries"("organization_id", "target_id", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_organization_id_actor_id_id_idx" ON "audit_entries"("organization_id", "actor_id", "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_organization_id_action_id_idx" ON "audit_entries"("organization_id", "action", "id" DESC);


-- The audit log is append-only: UPDATE and TRUNCATE are always rejected. A
-- DELETE goes through only when the entry's organisation no longer exists,
-- which is the case in the ON DELETE CASCADE of deleting an organisation,
-- because PostgreSQL removes the organisation row before it cascades to the
-- entries. Deleting an entry of an organisation that exists is rejected.
CREATE FUNCTION audit_entries_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_entries is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit entries are only inserted. They are deleted only together with their organisation.';
END;
$$;

CREATE TRIGGER audit_entries_append_only
  BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_reject_change();

CREATE TRIGGER audit_entries_no_truncate
  BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_reject_change();
