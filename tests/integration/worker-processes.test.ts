import type { ServerResponse } from "node:http";
import { TestClock } from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { installQueue } from "../../lib/dispatch/queue";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../support/receiver";
import { startTcpProxy } from "../support/tcp-proxy";
import { startTestWorker } from "../support/worker";
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from "../support/worker-process";

// Short enough that a dead worker's jobs come back within seconds, and still twice the attempt timeout.
const WORKER_ENV = { WVK_JOB_EXPIRY_SECONDS: "4", WVK_ATTEMPT_TIMEOUT_SECONDS: "2" };

const countBy = (items: string[]) => items.reduce((counts, item) => counts.set(item, (counts.get(item) ?? 0) + 1), new Map<string, number>());
const deliveryIdOf = (request: ReceivedRequest) => request.headers["wasviking-delivery"] as string;

describe("worker processes", () => {
  const workers: WorkerProcess[] = [];
  let receiver: TestReceiver;
  let tenant: Tenant;

  async function worker(env: Record<string, string> = {}, databaseUrl = process.env.DATABASE_URL!): Promise<WorkerProcess> {
    const started = await startWorkerProcess(databaseUrl, { ...WORKER_ENV, ...env });
    workers.push(started);
    return started;
  }

  beforeAll(async () => {
    process.env.WVK_JOB_EXPIRY_SECONDS = WORKER_ENV.WVK_JOB_EXPIRY_SECONDS;
    await installQueue();
    delete process.env.WVK_JOB_EXPIRY_SECONDS;
    receiver = await startReceiver();
  });

  afterEach(async () => {
    for (const started of workers.splice(0)) await stopWorkerProcess(started);
    await receiver.close();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.close();
  });

  it("recovers from SIGKILL mid-attempt", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const held: ServerResponse[] = [];
    receiver.respond((_request, response) => held.push(response));
    const first = await worker();
    const events: string[] = [];
    for (let index = 0; index < 5; index++) events.push(await publish(tenant, "finding.created", `fnd_kill_${index}`));
    await receiver.waitForRequests(5);

    first.kill("SIGKILL");
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
    for (const response of held) response.destroy();
    const killedIds = receiver.requests.map(deliveryIdOf);

    // The one that fails after the restart shows which retry step it is on.
    const failing = (await deliveryOf(events[0]!, webhook.id)).id;
    receiver.respond((request, response) => response.writeHead(deliveryIdOf(request) === failing ? 500 : 200).end());
    await worker();
    await receiver.waitForRequests(10, 20_000);

    const counts = countBy(receiver.requests.map(deliveryIdOf));
    expect([...counts.values()]).toEqual([2, 2, 2, 2, 2]);
    expect(new Set(receiver.requests.slice(5).map(deliveryIdOf))).toEqual(new Set(killedIds));
    for (const eventId of events.slice(1)) {
      const row = await waitUntil(() => deliveryOf(eventId, webhook.id), (value) => value.status === "succeeded");
      // The attempt cut short by the crash was never recorded and never counted.
      expect(row.attempt_count).toBe(1);
    }
    const retrying = await waitUntil(() => deliveryRow(failing), (row) => row.status === "retrying");
    const [attempt] = await attemptsOf(failing);
    expect(retrying.attempt_count).toBe(1);
    expect(attempt.number).toBe(1);
    // Still the first retry step (1 min plus at most 10 % jitter), not the second.
    const wait = retrying.next_attempt_at.getTime() - attempt.started_at.getTime();
    expect(wait).toBeGreaterThanOrEqual(60_000);
    expect(wait).toBeLessThan(66_000);
  });

  it("drains in-flight attempts on SIGTERM", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    let answeredAt = 0;
    receiver.respond((_request, response) =>
      setTimeout(() => {
        answeredAt = Date.now();
        response.writeHead(200).end();
      }, 1000),
    );
    const running = await worker();
    const events: string[] = [];
    for (let index = 0; index < 3; index++) events.push(await publish(tenant, "finding.created", `fnd_term_${index}`));
    await receiver.waitForRequests(3);

    running.kill("SIGTERM");
    const exit = await running.exited;
    const exitedAt = Date.now();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt).toBeGreaterThanOrEqual(answeredAt);
    for (const eventId of events) {
      expect(await deliveryOf(eventId, webhook.id)).toMatchObject({ status: "succeeded", attempt_count: 1 });
    }
    const stopping = running.logs.find((entry) => entry.msg === "worker stopping: finishing attempts in flight");
    expect(stopping).toMatchObject({ signal: "SIGTERM", inFlight: 3 });
    expect(running.logs.at(-1)!.msg).toBe("worker stopped");
    expect(receiver.requests).toHaveLength(3);
  });

  it("sends each attempt once with two workers", async () => {
    tenant = await createTenant();
    const receivers = [receiver, await startReceiver(), await startReceiver()];
    expect(receiver.requests).toHaveLength(0);
    const inFlight = new Map<string, number>();
    let maxConcurrentPerDelivery = 0;
    for (const each of receivers) {
      each.respond((request, response) => {
        const id = deliveryIdOf(request);
        inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
        maxConcurrentPerDelivery = Math.max(maxConcurrentPerDelivery, inFlight.get(id)!);
        setTimeout(() => {
          inFlight.set(id, inFlight.get(id)! - 1);
          response.writeHead(200).end();
        }, 5);
      });
    }
    try {
      for (const each of receivers) await createWebhook(tenant, each.url, ["asset.first_seen"]);
      const one = await worker();
      const two = await worker();
      for (let index = 0; index < 150; index++) await publish(tenant, "asset.first_seen", `ast_${index % 40}`);

      const all = () => receivers.flatMap((each) => each.requests);
      await waitUntil(async () => all().length, (count) => count >= 450, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const counts = countBy(all().map(deliveryIdOf));
      expect(counts.size).toBe(450);
      expect(Math.max(...counts.values())).toBe(1);
      expect(maxConcurrentPerDelivery).toBe(1);
      const recorded = (started: WorkerProcess) => started.logs.filter((entry) => entry.msg === "attempt recorded").length;
      // The workers' log lines come through pipes and may trail the requests on a busy machine.
      await waitUntil(async () => recorded(one) + recorded(two), (count) => count >= 450, 30_000);
      expect(recorded(one) + recorded(two)).toBe(450);
      expect(recorded(one)).toBeGreaterThan(0);
      expect(recorded(two)).toBeGreaterThan(0);
    } finally {
      await receivers[1]!.close();
      await receivers[2]!.close();
    }
  });

  it("survives a database outage", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const target = new URL(process.env.DATABASE_URL!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const throughProxy = new URL(target);
    throughProxy.hostname = "127.0.0.1";
    throughProxy.port = String(proxy.port);
    try {
      const running = await worker({}, throughProxy.toString());
      const before = await publish(tenant, "finding.created", "fnd_db_1");
      await waitUntil(() => deliveryOf(before, webhook.id), (row) => row?.status === "succeeded");

      // An answer that arrives while the database is away is recorded once it is back, without sending again.
      let release: (() => void) | undefined;
      receiver.respond((_request, response) => (release = () => response.writeHead(200).end()));
      const during = await publish(tenant, "finding.created", "fnd_db_2");
      await receiver.waitForRequests(2);
      proxy.cut();
      release!();
      const whileDown = await publish(tenant, "finding.created", "fnd_db_3");
      receiver.respond((_request, response) => response.writeHead(200).end());
      await new Promise((resolve) => setTimeout(resolve, 2500));
      proxy.restore();

      await waitUntil(() => deliveryOf(whileDown, webhook.id), (row) => row?.status === "succeeded", 20_000);
      await waitUntil(() => deliveryOf(during, webhook.id), (row) => row?.status === "succeeded", 20_000);
      expect(countBy(receiver.requests.map(deliveryIdOf)).get((await deliveryOf(during, webhook.id)).id)).toBe(1);
      expect(running.child.exitCode).toBeNull();
      const failures = running.logs.filter((entry) => entry.msg === "fetching attempt jobs failed; retrying every poll interval");
      // Repeats are rate limited: one line for an outage of a few seconds, not one per poll.
      expect(failures.length).toBe(1);
      expect(running.logs.some((entry) => entry.msg === "fetching attempt jobs works again")).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

describe("two engines on one database", () => {
  it("share retries without duplicates", async () => {
    const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
    const one = await startTestWorker({ clock });
    const two = await startTestWorker({ clock });
    const receiver = await startReceiver();
    try {
      const tenant = await createTenant();
      const seen = new Map<string, number>();
      receiver.respond((request, response) => {
        const id = deliveryIdOf(request);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        // Every delivery fails its first attempt, so its retry is fetched by whichever engine is first.
        response.writeHead(seen.get(id) === 1 ? 500 : 200).end();
      });
      const webhook = await createWebhook(tenant, receiver.url, ["asset.first_seen"]);
      const events: string[] = [];
      for (let index = 0; index < 40; index++) events.push(await publish(tenant, "asset.first_seen", `ast_two_${index}`));
      await waitUntil(async () => receiver.requests.length, (count) => count >= 40);
      await waitUntil(async () => (await Promise.all(events.map((id) => deliveryOf(id, webhook.id)))).every((row) => row.status === "retrying"), (done) => done);
      await clock.setTime(new Date(clock.now() + 60_000));
      await waitUntil(async () => (await Promise.all(events.map((id) => deliveryOf(id, webhook.id)))).every((row) => row.status === "succeeded"), (done) => done);
      expect(receiver.requests).toHaveLength(80);
      expect([...seen.values()].every((count) => count === 2)).toBe(true);
    } finally {
      await one.stop();
      await two.stop();
      await receiver.close();
    }
  });
});
