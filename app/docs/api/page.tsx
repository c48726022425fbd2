import type { Metadata } from "next";
import { openApiDocument } from "@/lib/api/openapi";
import { SCOPE_DESCRIPTIONS, SCOPES } from "@/lib/auth/principal";
import { PROBLEM_TYPES } from "@/lib/http/problem";
import { CodeBlock } from "@/components/docs/code-block";
import { InlineText } from "@/components/docs/inline-text";
import { SchemaView } from "@/components/docs/schema-view";

export const metadata: Metadata = { title: "API reference · WASViking Webhooks" };

type Schema = Record<string, any>;

interface OperationEntry {
  method: string;
  path: string;
  operation: Schema;
}

const METHOD_COLOURS: Record<string, string> = {
  GET: "bg-emerald-100 text-emerald-800",
  POST: "bg-blue-100 text-blue-800",
  PATCH: "bg-amber-100 text-amber-800",
  DELETE: "bg-rose-100 text-rose-800",
};

function operationsByTag(document: Schema): Map<string, OperationEntry[]> {
  const groups = new Map<string, OperationEntry[]>();
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags?.[0] ?? "Other";
      groups.set(tag, [...(groups.get(tag) ?? []), { method: method.toUpperCase(), path, operation }]);
    }
  }
  return groups;
}

function MethodBadge({ method }: { method: string }) {
  return <span className={`rounded px-2 py-0.5 font-mono text-xs font-bold ${METHOD_COLOURS[method] ?? "bg-slate-100"}`}>{method}</span>;
}

