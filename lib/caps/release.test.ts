import { describe, expect, it } from "vitest";
import { changeReleasesHeldByCap } from "./release";

describe("changeReleasesHeldByCap", () => {
  const cases = [
    { name: "enabling", change: { enabledBefore: false, enabledAfter: true, capChanged: false }, releases: true },
    { name: "enabling with a new cap", change: { enabledBefore: false, enabledAfter: true, capChanged: true }, releases: true },
    { name: "a new cap while enabled", change: { enabledBefore: true, enabledAfter: true, capChanged: true }, releases: true },
    { name: "a new cap while disabled", change: { enabledBefore: false, enabledAfter: false, capChanged: true }, releases: false },
    { name: "disabling with a new cap", change: { enabledBefore: true, enabledAfter: false, capChanged: true }, releases: false },
    { name: "another change while enabled", change: { enabledBefore: true, enabledAfter: true, capChanged: false }, releases: false },
    { name: "another change while disabled", change: { enabledBefore: false, enabledAfter: false, capChanged: false }, releases: false },
  ];

  for (const { name, change, releases } of cases) {
    it(`${releases ? "releases" : "keeps held"} on ${name}`, () => {
      expect(changeReleasesHeldByCap(change)).toBe(releases);
    });
  }
});
