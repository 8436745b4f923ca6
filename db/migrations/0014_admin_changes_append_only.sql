-- Who is an admin changes only through the operator's CLI, and every change is kept: no row of
-- admin_changes may be changed or removed, by the app or anyone.
CREATE FUNCTION admin_changes_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'admin_changes is append-only';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER admin_changes_no_change
  BEFORE UPDATE OR DELETE ON admin_changes
  FOR EACH ROW EXECUTE FUNCTION admin_changes_append_only();
