import { readFileSync } from "node:fs";
import { z } from "zod";
import type { ConfigVariable } from "./config.ts";

/**
 * The tool settings of the configuration: relink's OAuth client at each tool, from the
 * `RELINK_TOOLS_FILE` JSON file and the `RELINK_TOOL_<ID>_CLIENT_ID` / `_CLIENT_SECRET` variables laid
 * over it (variables win). `config.ts` reads them with the other variables and re-exports the names.
 */

/** What the operator configured for one tool: relink's OAuth client at it. */
export interface ToolSettings {
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** `google-workspace` → `GOOGLE_WORKSPACE`, the form tools take in variable names. */
export const toolSettingsKey = (toolId: string) => toolId.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/** `RELINK_TOOL_<ID>_CLIENT_ID` / `_CLIENT_SECRET`: a family of variables, read by this pattern. */
export const TOOL_VARIABLE_PATTERN = /^RELINK_TOOL_([A-Z0-9_]+)_CLIENT_(ID|SECRET)$/;

/** The shape of `RELINK_TOOLS_FILE`: `{ "<tool id>": { "client_id", "client_secret" } }`. */
const filled = z
  .string()
  .trim()
  .refine((v) => v !== "");
const toolsFile = z.record(
  z.string(),
  z.object({ client_id: filled.optional(), client_secret: filled.optional() }),
);

/** `RELINK_TOOLS_FILE`: the path of the file, read and validated into settings keyed like the variables. */
export const toolsFileSettings = z.string().transform((file, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `${file} is not a readable JSON file (${(error as Error).message.split("\n")[0]})`,
    });
    return z.NEVER;
  }
  const settings = toolsFile.safeParse(parsed);
  if (!settings.success) {
    const toolId = settings.error.issues[0]?.path[0];
    ctx.addIssue({
      code: "custom",
      message:
        toolId === undefined
          ? `${file} must hold an object of tool ids`
          : `${file}: "${String(toolId)}" must be { "client_id": "…", "client_secret": "…" }`,
    });
    return z.NEVER;
  }
  return Object.fromEntries(
    Object.entries(settings.data).map(([toolId, v]) => [
      toolSettingsKey(toolId),
      {
        ...(v.client_id !== undefined ? { clientId: v.client_id } : {}),
        ...(v.client_secret !== undefined ? { clientSecret: v.client_secret } : {}),
      },
    ]),
  ) as Readonly<Record<string, ToolSettings>>;
});

/** Lays the `RELINK_TOOL_<ID>_CLIENT_ID` / `_CLIENT_SECRET` variables over the tools file's settings. */
export function withToolVariables(
  fromFile: Readonly<Record<string, ToolSettings>>,
  env: Record<string, string | undefined>,
): Readonly<Record<string, ToolSettings>> {
  const settings: Record<string, { clientId?: string; clientSecret?: string }> = {};
  for (const [key, value] of Object.entries(fromFile)) settings[key] = { ...value };
  for (const [name, value] of Object.entries(env)) {
    const match = TOOL_VARIABLE_PATTERN.exec(name);
    if (!match?.[1] || value === undefined || value.trim() === "") continue;
    const entry = settings[match[1]] ?? {};
    settings[match[1]] = entry;
    if (match[2] === "ID") entry.clientId = value.trim();
    else entry.clientSecret = value.trim();
  }
  return Object.freeze(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, Object.freeze(v)])));
}

/** The variables read by `TOOL_VARIABLE_PATTERN`, `<ID>` standing for a tool id. */
export const TOOL_VARIABLES: readonly ConfigVariable[] = [
  {
    name: "RELINK_TOOL_<ID>_CLIENT_ID",
    default: null,
    description:
      "relink's OAuth client id at a catalog tool that signs in with OAuth; `<ID>` is the tool id in capitals with `_` for `-` (`RELINK_TOOL_GOOGLE_WORKSPACE_CLIENT_ID`).",
  },
  {
    name: "RELINK_TOOL_<ID>_CLIENT_SECRET",
    default: null,
    description: "The secret of that OAuth client.",
  },
];
