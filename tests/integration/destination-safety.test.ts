import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "../../lib/config";
import { pool } from "../../lib/db";
import { createHttpClient } from "../../lib/dispatch/http-client";
import { type Resolver, setDestinationResolver } from "../../lib/dispatch/safe-lookup";
import { metadataRange } from "../../lib/url-safety";
import { api } from "../support/api";
import { attemptsOf, deliveryOf, deliveryRow, publish, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { afterRequestHeaders, startRawServer, type RawServer } from "../support/raw-servers";
import { startTestWorker, type TestWorker } from "../support/worker";

// Stand-in for a public address: only ever returned while a URL is checked, never where a connection is made.
const PUBLIC = "93.184.215.14";

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

// What the registration check resolves each test name to.
const registrationDns: Record<string, LookupAddress[]> = {
  "example.com": [v4(PUBLIC)],
  "hooks.example.com": [v4(PUBLIC)],
  "rebind.example.org": [v4(PUBLIC)],
  "mixed.example.org": [v4(PUBLIC), v4("10.0.0.5")],
  "v6only.example.org": [v6("::ffff:10.0.0.1")],
  "loopback6.example.org": [v6("::1")],
  // A CNAME to a name that resolves to loopback: the resolver returns the final address.
  "alias.example.org": [v4("127.0.0.1")],
  "169.254.169.254.wildcard-dns.test": [v4("169.254.169.254")],
};

const registrationResolver: Resolver = async (hostname) => {
  const answers = registrationDns[hostname];
  if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return answers;
};

const rejectedEverywhere: Array<[string, RegExp]> = [
  // IPv6 spellings of internal addresses.
  ["https://[::ffff:127.0.0.1]/wvk", /IPv4-mapped form of a loopback/],
  ["https://[::ffff:7f00:1]/wvk", /IPv4-mapped form of a loopback/],
  ["https://[0:0:0:0:0:ffff:169.254.169.254]/wvk", /IPv4-mapped form of a link-local/],
  ["https://[::]/wvk", /unspecified/],
  ["https://[::1]/wvk", /loopback/],
  ["https://[::127.0.0.1]/wvk", /IPv4-compatible/],
  ["https://[fe80::1]/wvk", /link-local/],
  ["https://[fd00::1]/wvk", /unique-local/],
  ["https://[64:ff9b::a9fe:a9fe]/wvk", /NAT64 form of a link-local/],
  ["https://v6only.example.org/wvk", /resolves to a non-public address/],
  // Alternate IPv4 spellings and localhost aliases.
  ["https://2130706433/", /127\.0\.0\.1 is not allowed: it is a loopback/],
  ["https://0x7f000001/", /loopback/],
  ["https://0x7f.0.0.1/", /loopback/],
  ["https://0177.0.0.1/", /loopback/],
  ["https://017700000001/", /loopback/],
  ["https://127.1/", /loopback/],
  ["https://127.000.000.001/", /loopback/],
  ["https://１２７.０.０.１/", /loopback/],
  ["https://0/", /unspecified/],
  ["https://2852039166/", /169\.254\.169\.254 is not allowed: it is a link-local/],
  ["https://0xA9FEA9FE/", /link-local/],
  ["https://0251.0376.0251.0376/", /link-local/],
  ["https://localhost./", /local or internal network/],
  ["https://LOCALHOST/", /local or internal network/],
  ["https://foo.localhost/", /local or internal network/],
  ["https://metadata.google.internal/", /local or internal network/],
  ["https://169.254.169.254.wildcard-dns.test/", /resolves to a non-public address/],
  ["https://10.0.0.5/", /private address/],
  ["https://100.64.0.1/", /carrier-grade NAT/],
  ["https://224.0.0.1/", /multicast/],
  // DNS answers that mix or hide internal addresses.
  ["https://mixed.example.org/wvk", /resolves to a non-public address/],
  ["https://loopback6.example.org/wvk", /resolves to a non-public address/],
  ["https://alias.example.org/wvk", /resolves to a non-public address/],
  // Plain http, credentials, other schemes and malformed URLs.
  ["http://2130706433/", /must use https/],
  ["http://example.com/wvk", /must use https/],
  ["https://user:s3cret@hooks.example.com/wvk", /user name or password.*Wasviking-Signature/],
  ["https://hooks.example.com@169.254.169.254/wvk", /user name or password/],
  ["https://hooks.example.com:443@10.0.0.1/wvk", /user name or password/],
  ["https://hooks.example.com%40evil.example.org/wvk", /not a valid absolute URL/],
  ["file:///etc/passwd", /scheme "file" is not allowed/],
  ["gopher://127.0.0.1:6379/_INFO", /scheme "gopher" is not allowed/],
  ["ftp://example.com/x", /scheme "ftp" is not allowed/],
  ["javascript:alert(1)", /scheme "javascript" is not allowed/],
  ["data:text/html,<b>x</b>", /scheme "data" is not allowed/],
  ["ws://example.com/wvk", /scheme "ws" is not allowed/],
  ["https://example.com:0/wvk", /port must be between 1 and 65535/],
  ["https://example.com:65536/wvk", /port must be between 1 and 65535/],
  ["https://", /not a valid absolute URL/],
  ["", /empty/],
  ["https://nowhere.example.org/wvk", /does not resolve to any address/],
  // Spellings the URL parser would repair into another URL.
  ["https:/example.com/wvk", /needs "\/\/" after "https:"/],
  ["http:///example.com/wvk", /empty host/],
  ["https:\\\\example.com\\wvk", /backslash/],
  ["https://exa\tmple.com/wvk", /a tab at character 12/],
  ["https://@example.com/wvk", /"@" with no user name/],
];

describe("destination policy (strict)", () => {
  let tenant: Tenant;

  beforeAll(() => {
    process.env.WVK_ALLOW_PRIVATE_DESTINATIONS = "0";
    resetConfigForTests();
    setDestinationResolver(registrationResolver);
  });

  // A key per test keeps these many webhook writes under the per-caller rate limit.
  beforeEach(async () => {
    tenant = await createTenant();
  });

  afterAll(() => {
    process.env.WVK_ALLOW_PRIVATE_DESTINATIONS = "1";
    resetConfigForTests();
    setDestinationResolver(null);
  });

  it.each(rejectedEverywhere)("rejects %s at creation", async (url, reason) => {
    const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url, events: ["finding.created"] } });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].field).toBe("url");
    expect(response.body.errors[0].message).toMatch(reason);
  });

  it.each(rejectedEverywhere)("rejects %s as a change", async (url, reason) => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "https://hooks.example.com/wvk", events: ["finding.created"] } });
    expect(created.status).toBe(201);
    const changed = await api("PATCH", `/v1/webhooks/${created.body.id}`, { apiKey: tenant.apiKey, body: { url } });
    expect(changed.status).toBe(422);
    expect(changed.body.errors[0].message).toMatch(reason);
    expect((await api("GET", `/v1/webhooks/${created.body.id}`, { apiKey: tenant.apiKey })).body.url).toBe("https://hooks.example.com/wvk");
  });

  it.each([
    ["HTTPS://EXAMPLE.COM:443/wvk", "https://example.com/wvk"],
    ["  https://example.com/wvk  ", "https://example.com/wvk"],
    ["https://[2606:4700::1111]/hook", "https://[2606:4700::1111]/hook"],
  ])("accepts %s and stores %s", async (url, stored) => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url, events: ["asset.first_seen"] } });
    expect(created.status).toBe(201);
    expect(created.body.url).toBe(stored);
  });
});

