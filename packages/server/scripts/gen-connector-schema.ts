/**
 * `pnpm --filter @relink/server gen:connector-schema` (or `tsx packages/server/scripts/gen-connector-schema.ts`):
 * writes `connector.schema.json`, the JSON Schema of declared connectors, from the zod schema
 * that loads them. A test fails when the file is stale.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { DeclaredConnectorSchema } from "../src/connectors/declared/schema.ts";

export const CONNECTOR_SCHEMA_FILE = resolve(import.meta.dirname, "../connector.schema.json");

export function renderConnectorSchema(): string {
  const schema = z.toJSONSchema(DeclaredConnectorSchema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(CONNECTOR_SCHEMA_FILE, renderConnectorSchema());
  console.log(`wrote ${CONNECTOR_SCHEMA_FILE}`);
}
