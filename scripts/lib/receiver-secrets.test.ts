import { describe, expect, it } from "vitest";
import { generateSigningSecret } from "../../lib/crypto/signing-secrets";
import { collectSecrets, secretFileModeWarning, splitSecrets } from "./receiver-secrets";

const first = generateSigningSecret();
const second = generateSigningSecret();

describe("splitSecrets", () => {
  it("splits on spaces and line breaks", () => {
    expect(splitSecrets(`${first} ${second}`)).toEqual([first, second]);
    expect(splitSecrets(`${first}\n${second}\n`)).toEqual([first, second]);
    expect(splitSecrets(`${first}\r\n${second}\r\n`)).toEqual([first, second]);
    expect(splitSecrets(`  ${first}\t\t${second}  `)).toEqual([first, second]);
  });

  it("skips comment lines", () => {
    expect(splitSecrets(`# current\n${first}\n  # expires tomorrow\n${second}\n`)).toEqual([first, second]);
  });

  it("returns nothing for blank text", () => {
    expect(splitSecrets("")).toEqual([]);
    expect(splitSecrets(" \n\n\t")).toEqual([]);
  });
});

describe("collectSecrets", () => {
  it("keeps the order and drops repeats", () => {
    const secrets = collectSecrets([
      { name: "WEBHOOK_SECRETS", text: `${second} ${first}` },
      { name: "secrets.txt", text: `${first}\n` },
    ]);
    expect(secrets).toEqual([second, first]);
  });

  it("returns nothing without sources", () => {
    expect(collectSecrets([])).toEqual([]);
    expect(collectSecrets([{ name: "WEBHOOK_SECRETS", text: " " }])).toEqual([]);
  });

  it("rejects a secret without the prefix", () => {
    const mistyped = first.slice("whsec_".length);
    expect(() => collectSecrets([{ name: "secrets.txt", text: `${second}\n${mistyped}` }])).toThrow(
      "Invalid signing secret 2 of secrets.txt: expected the whsec_ prefix. Copy it again from the webhook's create or rotate response",
    );
  });

  it("rejects a truncated secret", () => {
    expect(() => collectSecrets([{ name: "WEBHOOK_SECRETS", text: first.slice(0, 20) }])).toThrow(
      "Invalid signing secret 1 of WEBHOOK_SECRETS: the key is shorter than 16 bytes",
    );
  });

  it("keeps the secret out of the error", () => {
    const truncated = first.slice(0, 20);
    let message = "";
    try {
      collectSecrets([{ name: "--secret", text: truncated }]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("--secret");
    expect(message).not.toContain(truncated);
    expect(message).not.toContain(truncated.slice("whsec_".length));
  });
});

describe("secretFileModeWarning", () => {
  it("accepts a file only its owner can read", () => {
    expect(secretFileModeWarning("secrets.txt", 0o100600)).toBeNull();
    expect(secretFileModeWarning("secrets.txt", 0o100400)).toBeNull();
    expect(secretFileModeWarning("secrets.txt", 0o100700)).toBeNull();
  });

  it("warns when the group can read the file", () => {
    expect(secretFileModeWarning("secrets.txt", 0o100640)).toBe("warning: secrets.txt can be read by other users (mode 640); run chmod 600 secrets.txt");
  });

  it("warns when anyone can read the file", () => {
    expect(secretFileModeWarning("/tmp/secrets.txt", 0o100604)).toBe(
      "warning: /tmp/secrets.txt can be read by other users (mode 604); run chmod 600 /tmp/secrets.txt",
    );
  });
});
