DROP INDEX "messages_author_idx";--> statement-breakpoint
CREATE INDEX "messages_author_room_seq_idx" ON "messages" USING btree ("author_id","room_id","seq");