import Link from "next/link";

export default function Home() {
  return (
    <main className="mx-auto max-w-2xl p-10">
      <h1 className="text-2xl font-semibold">WASViking Webhooks</h1>
      <p className="mt-4 text-slate-700">
        Subscribe HTTPS endpoints to signed security events. The REST API is served under <code>/v1</code>.
      </p>
      <p className="mt-4">
        <Link className="text-blue-700 underline" href="/integrations/webhooks">
          Integrations → Webhooks
        </Link>
      </p>
    </main>
  );
}
