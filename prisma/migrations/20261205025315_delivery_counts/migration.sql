-- The mark of a delivery counted against its webhook's daily cap moves from the wide deliveries row to a
-- narrow table: counting then adds a small row instead of rewriting the delivery and every one of its indexes.

-- CreateTable
CREATE TABLE "delivery_counts" (
    "delivery_id" TEXT NOT NULL,
    "counted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delivery_counts_pkey" PRIMARY KEY ("delivery_id")
);

-- AddForeignKey
ALTER TABLE "delivery_counts" ADD CONSTRAINT "delivery_counts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keep every mark already made, so that no delivery is counted twice.
INSERT INTO "delivery_counts" ("delivery_id", "counted_at")
SELECT "id", "counted_at" FROM "deliveries" WHERE "counted_at" IS NOT NULL;

-- AlterTable
ALTER TABLE "deliveries" DROP COLUMN "counted_at";
