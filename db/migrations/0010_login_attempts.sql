CREATE TABLE "login_attempts" (
	"username_hash" "bytea" PRIMARY KEY NOT NULL,
	"attempts" integer NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_attempts_reset_at_idx" ON "login_attempts" USING btree ("reset_at");