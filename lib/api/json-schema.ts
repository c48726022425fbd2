import { z } from "zod";

/**
 * JSON Schema (2020-12) from the zod schemas, for the OpenAPI document, the
 * event catalog and the reference pages. Three adjustments to zod's output:
 * date-time strings keep their `format` but lose zod's long equivalent
 * `pattern`, schemas of what we send (responses, event data) drop
 * `additionalProperties: false`, because fields may be added to them and
 * clients must ignore fields they do not know, and a `default` given in a
 * schema's metadata is kept on the request side (see keepDeclaredDefault).
 */
export type JsonSchema = Record<string, unknown>;

function adjust(node: unknown, open: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => adjust(item, open));
  if (node === null || typeof node !== "object") return node;
  const result: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) {
    if (key === "pattern" && (node as JsonSchema).format === "date-time") continue;
    if (key === "additionalProperties" && value === false && open) continue;
    // Property names are data, not keywords: adjust their schemas, never drop them.
    result[key] = key === "properties" || key === "$defs" ? adjustEach(value as JsonSchema, open) : adjust(value, open);
  }
  return result;
}

function adjustEach(map: JsonSchema, open: boolean): JsonSchema {
  return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, adjust(schema, open)]));
}

/**
 * Puts back the `default` that zod removes from the request side of a schema
 * that transforms, since a default is a value of the output type. A schema
 * whose output is also its documented wire form, such as a query integer
 * parsed from its digits (lib/api/schemas.ts), repeats its default in its
 * metadata, and that one is kept.
 */
function keepDeclaredDefault(context: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const declared = z.globalRegistry.get(context.zodSchema as z.ZodType)?.default;
  if (declared !== undefined) context.jsonSchema.default = declared;
}

/** Converts a zod schema; `io` picks the request (input) or response (output) side of transforms. */
export function jsonSchemaOf(schema: z.ZodType, options: { io: "input" | "output"; open: boolean }): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io: options.io,
    target: "draft-2020-12",
    unrepresentable: "any",
    override: keepDeclaredDefault,
  }) as JsonSchema;
  delete generated.$schema;
  return adjust(generated, options.open) as JsonSchema;
}
