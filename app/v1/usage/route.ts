import { operations } from "@/lib/api/operations";
import { presentCapToday, presentUsageBucket } from "@/lib/api/presenters";
import { organizationUsageReport } from "@/lib/caps/usage-report";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.getOrganizationUsage, async ({ principal, query, now }) => {
  const report = await organizationUsageReport(principal.organizationId, query, now);
  return {
    granularity: report.range.granularity,
    from: report.range.from,
    to: report.range.to,
    buckets: report.buckets.map(presentUsageBucket),
    webhooks: report.webhooks.map((webhook) => ({
      id: webhook.id,
      url: webhook.url,
      description: webhook.description,
      enabled: webhook.enabled,
      today: presentCapToday(webhook.today),
    })),
  };
});
