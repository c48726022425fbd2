import { describe, expect, it } from "vitest";
import { parseReceiverArguments, RECEIVER_USAGE } from "./receiver-arguments";

describe("parseReceiverArguments", () => {
  it("fills in the defaults", () => {
    expect(parseReceiverArguments([])).toEqual({
      kind: "run",
      options: { secrets: [], secretFiles: [], port: 4000, host: "127.0.0.1", toleranceSeconds: 300, forcedStatus: null },
    });
  });

  it("reads every option", () => {
    const parsed = parseReceiverArguments([
      "--port", "0", "--host", "::1", "--secret-file", "a.txt", "--secret-file=-", "--secret", "whsec_x", "--tolerance", "60", "--status", "503",
    ]);
    expect(parsed).toEqual({
      kind: "run",
      options: { secrets: ["whsec_x"], secretFiles: ["a.txt", "-"], port: 0, host: "::1", toleranceSeconds: 60, forcedStatus: 503 },
    });
  });

  it("keeps the last of a repeated option", () => {
    expect(parseReceiverArguments(["--port", "1", "--port", "2"])).toMatchObject({ kind: "run", options: { port: 2 } });
  });

  it.each([["--help"], ["-h"], ["--port", "0", "--help"], ["--help", "--bogus"]])("returns help for %j", (...args) => {
    expect(parseReceiverArguments(args)).toEqual({ kind: "help" });
  });

  it.each([
    [["--bogus"], "Unknown option --bogus: run with --help to list the options"],
    [["-x"], "Unknown option -x: run with --help to list the options"],
    [["--secret-files", "a"], "Unknown option --secret-files: run with --help to list the options"],
    [["4000"], 'Unexpected argument "4000": run with --help to list the options'],
    [["--help=yes"], "--help takes no value"],
    [["--port"], 'Missing value for --port: write --port VALUE, or --port=VALUE for a value that starts with "-"'],
    [["--port", "--host", "::1"], 'Missing value for --port: write --port VALUE, or --port=VALUE for a value that starts with "-"'],
    [["--port", "http"], 'Invalid --port "http": expected a whole number from 0 to 65535'],
    [["--port", "65536"], 'Invalid --port "65536": expected a whole number from 0 to 65535'],
    [["--port", "0x10"], 'Invalid --port "0x10": expected a whole number from 0 to 65535'],
    [["--tolerance", "5m"], 'Invalid --tolerance "5m": expected a whole number of seconds'],
    [["--status", "abc"], 'Invalid --status "abc": expected an HTTP status from 200 to 599'],
    [["--status", "100"], 'Invalid --status "100": expected an HTTP status from 200 to 599'],
  ])("rejects %j", (args, message) => {
    expect(parseReceiverArguments(args)).toEqual({ kind: "invalid", message });
  });

  it("takes - as the value of --secret-file", () => {
    expect(parseReceiverArguments(["--secret-file", "-"])).toMatchObject({ kind: "run", options: { secretFiles: ["-"] } });
  });

  it("takes a value starting with - after =", () => {
    expect(parseReceiverArguments(["--secret-file=-secrets.txt"])).toMatchObject({ kind: "run", options: { secretFiles: ["-secrets.txt"] } });
  });
});

describe("RECEIVER_USAGE", () => {
  it.each(["--port", "--host", "--secret-file", "--secret", "--tolerance", "--status", "-h, --help", "WEBHOOK_SECRETS"])("names %s", (option) => {
    expect(RECEIVER_USAGE).toContain(option);
  });
});
