import { describe, expect, it } from "vitest";
import { BlockedDestinationError, resolvePublicAddresses } from "./safe-lookup";

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
