import { operations } from "@/lib/api/operations";
import { presentCapToday, presentUsageBucket } from "@/lib/api/presenters";
import { webhookUsageReport } from "@/lib/caps/usage-report";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.getWebhookUsage, async ({ principal, params, query, now }) => {
  const report = await webhookUsageReport(principal.organizationId, params.id, query, now);
  return {
    webhook_id: params.id,
    granularity: report.range.granularity,
    from: report.range.from,
    to: report.range.to,
    today: presentCapToday(report.today),
    buckets: report.buckets.map(presentUsageBucket),
  };
});
