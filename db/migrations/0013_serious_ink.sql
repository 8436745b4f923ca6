CREATE TABLE "admin_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"change" text NOT NULL,
	"user_id" uuid NOT NULL,
	"username" text NOT NULL,
	"operator" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "admin_changes_change" CHECK ("admin_changes"."change" IN ('created', 'granted', 'revoked'))
);
