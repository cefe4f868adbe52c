import { catalogEntries } from "@relink/connectors";
import type { Clock } from "../clock.ts";
import { type Config, ConfigError, toolSettingsKey } from "../config.ts";
import { declaredConnector } from "./declared/connector.ts";
import { parseDeclaredConnector, readConnectorsDir } from "./declared/load.ts";
import type { DeclaredConnector } from "./declared/schema.ts";
import type { Connector } from "./types.ts";

/** A tool the server knows of, with what it lacks to be usable (nothing: it is ready). */
export interface ToolStatus {
  id: string;
  ready: boolean;
  /** What the operator must configure, in words naming the variable. */
  missing: string[];
}

export interface ConfiguredTools {
  /** The usable connectors: declared in `RELINK_CONNECTORS_DIR`, then the enabled, ready catalog tools. */
  connectors: Connector[];
  /** Tools that are not usable yet, and why. */
  unready: Array<{ connector: Connector; missing: string[] }>;
}

/** The catalog of `@relink/connectors`, validated. */
export function catalogDocuments(): DeclaredConnector[] {
  return catalogEntries().map((entry) =>
    parseDeclaredConnector(entry.document, `@relink/connectors/catalog/${entry.file}`),
  );
}

/** The operator settings a declared tool needs that the configuration lacks. */
export function missingSettings(doc: DeclaredConnector, config: Config): string[] {
  if (doc.auth.type !== "oauth2_authorization_code") return [];
  const key = toolSettingsKey(doc.id);
  const settings = config.toolSettings[key];
  return [
    ...(settings?.clientId ? [] : [`RELINK_TOOL_${key}_CLIENT_ID`]),
    ...(settings?.clientSecret ? [] : [`RELINK_TOOL_${key}_CLIENT_SECRET`]),
  ];
}

function connectorOf(doc: DeclaredConnector, config: Config, clock: Clock): Connector {
  const settings = config.toolSettings[toolSettingsKey(doc.id)];
  return declaredConnector(doc, {
    clientId: settings?.clientId,
    clientSecret: settings?.clientSecret,
    now: () => clock.now().getTime(),
  });
}

/**
 * The declared tools this configuration asks for: every document of `RELINK_CONNECTORS_DIR` (an
 * invalid one throws, naming file and path), and the catalog tools `RELINK_TOOLS` lists (unset:
 * every one whose settings are present). A tool lacking settings is listed as unready.
 */
export function configuredTools(config: Config, clock: Clock, catalog = catalogDocuments()): ConfiguredTools {
  const out: ConfiguredTools = { connectors: [], unready: [] };
  const place = (doc: DeclaredConnector, missing: string[]) => {
    const connector = connectorOf(doc, config, clock);
    if (missing.length === 0) out.connectors.push(connector);
    else out.unready.push({ connector, missing });
  };
  const declared = config.connectorsDir ? readConnectorsDir(config.connectorsDir) : [];
  for (const doc of declared) place(doc, missingSettings(doc, config));

  const known = new Set(catalog.map((doc) => doc.id));
  const unknown = (config.tools ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ConfigError(
      "RELINK_TOOLS",
      `no catalog tool "${unknown.join('", "')}"; the catalog has ${[...known].join(", ")}`,
    );
  }
  const overridden = new Set(declared.map((doc) => doc.id));
  for (const doc of catalog) {
    if (overridden.has(doc.id)) continue; // a tool declared by the operator replaces the catalog's
    if (config.tools !== null && !config.tools.includes(doc.id)) continue;
    place(doc, missingSettings(doc, config));
  }
  return out;
}
