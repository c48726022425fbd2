import { openApiDocument } from "@/lib/api/openapi";
import { operations } from "@/lib/api/operations";
import { handle } from "@/lib/http/handler";

export const GET = handle(operations.getOpenApiDocument, async () => openApiDocument());