describe("destination checks at delivery time (strict)", () => {
  let tenant: Tenant;
  let worker: TestWorker;
  let listener: RawServer;
  const deliveryLookups: string[] = [];

  // At delivery time every name now points inside the network: DNS rebinding after a clean registration.
  const deliveryDns: Record<string, LookupAddress[]> = {
    "rebind.example.org": [v4("169.254.169.254")],
    "mixed.example.org": [v4("127.0.0.1"), v4("10.0.0.5")],
    "loopback6.example.org": [v6("::1")],
    "alias.example.org": [v4("127.0.0.1")],
    "v6only.example.org": [v6("::ffff:10.0.0.1")],
    "169.254.169.254.wildcard-dns.test": [v4("169.254.169.254")],
  };

  beforeAll(async () => {
    tenant = await createTenant();
    listener = await startRawServer((socket) => socket.destroy());
    worker = await startTestWorker({
      http: {
        allowPrivate: false,
        resolver: async (hostname) => {
          deliveryLookups.push(hostname);
          return deliveryDns[hostname] ?? [v4("127.0.0.1")];
        },
      },
    });
  });

  afterAll(async () => {
    await worker.stop();
    await listener.close();
  });

  // Webhooks stored directly, as if registered before the policy became strict or before DNS changed.
  async function storedWebhook(url: string): Promise<string> {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "https://hooks.example.com/placeholder", events: ["finding.created"] } });
    await pool().query(`UPDATE subscriptions SET url = $2, enabled = (id = $1) WHERE organization_id = $3`, [created.body.id, url, tenant.organizationId]);
    return created.body.id;
  }

  it.each([
    `https://rebind.example.org:{port}/wvk`,
    `https://mixed.example.org:{port}/wvk`,
    `https://loopback6.example.org:{port}/wvk`,
    `https://alias.example.org:{port}/wvk`,
    `https://127.0.0.1:{port}/wvk`,
    `https://[::ffff:127.0.0.1]:{port}/wvk`,
    `http://127.0.0.1:{port}/wvk`,
    `https://localhost:{port}/wvk`,
    `https://v6only.example.org:{port}/wvk`,
    `https://169.254.169.254.wildcard-dns.test:{port}/wvk`,
  ])("blocks %s and never connects", async (template) => {
    const url = template.replace("{port}", String(listener.port));
    const webhookId = await storedWebhook(url);
    const eventId = await publish(tenant, "finding.created", "fnd_blocked");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhookId), (row) => row?.attempt_count === 1);
    const [attempt] = await attemptsOf(delivery.id);

    expect(attempt.error_class).toBe("blocked_destination");
    expect(attempt.error_detail).toMatch(/^The destination is not allowed: /);
    // The URL is the admin's own, but the addresses a name resolves to must not show.
    expect(attempt.error_detail.replace(new URL(url).hostname, "")).not.toMatch(/169\.254|10\.0\.0\.5|::1\b/);
    // A blocked destination is given up at once rather than retried for a day.
    expect(delivery).toMatchObject({ status: "failed", next_attempt_at: null });
    expect(listener.connections).toBe(0);
  });

  // Stored IP literals never reach the resolver, so the URL rules run again on every attempt.
  it.each([
    "https://2130706433:{port}/",
    "https://0x7f000001:{port}/",
    "https://0x7f.0.0.1:{port}/",
    "https://0177.0.0.1:{port}/",
    "https://017700000001:{port}/",
    "https://127.1:{port}/",
    "https://127.000.000.001:{port}/",
    "https://１２７.０.０.１:{port}/",
    "https://0:{port}/",
    "https://2852039166:{port}/",
    "https://0xA9FEA9FE:{port}/",
    "https://0251.0376.0251.0376:{port}/",
    "https://[::ffff:7f00:1]:{port}/wvk",
    "https://[0:0:0:0:0:ffff:169.254.169.254]:{port}/wvk",
    "https://[::]:{port}/wvk",
    "https://[::1]:{port}/wvk",
    "https://[::127.0.0.1]:{port}/wvk",
    "https://[fe80::1]:{port}/wvk",
    "https://[fd00::1]:{port}/wvk",
    "https://[64:ff9b::a9fe:a9fe]:{port}/wvk",
    "https://LOCALHOST.:{port}/wvk",
    "https://foo.localhost:{port}/wvk",
  ])("blocks the stored literal %s", async (template) => {
    const webhookId = await storedWebhook(template.replace("{port}", String(listener.port)));
    const lookupsBefore = deliveryLookups.length;
    const eventId = await publish(tenant, "finding.created", "fnd_literal");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhookId), (row) => row?.attempt_count === 1);
    const [attempt] = await attemptsOf(delivery.id);

    expect(attempt.error_class).toBe("blocked_destination");
    expect(attempt.error_detail).toMatch(/^The destination is not allowed: The (address|host) .+ is not allowed/);
    expect(delivery).toMatchObject({ status: "failed", next_attempt_at: null });
    expect(deliveryLookups.length).toBe(lookupsBefore);
    expect(listener.connections).toBe(0);
  });

  it("connects to the checked address", async () => {
    const lookups: string[] = [];
    const answers = [[v4("127.0.0.1")], [v4("127.0.0.2")]];
    let request = "";
    const receiver = await startRawServer((socket) => {
      socket.on("data", (chunk: Buffer) => (request += chunk.toString("latin1")));
      afterRequestHeaders(socket, () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"));
    });
    const client = createHttpClient({
      allowPrivate: true,
      resolver: async (hostname) => {
        lookups.push(hostname);
        return answers[lookups.length - 1] ?? [];
      },
    });
    try {
      const result = await client.send(`http://pinned.example.test:${receiver.port}/hook`, {}, "{}");
      expect(result).toMatchObject({ kind: "response", response: { status: 200 } });
      expect(lookups).toEqual(["pinned.example.test"]);
      // The socket goes to the checked address, but the request still names the host it was meant for.
      expect(request).toMatch(new RegExp(`\r\nhost: pinned\\.example\\.test:${receiver.port}\r\n`, "i"));
      expect(receiver.connections).toBe(1);
    } finally {
      await client.close();
      await receiver.close();
    }
  });

  it("lists a blocked delivery", async () => {
    const webhookId = await storedWebhook(`https://rebind.example.org:${listener.port}/wvk`);
    const eventId = await publish(tenant, "finding.created", "fnd_fixed");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhookId), (row) => row?.status === "failed");
    expect((await deliveryRow(delivery.id)).last_error_class).toBe("blocked_destination");
    const listed = await api("GET", `/v1/webhooks/${webhookId}/deliveries`, { apiKey: tenant.apiKey });
    expect(listed.body.data[0]).toMatchObject({ id: delivery.id, status: "failed", last_attempt: { error_class: "blocked_destination" } });
  });
});

