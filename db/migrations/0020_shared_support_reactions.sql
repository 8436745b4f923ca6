-- Chat and stories share one set of support reactions (shared/src/schemas/reactions.ts): chat's `heart`
-- is the set's `love`. No message holds both from one member, so the primary key cannot collide.
UPDATE "reactions" SET "kind" = 'love' WHERE "kind" = 'heart';
