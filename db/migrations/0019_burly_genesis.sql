ALTER TABLE "member_notices" ADD COLUMN "story_id" uuid;--> statement-breakpoint
ALTER TABLE "member_notices" ADD COLUMN "actor_id" uuid;--> statement-breakpoint
ALTER TABLE "member_notices" ADD COLUMN "anonymous" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "member_notices" ADD COLUMN "gather_key" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "notice_kinds_off" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "member_notices" ADD CONSTRAINT "member_notices_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "member_notices_gather_key" ON "member_notices" USING btree ("user_id","gather_key");