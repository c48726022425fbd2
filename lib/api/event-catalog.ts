import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES } from "../events/catalog";
import { exampleEnvelope } from "../events/examples";
import { orderingKey } from "../events/ordering";
import { EVENT_DEFINITIONS } from "../events/schemas";
import { jsonSchemaOf } from "./json-schema";

/** Builds the entries of GET /v1/event-types and of the /docs/events page. */
export function eventCatalog() {
  return EVENT_DEFINITIONS.map((definition) => {
    const info = EVENT_TYPES.find((candidate) => candidate.type === definition.type)!;
    return {
      type: definition.type,
      area: info.area,
      summary: info.summary,
      fires_when: definition.firesWhen,
      subject: info.subjectKind,
      ordered: orderingKey(definition.type, "x") !== null,
      subscribable: (SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(definition.type),
      data_schema: { $schema: "https://json-schema.org/draft/2020-12/schema", ...jsonSchemaOf(definition.data, { io: "input", open: true }) },
      example: JSON.parse(exampleEnvelope(definition.type)) as Record<string, unknown>,
    };
  });
}
