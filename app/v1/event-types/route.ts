import { eventCatalog } from "@/lib/api/event-catalog";
import { operations } from "@/lib/api/operations";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.listEventTypes, async () => ({ data: eventCatalog(), next_cursor: null }));
