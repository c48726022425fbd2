import type { LookupAddress } from "node:dns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPublicAddress } from "../../tests/support/public-address-oracle";
import { BlockedDestinationError, resolvePublicAddresses, safeLookup } from "./safe-lookup";

/**
 * Properties of the connect-time check on generated DNS answers: whatever a
 * resolver returns, the HTTP client only ever gets public addresses, exactly
 * the ones that were checked. The resolver is a fake, so no DNS is queried.
 */
const SEED = 20261204;

const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom("127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "fe80::1", "fd00::1", "64:ff9b::a9fe:a9fe", "0.0.0.0", "8.8.8.8", "2606:4700::1111", "not-an-address", ""),
);
const answer = address.map((text): LookupAddress => ({ address: text, family: text.includes(":") ? 6 : 4 }));
const answers = fc.array(answer, { maxLength: 6 });

describe("resolvePublicAddresses properties", () => {
  it("returns only public addresses, and only when every answer is public", async () => {
    await fc.assert(
      fc.asyncProperty(answers, async (list) => {
        const resolved = resolvePublicAddresses("receiver.example.com", { allowPrivate: false, resolver: async () => list }).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const outcome = await resolved;
        const allPublic = list.length > 0 && list.every((entry) => isPublicAddress(entry.address));
        expect(outcome.ok, JSON.stringify(list)).toBe(allPublic);
        if (outcome.ok) expect(outcome.value).toEqual(list);
        else if (list.length > 0) expect(outcome.error).toBeInstanceOf(BlockedDestinationError);
      }),
      { numRuns: 1000, seed: SEED },
    );
  });

  it("never names the address it blocked", async () => {
    await fc.assert(
      fc.asyncProperty(answers.filter((list) => list.some((entry) => !isPublicAddress(entry.address) && entry.address.length > 3)), async (list) => {
        const error = await resolvePublicAddresses("internal.example.com", { allowPrivate: false, resolver: async () => list }).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(BlockedDestinationError);
        for (const entry of list) if (entry.address.length > 3) expect((error as Error).message).not.toContain(entry.address);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe("safeLookup properties", () => {
  it("hands the socket exactly the checked addresses", async () => {
    await fc.assert(
      fc.asyncProperty(answers, fc.boolean(), async (list, all) => {
        const lookup = safeLookup({ allowPrivate: false, resolver: async () => list });
        const result = await new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) =>
          lookup("receiver.example.com", { all }, (error, value) => resolve({ error, address: value })),
        );
        if (result.error) return;
        const given = Array.isArray(result.address) ? result.address.map((entry) => entry.address) : [result.address];
        for (const text of given) expect(isPublicAddress(text), text).toBe(true);
        expect(given).toEqual(all ? list.map((entry) => entry.address) : [list[0]!.address]);
      }),
      { numRuns: 1000, seed: SEED },
    );
  });
});

function resolvingTo(...addresses: string[]) {
  return async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
}

describe("resolvePublicAddresses", () => {
  it("rejects a name with any non-public answer", async () => {
    const resolver = resolvingTo("93.184.215.14", "10.0.0.5");
    await expect(resolvePublicAddresses("mixed.example.com", { allowPrivate: false, resolver })).rejects.toBeInstanceOf(BlockedDestinationError);
  });

  it("lets private answers through in the development policy", async () => {
    const answers = await resolvePublicAddresses("dev.example.com", { allowPrivate: true, resolver: resolvingTo("127.0.0.1", "10.0.0.5") });
    expect(answers.map((answer) => answer.address)).toEqual(["127.0.0.1", "10.0.0.5"]);
  });

  it.each(["169.254.169.254", "fd00:ec2::254", "fe80::1"])("rejects metadata address %s in development", async (address) => {
    const resolver = resolvingTo(address);
    await expect(resolvePublicAddresses("metadata.example.com", { allowPrivate: true, resolver })).rejects.toBeInstanceOf(BlockedDestinationError);
  });
});
