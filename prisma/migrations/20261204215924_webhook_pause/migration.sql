-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "paused_until" TIMESTAMPTZ(3);

