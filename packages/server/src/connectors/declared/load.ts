import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DeclaredConnector, DeclaredConnectorSchema } from "./schema.ts";

/** A declared connector that cannot be used: which file, where in it, and why. */
export class DeclaredConnectorError extends Error {
  override name = "DeclaredConnectorError";
  constructor(
    readonly file: string,
    /** The JSON path of the first problem, like `$.auth.token_url` (`$` for the whole document). */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}: ${path}: ${problem}`);
  }
}

/** `$.models[0].fields[2].permission` from a zod issue path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === "number"
        ? `${out}[${key}]`
        : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(key))
          ? `${out}.${String(key)}`
          : `${out}[${JSON.stringify(String(key))}]`,
    "$",
  );
}

/** Validates one document; `file` names it in the error. */
export function parseDeclaredConnector(value: unknown, file: string): DeclaredConnector {
  const parsed = DeclaredConnectorSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DeclaredConnectorError(file, jsonPath(issue?.path ?? []), issue?.message ?? "invalid");
}

/** Reads and validates one JSON file. */
export function readDeclaredConnector(file: string): DeclaredConnector {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DeclaredConnectorError(file, "$", `not readable JSON (${(error as Error).message})`);
  }
  return parseDeclaredConnector(value, file);
}

/** Every `*.json` of a folder (`RELINK_CONNECTORS_DIR`), in name order; the first invalid one throws. */
export function readConnectorsDir(dir: string): DeclaredConnector[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .sort();
  } catch (error) {
    throw new DeclaredConnectorError(
      dir,
      "$",
      `the folder cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return names.map((name) => readDeclaredConnector(join(dir, name)));
}
