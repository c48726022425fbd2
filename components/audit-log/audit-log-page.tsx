"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { ApiProblem } from "@/lib/portal/api-client";
import { type AuditFilters, auditFiltersFromSearchParams, auditQueryOfFilters, hasAuditFilters, searchParamsOfAuditFilters } from "@/lib/portal/audit-filters";
import { AuditEntryRow } from "./audit-entry-row";
import { AuditFiltersForm } from "./audit-filters-form";
import { useAuditLog } from "./queries";

/** Settings → Audit log: who changed webhooks, secrets and API keys, and who signed in, newest first. Admins only. */
export function AuditLogPage() {
  const isAdmin = useCanManage();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => auditFiltersFromSearchParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const setFilters = (next: AuditFilters) => {
    const query = searchParamsOfAuditFilters(next).toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  const translated = auditQueryOfFilters(filters);
  const query = "query" in translated ? translated.query : null;
  const log = useAuditLog(query, { enabled: isAdmin });
  const entries = log.data?.pages.flatMap((page) => page.data) ?? [];

  const header = (
    <PageHeader
      title="Audit log"
      description="Who did what, when and from where: webhook changes, signing secrets revealed and rotated, tests and replays, daily cap changes, API keys and sign-ins. Entries cannot be changed or deleted, and never hold a secret or a key."
    />
  );

  if (!isAdmin) {
    return (
      <>
        {header}
        <EmptyState title="Only admins can read the audit log">Ask an admin of your organisation if you need to know who changed something.</EmptyState>
      </>
    );
  }

  // The API's own words on a filter it rejected, such as an unknown id format.
  const apiFilterError = log.error instanceof ApiProblem && log.error.status === 422 ? log.error.message : null;
  const filterError = "error" in translated ? translated.error : apiFilterError;

  return (
    <>
      {header}
      <AuditFiltersForm filters={filters} error={filterError} onChange={setFilters} />
      {query === null ? null : log.isPending ? (
        <SkeletonRows label="Loading the audit log" />
      ) : log.isError ? (
        apiFilterError ? null : <ErrorState title="The audit log could not be loaded" error={log.error} onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title={hasAuditFilters(filters) ? "No entries match these filters" : "No entries yet"}>
          {hasAuditFilters(filters) ? "Change or clear the filters to see more." : "Changes to webhooks and API keys, and sign-ins, appear here."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Audit log entries">
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">Time</th>
                <th scope="col" className="px-4 py-2">Actor</th>
                <th scope="col" className="px-4 py-2">Action</th>
                <th scope="col" className="px-4 py-2">Target</th>
                <th scope="col" className="px-4 py-2">Source IP</th>
                <th scope="col" className="px-4 py-2">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {entries.map((entry) => (
                <AuditEntryRow
                  key={entry.id}
                  entry={entry}
                  onFilterActor={(actor) => setFilters({ ...filters, actor })}
                  onFilterTarget={(targetId) => setFilters({ ...filters, targetId })}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage ? (
        <div className="mt-4 flex justify-center">
          <Button onClick={() => void log.fetchNextPage()} pending={log.isFetchingNextPage} pendingLabel="Loading…">
            Load more
          </Button>
        </div>
      ) : null}
    </>
  );
}
