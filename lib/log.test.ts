import { afterEach, describe, expect, it } from "vitest";
import { logger, redirectLogs } from "./log";

describe("logger", () => {
  afterEach(() => redirectLogs(null));

  it("drops a failed connection's settings from errors", () => {
    const lines: string[] = [];
    redirectLogs({ write: (line) => lines.push(line) });
    // The shape pg-pool gives an idle connection's error: the client rides along, with the password in its settings.
    const error = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
      client: { password: "db-password-1", connectionParameters: { host: "127.0.0.1", password: "db-password-1" } },
    });
    logger.warn({ err: error }, "idle database connection failed");

    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(entry.err.message).toBe("terminating connection due to administrator command");
    expect(entry.err.code).toBe("57P01");
    expect(entry.err.client).toBeUndefined();
    expect(lines[0]).not.toContain("db-password-1");
  });
});
