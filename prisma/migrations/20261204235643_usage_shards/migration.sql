-- AlterTable
ALTER TABLE "webhook_usage" DROP CONSTRAINT "webhook_usage_pkey",
ADD COLUMN     "shard" SMALLINT NOT NULL DEFAULT 0,
ADD CONSTRAINT "webhook_usage_pkey" PRIMARY KEY ("subscription_id", "hour", "shard");