function Operation({ entry, definitions, responses }: { entry: OperationEntry; definitions: Record<string, Schema>; responses: Record<string, Schema> }) {
  const { operation } = entry;
  const parameters = (operation.parameters ?? []) as Schema[];
  const body = operation.requestBody?.content?.["application/json"]?.schema as Schema | undefined;
  return (
    <section id={operation.operationId} className="scroll-mt-6 border-t border-slate-200 py-6">
      <h3 className="flex flex-wrap items-center gap-3 text-lg font-semibold">
        <MethodBadge method={entry.method} />
        <code className="font-mono text-base">{entry.path}</code>
      </h3>
      <p className="mt-1 font-medium text-slate-800">{operation.summary}</p>
      <div className="mt-2 text-sm text-slate-700">
        <InlineText text={operation.description ?? ""} />
      </div>

      {parameters.length > 0 ? (
        <>
          <h4 className="mt-4 text-sm font-semibold uppercase tracking-wide text-slate-500">Parameters</h4>
          <table className="mt-2 w-full text-left text-sm">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-4 font-medium">name</th>
                <th className="py-1 pr-4 font-medium">in</th>
                <th className="py-1 font-medium">description</th>
              </tr>
            </thead>
            <tbody>
              {parameters.map((parameter) => (
                <tr key={`${parameter.in}-${parameter.name}`} className="border-t border-slate-100 align-top">
                  <td className="py-1.5 pr-4">
                    <code className="font-mono">{parameter.name}</code>
                    {parameter.required ? <span className="ml-1 text-xs text-rose-700">required</span> : null}
                  </td>
                  <td className="py-1.5 pr-4 text-slate-500">{parameter.in}</td>
                  <td className="py-1.5 text-slate-700">{parameter.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      {body ? (
        <>
          <h4 className="mt-4 text-sm font-semibold uppercase tracking-wide text-slate-500">Request body (application/json)</h4>
          <div className="mt-2">
            <SchemaView schema={body} definitions={definitions} />
          </div>
        </>
      ) : null}

      <h4 className="mt-4 text-sm font-semibold uppercase tracking-wide text-slate-500">Responses</h4>
      <ul className="mt-2 space-y-3 text-sm">
        {Object.entries(operation.responses as Record<string, Schema>).map(([status, response]) => {
          const shared = typeof response.$ref === "string" ? responses[response.$ref.split("/").pop()!] : undefined;
          const schema = response.content?.["application/json"]?.schema as Schema | undefined;
          return (
            <li key={status}>
              <span className="font-mono font-semibold">{status}</span>{" "}
              <span className="text-slate-700">{(shared ?? response).description}</span>
              {shared ? (
                <span className="text-slate-500">
                  {" "}
                  (<a className="text-blue-700 hover:underline" href="#errors">problem details</a>)
                </span>
              ) : null}
              {schema ? (
                <div className="mt-2">
                  <SchemaView schema={schema} definitions={definitions} />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export default function ApiReferencePage() {
  const document = openApiDocument() as Schema;
  const definitions = document.components.schemas as Record<string, Schema>;
  const responses = document.components.responses as Record<string, Schema>;
  const groups = operationsByTag(document);

  return (
    <article className="text-slate-900">
      <h1 className="text-3xl font-semibold">API reference</h1>
      <div className="mt-3 text-slate-700">
        <InlineText text={document.info.description} />
      </div>
      <p className="mt-3 text-sm text-slate-600">
        The same content as an OpenAPI 3.1 document: <a className="text-blue-700 hover:underline" href="/v1/openapi.json">/v1/openapi.json</a>. The events
        WASViking sends are described under <a className="text-blue-700 hover:underline" href="/docs/events">Webhook events</a>.
      </p>

      <nav aria-label="Operations" className="mt-6 rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm">
        <ul className="grid gap-4 sm:grid-cols-2">
          {[...groups].map(([tag, entries]) => (
            <li key={tag}>
              <p className="font-semibold">{tag}</p>
              <ul className="mt-1 space-y-1">
                {entries.map((entry) => (
                  <li key={entry.operation.operationId}>
                    <a className="text-blue-700 hover:underline" href={`#${entry.operation.operationId}`}>
                      {entry.method} {entry.path}
                    </a>
                  </li>
                ))}
              </ul>
            </li>
          ))}
          <li>
            <p className="font-semibold">Conventions</p>
            <ul className="mt-1 space-y-1">
              <li><a className="text-blue-700 hover:underline" href="#authentication">Authentication and scopes</a></li>
              <li><a className="text-blue-700 hover:underline" href="#errors">Errors</a></li>
              <li><a className="text-blue-700 hover:underline" href="#pagination">Pagination</a></li>
              <li><a className="text-blue-700 hover:underline" href="#idempotency">Idempotency</a></li>
            </ul>
          </li>
        </ul>
      </nav>

      <section id="authentication" className="mt-10 scroll-mt-6">
        <h2 className="text-2xl font-semibold">Authentication and scopes</h2>
        <p className="mt-2 text-slate-700">
          Every call except the two public reference operations sends an API key created in the portal. A missing, invalid or revoked key gets 401; a key
          without the operation&apos;s scope gets 403.
        </p>
        <CodeBlock code={'curl -sS https://api.wasviking.com/v1/webhooks \\\n  -H "Authorization: ApiKey ${KEY}"'} />
        <table className="mt-4 w-full text-left text-sm">
          <tbody>
            {SCOPES.map((scope) => (
              <tr key={scope} className="border-t border-slate-100">
                <td className="py-1.5 pr-4"><code className="font-mono">{scope}</code></td>
                <td className="py-1.5 text-slate-700">{SCOPE_DESCRIPTIONS[scope]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section id="errors" className="mt-10 scroll-mt-6">
        <h2 className="text-2xl font-semibold">Errors</h2>
        <p className="mt-2 text-slate-700">
          Every error is <code className="font-mono">application/problem+json</code> (RFC 9457). Branch on <code className="font-mono">type</code>, show{" "}
          <code className="font-mono">detail</code> to people, and quote <code className="font-mono">request_id</code> when reporting a problem. Validation
          errors list each offending field; no answer carries a stack trace or internal detail.
        </p>
        <CodeBlock
          caption="422 for POST /v1/webhooks with a typo"
          code={JSON.stringify(
            {
              type: "https://docs.wasviking.com/problems/validation",
              title: "Invalid request",
              status: 422,
              detail: "2 fields are invalid",
              request_id: "5b0d7a8e-51c4-4d0c-9a57-3f1f0c6f2e11",
              errors: [
                { field: "events/0", message: 'Invalid option: expected one of "finding.created"|"finding.escalated"|…' },
                { field: "retries", message: 'Unknown field "retries": remove it or check its spelling' },
              ],
            },
            null,
            2,
          )}
        />
        <table className="mt-4 w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-4 font-medium">status</th>
              <th className="py-1 pr-4 font-medium">type</th>
              <th className="py-1 font-medium">meaning</th>
            </tr>
          </thead>
          <tbody>
            {PROBLEM_TYPES.map((problem) => (
              <tr key={problem.slug} id={`problem-${problem.slug}`} className="border-t border-slate-100 align-top">
                <td className="py-1.5 pr-4 font-mono">{problem.status}</td>
                <td className="py-1.5 pr-4"><code className="font-mono text-xs">{problem.uri}</code></td>
                <td className="py-1.5 text-slate-700">{problem.meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section id="pagination" className="mt-10 scroll-mt-6">
        <h2 className="text-2xl font-semibold">Pagination</h2>
        <p className="mt-2 text-slate-700">
          Lists return newest first as <code className="font-mono">{'{"data": [...], "next_cursor": "..."}'}</code>. Pass{" "}
          <code className="font-mono">next_cursor</code> unchanged as <code className="font-mono">?cursor=</code> to get the next page, until it is null.{" "}
          <code className="font-mono">limit</code> sets the page size (1 to 100, default 50). Cursors are positions, not snapshots: objects created while
          you page appear on the first page of a new listing.
        </p>
      </section>

      <section id="idempotency" className="mt-10 scroll-mt-6">
        <h2 className="text-2xl font-semibold">Idempotency</h2>
        <p className="mt-2 text-slate-700">
          <code className="font-mono">POST /v1/events</code> accepts an <code className="font-mono">Idempotency-Key</code> header (1 to 255 printable
          ASCII characters, for example a UUID). Within 24 hours the same key and body return the first result with{" "}
          <code className="font-mono">Idempotent-Replayed: true</code> and publish nothing new; the same key with another body is a 409. Keys are
          scoped to your organisation. A rejected request (4xx) stores nothing, so the corrected request can reuse its key.
        </p>
      </section>

      {[...groups].map(([tag, entries]) => (
        <section key={tag} className="mt-12">
          <h2 className="text-2xl font-semibold">{tag}</h2>
          {entries.map((entry) => (
            <Operation key={entry.operation.operationId} entry={entry} definitions={definitions} responses={responses} />
          ))}
        </section>
      ))}
    </article>
  );
}
