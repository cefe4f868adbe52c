import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Clock } from "../clock.ts";
import { type Config, ConfigError } from "../config.ts";
import type { Connector } from "./types.ts";

/** What a connector module's default export receives. */
export interface ConnectorModuleContext {
  /** The environment the server was started with: the module reads its own settings from it. */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
}

/**
 * The default export of a module named in `RELINK_CONNECTOR_MODULES`: the coded connectors to
 * register. Throwing stops the start with the error's message, naming the module.
 */
export type ConnectorModule = (context: ConnectorModuleContext) => Connector[] | Promise<Connector[]>;

/** A file path (absolute, or relative to the working directory) as a URL; a package name as it is. */
function importable(specifier: string): string {
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  if (specifier.startsWith("./") || specifier.startsWith("../"))
    return pathToFileURL(resolve(specifier)).href;
  return specifier;
}

function isConnector(value: unknown): value is Connector {
  if (typeof value !== "object" || value === null) return false;
  const { tool, checkAuth } = value as Partial<Connector>;
  return typeof tool?.id === "string" && typeof checkAuth === "function";
}

/**
 * The connectors of the modules `RELINK_CONNECTOR_MODULES` names, in order. Any module that cannot
 * be loaded, has no function as its default export, throws, or returns something other than
 * connectors stops the start with a `ConfigError` naming it.
 */
export async function loadConnectorModules(
  config: Pick<Config, "connectorModules">,
  context: ConnectorModuleContext,
): Promise<Connector[]> {
  const connectors: Connector[] = [];
  for (const specifier of config.connectorModules) {
    const fail = (message: string): never => {
      throw new ConfigError("RELINK_CONNECTOR_MODULES", `${specifier}: ${message}`);
    };
    let loaded: { default?: unknown };
    try {
      loaded = (await import(importable(specifier))) as { default?: unknown };
    } catch (error) {
      return fail(`cannot be loaded: ${(error as Error).message.split("\n")[0]}`);
    }
    const factory = loaded.default;
    if (typeof factory !== "function")
      return fail("has no default export that is a function returning connectors");
    let made: unknown;
    try {
      made = await (factory as ConnectorModule)(context);
    } catch (error) {
      return fail((error as Error).message);
    }
    if (!Array.isArray(made) || !made.every(isConnector))
      return fail(
        "its default export did not return an array of connectors (objects with tool and checkAuth)",
      );
    connectors.push(...made);
  }
  return connectors;
}
