import type { ReactNode } from "react";
import { InlineText } from "./inline-text";

/**
 * Renders a JSON Schema as a nested list of fields: name, type, whether it is
 * required, constraints and description. $ref is resolved against the given
 * definitions (the OpenAPI document's components.schemas).
 */
type Schema = Record<string, any>;

// Deeper schemas are cut off: ours nest three levels at most, and a cycle must not hang the page.
const MAX_DEPTH = 6;

function resolve(schema: Schema, definitions: Record<string, Schema>): { schema: Schema; name?: string } {
  const reference = typeof schema.$ref === "string" ? /^#\/(?:components\/schemas|\$defs)\/(.+)$/.exec(schema.$ref)?.[1] : undefined;
  if (reference && definitions[reference]) return { schema: { ...definitions[reference], ...withoutRef(schema) }, name: reference };
  return { schema };
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _reference, ...rest } = schema;
  return rest;
}

function typeLabel(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  let types: string[] = [];
  if (Array.isArray(schema.type)) types = schema.type;
  else if (schema.type) types = [schema.type];
  const label = types
    .map((type) => {
      if (type === "array") return `array of ${schema.items ? typeLabel(schema.items) : "any"}`;
      if (type === "string" && schema.format) return `string (${schema.format})`;
      return type;
    })
    .join(" or ");
  if (label) return label;
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf).map(typeLabel).join(" or ");
  if (schema.$ref) return String(schema.$ref).split("/").pop()!;
  return "any";
}

function constraints(schema: Schema): string[] {
  const notes: string[] = [];
  if (Array.isArray(schema.enum)) notes.push(`one of ${schema.enum.map((value: unknown) => JSON.stringify(value)).join(", ")}`);
  if (schema.minLength !== undefined) notes.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) notes.push(`at most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined) notes.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) notes.push(`≤ ${schema.maximum}`);
  if (schema.minItems !== undefined) notes.push(`at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) notes.push(`at most ${schema.maxItems} items`);
  if (schema.pattern !== undefined) notes.push(`matches ${schema.pattern}`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes;
}

function objectOf(schema: Schema): Schema | undefined {
  if (schema.properties) return schema;
  if (schema.type === "array" && schema.items?.properties) return schema.items;
  return undefined;
}

function Fields({ schema, definitions, depth }: { schema: Schema; definitions: Record<string, Schema>; depth: number }): ReactNode {
  const required = new Set<string>(schema.required ?? []);
  return (
    <ul className="divide-y divide-slate-100 border-l-2 border-slate-200 pl-4">
      {Object.entries(schema.properties as Record<string, Schema>).map(([name, raw]) => {
        const { schema: property } = resolve(raw, definitions);
        const nested = depth < MAX_DEPTH ? objectOf(resolveItems(property, definitions)) : undefined;
        const variants = property.oneOf ?? property.anyOf;
        return (
          <li key={name} className="py-2">
            <div className="flex flex-wrap items-baseline gap-x-2">
              <code className="font-mono text-sm font-semibold text-slate-900">{name}</code>
              <span className="text-xs text-slate-500">{typeLabel(property)}</span>
              {required.has(name) ? <span className="text-xs font-medium text-rose-700">required</span> : <span className="text-xs text-slate-400">optional</span>}
            </div>
            {property.description ? (
              <div className="mt-1 text-sm text-slate-700">
                <InlineText text={property.description} />
              </div>
            ) : null}
            {constraints(property).length > 0 ? <div className="mt-1 text-xs text-slate-500">{constraints(property).join(" · ")}</div> : null}
            {nested ? (
              <div className="mt-2">
                <Fields schema={nested} definitions={definitions} depth={depth + 1} />
              </div>
            ) : null}
            {!nested && Array.isArray(variants) && depth < MAX_DEPTH ? <Variants variants={variants} definitions={definitions} depth={depth + 1} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

function resolveItems(schema: Schema, definitions: Record<string, Schema>): Schema {
  if (schema.type === "array" && schema.items) return { ...schema, items: resolve(schema.items, definitions).schema };
  return schema;
}

function Variants({ variants, definitions, depth }: { variants: Schema[]; definitions: Record<string, Schema>; depth: number }) {
  return (
    <div className="mt-2 space-y-3">
      {variants.map((variant, index) => {
        const { schema, name } = resolve(variant, definitions);
        return (
          <details key={index} className="rounded border border-slate-200 bg-white p-3">
            <summary className="cursor-pointer text-sm font-medium text-slate-800">{schema.title ?? name ?? `Variant ${index + 1}`}</summary>
            <div className="mt-2">
              <SchemaView schema={schema} definitions={definitions} depth={depth} />
            </div>
          </details>
        );
      })}
    </div>
  );
}

/** Renders one schema: its fields when it is an object, its variants when it is a union, else its type. */
export function SchemaView({ schema: raw, definitions = {}, depth = 0 }: { schema: Schema; definitions?: Record<string, Schema>; depth?: number }) {
  const { schema } = resolve(raw, definitions);
  const object = objectOf(resolveItems(schema, definitions));
  if (object) {
    return (
      <div>
        {schema.type === "array" ? <p className="mb-2 text-sm text-slate-600">An array of objects with these fields:</p> : null}
        <Fields schema={object} definitions={definitions} depth={depth} />
      </div>
    );
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants) && depth < MAX_DEPTH) {
    return (
      <div>
        <p className="text-sm text-slate-600">One of these shapes, chosen by its fields:</p>
        <Variants variants={variants} definitions={definitions} depth={depth + 1} />
      </div>
    );
  }
  return <p className="text-sm text-slate-700">{typeLabel(schema)}</p>;
}
