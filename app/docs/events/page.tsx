import { readFileSync } from "node:fs";
import path from "node:path";
import type { Metadata } from "next";
import { eventCatalog } from "@/lib/api/event-catalog";
import { secretKeyBytes } from "@/lib/crypto/signing-secrets";
import { ATTEMPT_DEADLINE_MS } from "@/lib/dispatch/http-client";
import { RETRY_DELAYS_SECONDS, RETRY_WINDOW_SECONDS } from "@/lib/retry-schedule";
import { CodeBlock } from "@/components/docs/code-block";
import { SchemaView } from "@/components/docs/schema-view";

export const metadata: Metadata = { title: "Webhook events · WASViking Webhooks" };

// The runnable examples in docs/examples, shown verbatim; tests run these same files against real deliveries.
const EXAMPLES = [
  { file: "verify.ts", title: "TypeScript / Node.js 20+, no dependencies", run: 'WEBHOOK_SECRETS="whsec_…" PORT=4000 npx tsx verify.ts' },
  { file: "verify.py", title: "Python 3, standard library only", run: 'WEBHOOK_SECRETS="whsec_…" PORT=4000 python3 verify.py' },
  { file: "verify.sh", title: "Shell (bash and openssl), for CI jobs and captured requests", run: 'WEBHOOK_SECRETS="whsec_…" ./verify.sh "$DELIVERY_ID" "$SIGNATURE_HEADER" body.json' },
  { file: "verify-standardwebhooks.ts", title: "Standard Webhooks library (npm standardwebhooks)", run: 'WEBHOOK_SECRETS="whsec_…" PORT=4000 npx tsx verify-standardwebhooks.ts' },
];

function formatDelay(seconds: number): string {
  return seconds >= 3600 ? `${seconds / 3600} h` : `${seconds / 60} min`;
}

function exampleSource(file: string): string {
  return readFileSync(path.join(process.cwd(), "docs", "examples", file), "utf8");
}

const HEADERS = [
  ["Wasviking-Delivery", "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA", "Delivery id, the same on every retry and replay: drop ids you already processed"],
  ["Wasviking-Event", "finding.escalated", "The event type"],
  ["Wasviking-Signature", "t=1767225600,v1=5f1c…", "Signing time (Unix seconds) and one hex HMAC-SHA256 per valid secret"],
  ["webhook-id", "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA", "Standard Webhooks: the same as Wasviking-Delivery"],
  ["webhook-timestamp", "1767225600", "Standard Webhooks: the signing time"],
  ["webhook-signature", "v1,Xxw… v1,aGk…", "Standard Webhooks: the same digests in base64, space-separated"],
];

