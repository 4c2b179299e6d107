-- The audit log, append-only and hash-chained in the database itself (not only in the application):
--   * audit_log_chain (BEFORE INSERT) gives each row the next seq, the previous row's hash as prev_hash, and
--     hash = sha256(prev_hash || audit_log_canonical(row)). It takes the next seq by updating the single row of
--     audit_chain_head, whose row lock is held to the end of the transaction: concurrent writers chain one after
--     another in commit order (the same serialization a pg_advisory_xact_lock would give, and a REPEATABLE READ
--     writer gets a serialization failure instead of forking the chain). Values the application passes are overwritten.
--   * audit_log_append_only refuses UPDATE and DELETE, audit_log_no_truncate refuses TRUNCATE; the head row can
--     only be moved by the chain trigger. Privileges cannot do this for the owner or a superuser; triggers do
--     (a superuser can still disable them — `npm run audit:verify` is what detects that).
-- Existing rows are chained in id order first.
CREATE FUNCTION audit_log_canonical(r audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_array(
    r.seq, r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    r.actor_sub, r.actor_role, r.actor_org_id, r.action, r.entity_type, r.entity_id, r.before, r.after
  )::text
$$;
--> statement-breakpoint
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
--> statement-breakpoint
DO $$
DECLARE
  r audit_log;
  h text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
    n := n + 1;
    r.seq := n;
    r.prev_hash := h;
    h := encode(sha256(convert_to(h || audit_log_canonical(r), 'UTF8')), 'hex');
    UPDATE audit_log SET seq = n, prev_hash = r.prev_hash, hash = h WHERE id = r.id;
  END LOOP;
  UPDATE audit_chain_head SET seq = n, hash = h WHERE id = 1;
END
$$;
--> statement-breakpoint
ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL;
--> statement-breakpoint
ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL;
--> statement-breakpoint
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX audit_log_seq_key ON audit_log (seq);
--> statement-breakpoint
CREATE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
BEGIN
  UPDATE audit_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash INTO head_seq, head_hash;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_chain_head is missing: the audit chain cannot be extended' USING ERRCODE = 'data_corrupted';
  END IF;
  NEW.seq := head_seq;
  NEW.prev_hash := head_hash;
  NEW.hash := encode(sha256(convert_to(head_hash || audit_log_canonical(NEW), 'UTF8')), 'hex');
  UPDATE audit_chain_head SET hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The chain trigger moves the head (trigger depth 2); nothing else changes either table.
  IF TG_TABLE_NAME = 'audit_chain_head' AND TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
