import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateSigningSecret } from "../../lib/crypto/signing-secrets";
import { newId } from "../../lib/ids";
import { signedHeaders } from "../../lib/signing";
import {
  commandLinesOfProcessTree,
  type RunningReferenceReceiver,
  runReferenceReceiverToExit,
  startReferenceReceiver,
} from "../support/reference-receiver";

/**
 * The reference receiver (`npm run receiver`) takes its signing secrets from
 * WEBHOOK_SECRETS, from a file or from standard input, keeps them off its
 * command line, and still accepts --secret with a warning. Each case sends it
 * deliveries signed by lib/signing.ts over loopback.
 */
const COMMAND_LINE_WARNING = "warning: --secret puts the signing secret on the command line";

async function deliver(url: string, secret: string, deliveryId = newId("delivery")): Promise<{ status: number; deliveryId: string }> {
  const body = JSON.stringify({ type: "finding.escalated", data: { finding_id: "fnd_456", severity: "critical" } });
  const headers = signedHeaders({ deliveryId, eventType: "finding.escalated", timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] });
  const response = await fetch(url, { method: "POST", headers, body });
  await response.arrayBuffer();
  return { status: response.status, deliveryId };
}

describe("reference receiver", () => {
  const current = generateSigningSecret();
  const previous = generateSigningSecret();
  const unknown = generateSigningSecret();
  let directory: string;
  let receiver: RunningReferenceReceiver | undefined;

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), "wvk-reference-receiver-"));
  });

  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("reads WEBHOOK_SECRETS", async () => {
    receiver = await startReferenceReceiver({ env: { WEBHOOK_SECRETS: current } });

    const accepted = await deliver(receiver.url, current);
    expect(accepted.status).toBe(204);
    expect(await receiver.waitForPrinted(1)).toEqual([
      { delivery: accepted.deliveryId, verified: true, event: { type: "finding.escalated", data: { finding_id: "fnd_456", severity: "critical" } } },
    ]);
    expect((await deliver(receiver.url, unknown)).status).toBe(401);
    expect(receiver.stderr()).toContain("with 1 secret(s)");
    expect(receiver.stderr()).not.toContain("warning");
  });

  // /proc, which shows every process's command line, is Linux's.
  it.skipIf(process.platform !== "linux")("keeps secrets off the command line", async () => {
    receiver = await startReferenceReceiver({ env: { WEBHOOK_SECRETS: `${current} ${previous}` } });

    const commandLines = commandLinesOfProcessTree(receiver.pid);
    expect(commandLines.some((line) => line.includes("scripts/receiver.ts"))).toBe(true);
    for (const line of commandLines) {
      expect(line).not.toContain(current);
      expect(line).not.toContain(previous);
    }
  });

  it("accepts both secrets of a rotation", async () => {
    receiver = await startReferenceReceiver({ env: { WEBHOOK_SECRETS: `${current} ${previous}` } });

    expect((await deliver(receiver.url, current)).status).toBe(204);
    expect((await deliver(receiver.url, previous)).status).toBe(204);
    expect(await receiver.waitForPrinted(2)).toHaveLength(2);
    expect(receiver.stderr()).toContain("with 2 secret(s)");
  });

  it("reads a secret file", async () => {
    const file = path.join(directory, "rotation.txt");
    writeFileSync(file, `# new secret\n${current}\n# old secret, valid until tomorrow\n${previous}\n`);
    chmodSync(file, 0o600);
    receiver = await startReferenceReceiver({ args: ["--secret-file", file] });

    expect((await deliver(receiver.url, current)).status).toBe(204);
    expect((await deliver(receiver.url, previous)).status).toBe(204);
    expect((await deliver(receiver.url, unknown)).status).toBe(401);
    expect(receiver.stderr()).not.toContain("warning");
  });

  it("warns about a readable secret file", async () => {
    const file = path.join(directory, "readable.txt");
    writeFileSync(file, `${current}\n`);
    chmodSync(file, 0o644);
    receiver = await startReferenceReceiver({ args: ["--secret-file", file] });

    expect(receiver.stderr()).toContain(`warning: ${file} can be read by other users (mode 644); run chmod 600 ${file}`);
    expect((await deliver(receiver.url, current)).status).toBe(204);
  });

  it("reads standard input", async () => {
    receiver = await startReferenceReceiver({ args: ["--secret-file", "-"], stdin: `${current}\n` });

    expect((await deliver(receiver.url, current)).status).toBe(204);
    expect((await deliver(receiver.url, unknown)).status).toBe(401);
  });

  it("combines the sources", async () => {
    const file = path.join(directory, "combined.txt");
    writeFileSync(file, `${previous}\n`);
    chmodSync(file, 0o600);
    receiver = await startReferenceReceiver({ env: { WEBHOOK_SECRETS: current }, args: ["--secret-file", file] });

    expect((await deliver(receiver.url, current)).status).toBe(204);
    expect((await deliver(receiver.url, previous)).status).toBe(204);
    expect(receiver.stderr()).toContain("with 2 secret(s)");
  });

  it("still accepts --secret, with a warning", async () => {
    receiver = await startReferenceReceiver({ args: ["--secret", current] });

    expect(receiver.stderr()).toContain(COMMAND_LINE_WARNING);
    expect(receiver.stderr()).toContain("Set WEBHOOK_SECRETS or pass --secret-file instead");
    expect((await deliver(receiver.url, current)).status).toBe(204);
    // The exposure the warning describes, which the command line check above would detect.
    if (process.platform === "linux") expect(commandLinesOfProcessTree(receiver.pid).some((line) => line.includes(current))).toBe(true);
  });

  it("acknowledges a duplicate without printing it", async () => {
    receiver = await startReferenceReceiver({ env: { WEBHOOK_SECRETS: current } });

    const first = await deliver(receiver.url, current);
    const again = await deliver(receiver.url, current, first.deliveryId);
    expect(first.status).toBe(204);
    expect(again.status).toBe(200);
    await receiver.waitForStderr(JSON.stringify({ duplicate: first.deliveryId, verified: true }));
    expect(await receiver.waitForPrinted(1)).toHaveLength(1);
  });

  it("answers --status after verifying", async () => {
    receiver = await startReferenceReceiver({ env: { WEBHOOK_SECRETS: current }, args: ["--status", "500"] });

    const answered = await deliver(receiver.url, current);
    expect(answered.status).toBe(500);
    expect((await receiver.waitForPrinted(1))[0]!.delivery).toBe(answered.deliveryId);
  });

  it("exits without a secret", async () => {
    const result = await runReferenceReceiverToExit({});

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Missing signing secret: set WEBHOOK_SECRETS=whsec_..., or pass --secret-file PATH");
  });

  it("exits on a mistyped secret without showing it", async () => {
    const truncated = current.slice(0, 20);
    const result = await runReferenceReceiverToExit({ env: { WEBHOOK_SECRETS: `${previous} ${truncated}` } });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Invalid signing secret 2 of WEBHOOK_SECRETS: the key is shorter than 16 bytes");
    expect(result.stderr).not.toContain(truncated);
    expect(result.stderr).not.toContain(previous);
  });

  it("prints its usage for --help", async () => {
    const result = await runReferenceReceiverToExit({ args: ["--help"] });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm run receiver -- [options]");
    expect(result.stdout).toContain("--secret-file PATH");
    expect(result.stderr).toBe("");
  });

  it("names an unknown option in one line", async () => {
    const result = await runReferenceReceiverToExit({ env: { WEBHOOK_SECRETS: current }, args: ["--verbose"] });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("Unknown option --verbose: run with --help to list the options\n");
    expect(result.stdout).toBe("");
  });

  it("exits on a missing secret file", async () => {
    const file = path.join(directory, "absent.txt");
    const result = await runReferenceReceiverToExit({ args: ["--secret-file", file] });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Failed to read --secret-file ${file}: ENOENT`);
  });
});
