-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "disabled_cause" TEXT,
ADD COLUMN     "failing_since" TIMESTAMPTZ(3),
ADD COLUMN     "last_failure_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "subscriptions_failing_since_idx" ON "subscriptions"("failing_since");


-- Until now only a 410 Gone answer made the platform switch a webhook off.
UPDATE "subscriptions" SET "disabled_cause" = 'gone' WHERE "disabled_reason" IS NOT NULL;
