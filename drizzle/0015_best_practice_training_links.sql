CREATE TABLE "best_practice_training_links" (
	"best_practice_id" integer NOT NULL,
	"training_programme_id" integer NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "best_practice_training_links_best_practice_id_training_programme_id_pk" PRIMARY KEY("best_practice_id","training_programme_id")
);
--> statement-breakpoint
ALTER TABLE "best_practice_training_links" ADD CONSTRAINT "best_practice_training_links_best_practice_id_best_practices_id_fk" FOREIGN KEY ("best_practice_id") REFERENCES "public"."best_practices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "best_practice_training_links" ADD CONSTRAINT "best_practice_training_links_training_programme_id_training_programmes_id_fk" FOREIGN KEY ("training_programme_id") REFERENCES "public"."training_programmes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "best_practice_training_links_programme_idx" ON "best_practice_training_links" USING btree ("training_programme_id");