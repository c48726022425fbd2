-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "counted_at" TIMESTAMPTZ(3),
ADD COLUMN     "held_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "webhook_budgets" (
    "subscription_id" TEXT NOT NULL,
    "next_slot_at" TIMESTAMPTZ(3) NOT NULL,
    "capped_until" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_budgets_pkey" PRIMARY KEY ("subscription_id")
);

-- CreateTable
CREATE TABLE "webhook_usage" (
    "subscription_id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "counted" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "held" INTEGER NOT NULL DEFAULT 0,
    "daily_cap" INTEGER NOT NULL,

    CONSTRAINT "webhook_usage_pkey" PRIMARY KEY ("subscription_id","hour")
);

-- CreateIndex
CREATE INDEX "webhook_usage_organization_id_hour_idx" ON "webhook_usage"("organization_id", "hour");

-- AddForeignKey
ALTER TABLE "webhook_budgets" ADD CONSTRAINT "webhook_budgets_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_usage" ADD CONSTRAINT "webhook_usage_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Partial indexes, which prisma/schema.prisma cannot express. Only deliveries held by the daily cap
-- and webhooks with such deliveries are in them, so they stay small: the release at the turn of the
-- day takes the oldest held deliveries of a webhook, and the expiry looks for the long-held ones.
CREATE INDEX "deliveries_held_by_daily_cap_idx" ON "deliveries"("subscription_id", "id") WHERE "status" = 'held' AND "held_reason" = 'daily_cap';
CREATE INDEX "deliveries_held_by_daily_cap_since_idx" ON "deliveries"("held_at") WHERE "status" = 'held' AND "held_reason" = 'daily_cap';
CREATE INDEX "webhook_budgets_capped_until_idx" ON "webhook_budgets"("capped_until") WHERE "capped_until" IS NOT NULL;
