ALTER TYPE "public"."supervisory_follow_up_type" ADD VALUE 'OBJECTION_TO_BRANCH_HEAD';--> statement-breakpoint
CREATE TABLE "primary_contact_units" (
	"firm_id" integer PRIMARY KEY NOT NULL,
	"branch_id" integer NOT NULL,
	"designated_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rating_cycles" ADD COLUMN "notice_on" date;--> statement-breakpoint
ALTER TABLE "primary_contact_units" ADD CONSTRAINT "primary_contact_units_firm_id_organizations_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "primary_contact_units" ADD CONSTRAINT "primary_contact_units_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "primary_contact_units_branch_key" ON "primary_contact_units" USING btree ("branch_id");--> statement-breakpoint
ALTER TABLE "rating_cycles" ADD CONSTRAINT "rating_cycles_notice_first" CHECK ("rating_cycles"."notice_on" is null or "rating_cycles"."notice_on" <= "rating_cycles"."self_assessment_due_on");