import type { z } from "zod";
import type { FieldError } from "./problem";

/**
 * Turns a failed schema check into the field errors of a 422. A field whose
 * type is wrong gets only that message. zod also runs some of a field's other
 * checks on a value of the wrong type, such as an array's maximum length on a
 * string, and their messages would describe a value the caller never sent.
 */
export function fieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  const pathOf = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join("/");
  const wrongType = new Set(error.issues.filter((issue) => issue.code === "invalid_type").map((issue) => pathOf(issue.path)));
  const issues = error.issues.filter((issue) => issue.code === "invalid_type" || !wrongType.has(pathOf(issue.path)));
  return issues.flatMap((issue) =>
    // One entry per unknown field, named by its own path, so a script can point at each.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: pathOf([...issue.path, key]), message: `Unknown field "${key}": remove it or check its spelling` }))
      : [{ field: pathOf(issue.path), message: issue.message }],
  );
}
