import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The folder of the catalog's JSON documents (one declared connector each). */
export const CATALOG_DIR: string = join(import.meta.dirname, "..", "catalog");

/** One catalog document as stored: validated by `@relink/server` when it loads it. */
export interface CatalogEntry {
  /** The file name, e.g. `bamboohr.json`. */
  file: string;
  document: unknown;
}

/** Every document of the catalog, in file-name order. */
export function catalogEntries(): CatalogEntry[] {
  return readdirSync(CATALOG_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((file) => ({ file, document: JSON.parse(readFileSync(join(CATALOG_DIR, file), "utf8")) }));
}
