CREATE TYPE "public"."supervisory_follow_up_status" AS ENUM('OPEN', 'IN_PROGRESS', 'DONE');--> statement-breakpoint
ALTER TABLE "supervisory_follow_ups" ADD COLUMN "status" "supervisory_follow_up_status" DEFAULT 'OPEN' NOT NULL;--> statement-breakpoint
ALTER TABLE "supervisory_follow_ups" ADD COLUMN "completed_on" date;--> statement-breakpoint
ALTER TABLE "supervisory_follow_ups" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "supervisory_follow_ups" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "supervisory_follow_ups" ADD CONSTRAINT "supervisory_follow_ups_completed" CHECK (("supervisory_follow_ups"."status" = 'DONE') = ("supervisory_follow_ups"."completed_on" is not null));