import { z } from "zod";
import { describe, expect, it } from "vitest";
import { fieldErrors } from "./field-errors";

const schema = z.strictObject({
  events: z.array(z.enum(["finding.created", "asset.first_seen"])).min(1).max(2),
  name: z.string().min(2).max(3).regex(/^[a-z]+$/),
});

function errorsOf(value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected the value to be invalid");
  return fieldErrors(result.error);
}

describe("fieldErrors", () => {
  it("reports only the type error of a string sent for an array", () => {
    expect(errorsOf({ events: "finding.created", name: "ab" })).toEqual([{ field: "events", message: "Invalid input: expected array, received string" }]);
  });

  it("keeps the other fields' errors", () => {
    const errors = errorsOf({ events: "finding.created", name: "abcd" });
    expect(errors.map((error) => error.field)).toEqual(["events", "name"]);
  });

  it("keeps several errors of a field of the right type", () => {
    expect(errorsOf({ events: ["finding.created"], name: "1" }).map((error) => error.field)).toEqual(["name", "name"]);
  });

  it("names each unknown field", () => {
    expect(errorsOf({ events: ["finding.created"], name: "ab", retries: 1, colour: "red" })).toEqual([
      { field: "retries", message: 'Unknown field "retries": remove it or check its spelling' },
      { field: "colour", message: 'Unknown field "colour": remove it or check its spelling' },
    ]);
  });

  it("puts the prefix before each path", () => {
    const result = z.object({ limit: z.number() }).safeParse({ limit: "x" });
    expect(fieldErrors(result.error!, "query")).toEqual([{ field: "query/limit", message: "Invalid input: expected number, received string" }]);
  });
});
