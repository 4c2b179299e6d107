ALTER TABLE "outbox_events" ADD COLUMN "association_id" integer;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "association_id" integer;--> statement-breakpoint
-- Backfill (hand-written). Every existing row belongs to the securities association (0009 moved everything there).
-- Staff subscriptions and association accounts' subscriptions become their association's; the bureau's accounts' stay null.
UPDATE "webhook_subscriptions" SET "association_id" = 1 WHERE "service_account_id" IS NULL;--> statement-breakpoint
UPDATE "webhook_subscriptions" s SET "association_id" = a."association_id"
  FROM "service_accounts" a WHERE a."id" = s."service_account_id" AND a."role" = 'association';--> statement-breakpoint
-- Events: a suggestion's its suggestion's association, a forwarding batch's its batch's; rating cycles are SZSA's.
UPDATE "outbox_events" e SET "association_id" = s."association_id"
  FROM "suggestions" s WHERE e."entity_type" = 'Suggestion' AND s."id" = e."entity_id";--> statement-breakpoint
UPDATE "outbox_events" e SET "association_id" = b."association_id"
  FROM "suggestion_forward_batches" b WHERE e."entity_type" = 'SuggestionForwardBatch' AND b."id" = e."entity_id";--> statement-breakpoint
UPDATE "outbox_events" SET "association_id" = 1 WHERE "association_id" IS NULL;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD CONSTRAINT "outbox_events_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_association_id_associations_id_fk" FOREIGN KEY ("association_id") REFERENCES "public"."associations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_association_idx" ON "webhook_subscriptions" USING btree ("association_id","id");--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_association" CHECK ("webhook_subscriptions"."service_account_id" is not null or "webhook_subscriptions"."association_id" is not null);