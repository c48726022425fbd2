import { DatabaseError } from "pg-protocol";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-errors";

function postgresError(code: string, message = "server error"): DatabaseError {
  const error = new DatabaseError(message, message.length, "error");
  error.code = code;
  return error;
}

function socketError(code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`connect ${code} 127.0.0.1:5432`);
  error.code = code;
  return error;
}

describe("isDatabaseUnavailable", () => {
  it.each([
    ["refused connection", socketError("ECONNREFUSED")],
    ["reset connection", socketError("ECONNRESET")],
    ["administrator shutdown", postgresError("57P01", "terminating connection due to administrator command")],
    ["server starting up", postgresError("57P03", "the database system is starting up")],
    ["crash reset", postgresError("57P02")],
    ["connection exception class", postgresError("08006")],
    ["too many connections", postgresError("53300")],
    ["terminated connection", new Error("Connection terminated unexpectedly")],
    ["broken client", new Error("Client has encountered a connection error and is not queryable")],
    ["pool connect timeout", new Error("timeout exceeded when trying to connect")],
  ])("accepts a %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("accepts outages wrapped by Prisma", () => {
    const adapterError = Object.assign(new Error("DriverAdapterError"), { cause: { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 } });
    const known = Object.assign(new Error("Can't reach database server"), { code: "P1001", meta: { driverAdapterError: adapterError } });
    expect(isDatabaseUnavailable(known)).toBe(true);
    const viaMeta = Object.assign(new Error("query failed"), { code: "P2010", meta: { driverAdapterError: adapterError } });
    expect(isDatabaseUnavailable(viaMeta)).toBe(true);
    const postgresKind = Object.assign(new Error("DriverAdapterError"), { cause: { kind: "postgres", code: "57P01", message: "terminating connection" } });
    expect(isDatabaseUnavailable(postgresKind)).toBe(true);
  });

  it("accepts an outage inside an AggregateError", () => {
    expect(isDatabaseUnavailable(new AggregateError([socketError("ECONNREFUSED"), socketError("ECONNREFUSED")]))).toBe(true);
  });

  it.each([
    ["unique violation", postgresError("23505")],
    ["syntax error", postgresError("42601")],
    ["serialization failure", postgresError("40001")],
    ["plain error", new Error("Something else failed")],
    ["Prisma record not found", Object.assign(new Error("not found"), { code: "P2025" })],
    ["string", "ECONNREFUSED"],
    ["null", null],
  ])("rejects a %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("stops at a cycle of causes", () => {
    const first: Error & { cause?: unknown } = new Error("first");
    const second = new Error("second", { cause: first });
    first.cause = second;
    expect(isDatabaseUnavailable(first)).toBe(false);
  });
});
