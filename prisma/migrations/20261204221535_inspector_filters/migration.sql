-- CreateIndex
CREATE INDEX "deliveries_subscription_id_event_type_status_id_idx" ON "deliveries"("subscription_id", "event_type", "status", "id" DESC);

-- CreateIndex
CREATE INDEX "deliveries_subscription_id_subject_id_idx" ON "deliveries"("subscription_id", "subject", "id" DESC);

