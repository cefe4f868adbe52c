import type { Migration, MigrationProvider } from "kysely/migration";
import * as m0001 from "./0001_initial.ts";

/** Every migration, listed in code so they work bundled and in tests. Append; never reorder. */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