export default function WebhookEventsPage() {
  const catalog = eventCatalog();
  return (
    <article className="text-slate-900">
      <h1 className="text-3xl font-semibold">Webhook events</h1>
      <p className="mt-3 text-slate-700">
        WASViking sends each event as a signed JSON <code className="font-mono">POST</code> to every enabled webhook that lists its type. Answer with
        any 2xx within {ATTEMPT_DEADLINE_MS / 1000} seconds; anything else is retried with backoff ({RETRY_DELAYS_SECONDS.map(formatDelay).join(", ")})
        for up to {RETRY_WINDOW_SECONDS / 3600} hours. Events about the same
        finding or asset reach a webhook in order; there is no order across subjects. Fields may be added to an event&apos;s data over time, so ignore
        the ones you do not know. The catalog is also served as JSON at{" "}
        <a className="text-blue-700 hover:underline" href="/v1/event-types">/v1/event-types</a>.
      </p>

      <nav aria-label="Event types" className="mt-6 rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm">
        <ul className="grid gap-1 sm:grid-cols-3">
          {catalog.map((entry) => (
            <li key={entry.type}>
              <a className="font-mono text-blue-700 hover:underline" href={`#${entry.type}`}>
                {entry.type}
              </a>
            </li>
          ))}
          <li>
            <a className="text-blue-700 hover:underline" href="#verifying-signatures">
              Verifying signatures
            </a>
          </li>
        </ul>
      </nav>

      <section id="envelope" className="mt-10 scroll-mt-6">
        <h2 className="text-2xl font-semibold">The envelope</h2>
        <p className="mt-2 text-slate-700">Every delivery body has the same outer fields; only data differs by type.</p>
        <ul className="mt-3 space-y-1 text-sm text-slate-700">
          <li><code className="font-mono">id</code>: event id (evt_…), the same for every webhook that receives the event</li>
          <li><code className="font-mono">type</code>: the event type</li>
          <li><code className="font-mono">timestamp</code>: when the event happened, ISO 8601 in UTC</li>
          <li><code className="font-mono">subject</code>: id of the finding or asset the event is about</li>
          <li>
            <code className="font-mono">ordering</code>: <code className="font-mono">{'{"key": "finding:fnd_…", "sequence": 3}'}</code>; deliveries with
            the same key reach your endpoint in sequence order, so a gap means one is still on its way. Null for unordered events.
          </li>
          <li><code className="font-mono">data</code>: the type&apos;s fields, below</li>
        </ul>
      </section>

      {catalog.map((entry) => (
        <section key={entry.type} id={entry.type} className="mt-10 scroll-mt-6 border-t border-slate-200 pt-6">
          <h2 className="font-mono text-2xl font-semibold">{entry.type}</h2>
          <p className="mt-2 text-slate-800">{entry.summary}</p>
          <p className="mt-2 text-sm text-slate-700">
            <strong>When it fires:</strong> {entry.fires_when}
          </p>
          <p className="mt-1 text-sm text-slate-700">
            <strong>Ordering:</strong>{" "}
            {entry.ordered ? `in order per ${entry.subject} (ordering key "${entry.subject}:<id>").` : "not ordered; never retried automatically."}
            {entry.subscribable ? "" : " A webhook cannot subscribe to it: it is sent only on request."}
          </p>
          <h3 className="mt-4 text-sm font-semibold uppercase tracking-wide text-slate-500">data</h3>
          <div className="mt-2">
            <SchemaView schema={entry.data_schema} definitions={((entry.data_schema as Record<string, unknown>).$defs ?? {}) as Record<string, Record<string, unknown>>} />
          </div>
          <CodeBlock caption="Example delivery body" code={JSON.stringify(entry.example, null, 2)} />
        </section>
      ))}

      <section id="verifying-signatures" className="mt-12 scroll-mt-6 border-t border-slate-200 pt-6">
        <h2 className="text-2xl font-semibold">Verifying signatures</h2>
        <p className="mt-2 text-slate-700">
          Verify every request before acting on it. The signature is HMAC-SHA256 over <code className="font-mono">{"<delivery id>.<timestamp>.<raw body>"}</code>,
          keyed with the base64-decoded part of your secret after <code className="font-mono">whsec_</code> (never the secret string itself).
        </p>
        <ol className="mt-3 list-decimal space-y-1 pl-6 text-sm text-slate-700">
          <li>Read the raw body bytes before any JSON parsing: re-serialised JSON does not match.</li>
          <li>
            Take <code className="font-mono">t</code> and every <code className="font-mono">v1</code> from Wasviking-Signature. Reject when{" "}
            <code className="font-mono">t</code> is missing, repeated or more than 5 minutes from your clock.
          </li>
          <li>
            For each secret you hold, compute the digest and compare it with every <code className="font-mono">v1</code> as 32 bytes, in constant
            time. During a rotation a request carries two signatures, in no fixed order; accept when any matches.
          </li>
          <li>Ignore entries of versions you do not know. Then drop the request if you already processed its delivery id.</li>
        </ol>
        <table className="mt-4 w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-4 font-medium">header</th>
              <th className="py-1 pr-4 font-medium">example</th>
              <th className="py-1 font-medium">meaning</th>
            </tr>
          </thead>
          <tbody>
            {HEADERS.map(([name, example, meaning]) => (
              <tr key={name} className="border-t border-slate-100 align-top">
                <td className="py-1.5 pr-4 font-mono">{name}</td>
                <td className="py-1.5 pr-4 font-mono text-xs">{example}</td>
                <td className="py-1.5 text-slate-700">{meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h3 className="mt-6 text-lg font-semibold">Known-answer vector</h3>
        <p className="mt-1 text-sm text-slate-700">Check your implementation against it before going live (the Standard Webhooks reference vector).</p>
        <CodeBlock
          code={[
            "secret               whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            `key (hex)            ${secretKeyBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").toString("hex")}`,
            "delivery id          msg_p5jXN8AQM9LWM0D4loKWxJek",
            "timestamp            1614265330",
            'body                 {"test": 2432232314}      (one space after the colon)',
            "Wasviking-Signature  t=1614265330,v1=83484cf52b04f8e4cf2531adfed9882ad4b2665137b852442d594d20e2c9d4e1",
            "webhook-signature    v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
          ].join("\n")}
        />

        {EXAMPLES.map((example) => (
          <div key={example.file} id={`example-${example.file.replace(/\W+/g, "-")}`} className="mt-8 scroll-mt-6">
            <h3 className="text-lg font-semibold">{example.title}</h3>
            <p className="mt-1 text-sm text-slate-600">
              <code className="font-mono">{example.file}</code>; run it as <code className="font-mono">{example.run}</code>
            </p>
            <CodeBlock code={exampleSource(example.file)} />
          </div>
        ))}
      </section>
    </article>
  );
}