// IPv6 forms that carry the metadata address 169.254.169.254 (lib/ip-address.ts, embeddedIpv4Addresses).
const METADATA_IN_IPV6: Array<[string, RegExp]> = [
  ["::ffff:a9fe:a9fe", /IPv4-mapped form of a link-local/],
  ["::a9fe:a9fe", /IPv4-compatible form of a link-local/],
  ["::ffff:0:a9fe:a9fe", /IPv4-translated form of a link-local/],
  ["64:ff9b::a9fe:a9fe", /NAT64 form of a link-local/],
  ["64:ff9b:1:a9fe:a9:fe00::", /local-use NAT64 form of a link-local/],
  ["64:ff9b:1::a9fe:a9fe", /local-use NAT64 form of a link-local/],
  ["2002:a9fe:a9fe::", /6to4 form of a link-local/],
  ["2001:0:4136:e378:8000:63bf:5601:5601", /Teredo form of a link-local/],
  ["2001:470:1:2:200:5efe:a9fe:a9fe", /ISATAP form of a link-local/],
];

describe("metadata addresses in the development policy", () => {
  let tenant: Tenant;
  let worker: TestWorker;
  let listener: RawServer;
  const names = new Map(METADATA_IN_IPV6.map(([address], index) => [`metadata-${index}.example.test`, address]));

  beforeAll(async () => {
    // The attempts below would connect to these addresses if the rule let them through, so it is checked first.
    for (const [address] of METADATA_IN_IPV6) expect(metadataRange(address), address).not.toBeNull();
    tenant = await createTenant();
    listener = await startRawServer((socket) => socket.destroy());
    worker = await startTestWorker({
      http: { allowPrivate: true, resolver: async (hostname) => [v6(names.get(hostname) ?? "::1")] },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await listener?.close();
  });

  it.each(METADATA_IN_IPV6)("rejects [%s] at registration", async (address, reason) => {
    const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: `http://[${address}]/latest/meta-data/`, events: ["finding.created"] } });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].field).toBe("url");
    expect(response.body.errors[0].message).toMatch(/is not allowed, even for development/);
    expect(response.body.errors[0].message).toMatch(reason);
  });

  async function storedWebhook(url: string): Promise<string> {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: `http://127.0.0.1:${listener.port}/placeholder`, events: ["finding.created"] } });
    await pool().query(`UPDATE subscriptions SET url = $2, enabled = (id = $1) WHERE organization_id = $3`, [created.body.id, url, tenant.organizationId]);
    return created.body.id;
  }

  async function attemptOf(webhookId: string) {
    const eventId = await publish(tenant, "finding.created", "fnd_metadata");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhookId), (row) => row?.attempt_count === 1);
    const [attempt] = await attemptsOf(delivery.id);
    return { delivery, attempt };
  }

  it.each(METADATA_IN_IPV6)("blocks the stored literal [%s] at delivery", async (address, reason) => {
    const { delivery, attempt } = await attemptOf(await storedWebhook(`http://[${address}]:${listener.port}/latest/meta-data/`));
    expect(attempt.error_class).toBe("blocked_destination");
    expect(attempt.error_detail).toMatch(reason);
    expect(delivery).toMatchObject({ status: "failed", next_attempt_at: null });
    expect(listener.connections).toBe(0);
  });

  it.each([...names.keys()])("blocks %s, which resolves to such an address, at delivery", async (name) => {
    const { delivery, attempt } = await attemptOf(await storedWebhook(`http://${name}:${listener.port}/latest/meta-data/`));
    expect(attempt.error_class).toBe("blocked_destination");
    expect(attempt.error_detail).toBe(`The destination is not allowed: ${name} resolves to a non-public address`);
    expect(delivery).toMatchObject({ status: "failed", next_attempt_at: null });
    expect(listener.connections).toBe(0);
  });
});
