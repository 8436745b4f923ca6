-- The moderation audit log is append-only: no row may be changed or removed, by the app or anyone.
CREATE FUNCTION moderation_actions_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'moderation_actions is append-only';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER moderation_actions_no_change
  BEFORE UPDATE OR DELETE ON moderation_actions
  FOR EACH ROW EXECUTE FUNCTION moderation_actions_append_only();
