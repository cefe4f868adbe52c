/**
 * `pnpm check:architecture`: the structural rules of the code base, checked from the source with the
 * TypeScript parser. Prints every violation and exits non-zero when there is one:
 *
 * - no runtime import cycle in `packages/server/src` (`import type` and imports of types only do
 *   not count: they vanish at runtime; dynamic `import()` does not count either);
 * - no file in `packages/server/src/domain/` or `packages/server/src/flow-tokens/` imports
 *   `http/`, `routes/` or Hono (type imports count: the domain knows nothing of HTTP);
 * - no file in `packages/<name>/src` is over 500 lines;
 * - no `../../../` path in `packages/<name>/src` (packages meet through their exports);
 * - only the integration store (`packages/server/src/domain/integration-store.ts`) writes the
 *   `integrations` table (Kysely's `updateTable` / `insertInto` / `deleteFrom`, or SQL text);
 *   migrations excepted: one owner of integration state;
 * - nothing in `packages/server/src` names the demo HR system (`demo-hris`, `demoHris`, `DEMO_HRIS`…):
 *   its connectors live with the demo (`@relink/demo-hris/connectors`) and reach a server the way
 *   anyone's coded connectors do (`RELINK_CONNECTOR_MODULES`, or `connectors` when embedding).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

export const MAX_LINES = 500;
const SERVER_SRC = "packages/server/src";
const HTTP_FREE = ["domain", "flow-tokens"].map((dir) => `${SERVER_SRC}/${dir}/`);
const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
/** The demo HR system, however written: the server must not know it. */
const DEMO = /demo[-_ ]?hris/i;
/** The one module that writes the `integrations` table, and the writes it alone may make. */
const INTEGRATION_STORE = `${SERVER_SRC}/domain/integration-store.ts`;
const WRITES_INTEGRATIONS =
  /\b(?:updateTable|insertInto|deleteFrom)\(\s*["'`]integrations["'`]|\b(?:update|insert\s+into|delete\s+from)\s+integrations\b/i;

export interface ImportEdge {
  specifier: string;
  /** Erased at runtime (`import type`, `export type`, or only `type` names). */
  typeOnly: boolean;
}

/** The static imports and re-exports of one module. */
export function importsOf(fileName: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      const onlyTypeNames =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      edges.push({
        specifier: statement.moduleSpecifier.text,
        typeOnly: Boolean(clause?.isTypeOnly) || onlyTypeNames,
      });
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      const clause = statement.exportClause;
      const onlyTypeNames =
        clause !== undefined &&
        ts.isNamedExports(clause) &&
        clause.elements.length > 0 &&
        clause.elements.every((element) => element.isTypeOnly);
      edges.push({
        specifier: statement.moduleSpecifier.text,
        typeOnly: statement.isTypeOnly || onlyTypeNames,
      });
    }
  }
  return edges;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => !path.includes("node_modules") && statSync(path).isFile());
}

/** The module a relative specifier names, among `known` files (TypeScript's `.js` → `.ts` included). */
function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.mjs$/, ".mts"),
    `${base}.ts`,
    join(base, "index.ts"),
  ];
  return candidates.find((candidate) => known.has(candidate));
}

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.includes(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** One shortest loop through `start` inside its component, for the report. */
function loopThrough(start: string, graph: ReadonlyMap<string, readonly string[]>, within: Set<string>) {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!within.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

export function checkArchitecture(root: string): string[] {
  const rel = (path: string) => relative(root, path);
  const violations: string[] = [];
  const packageSources = readdirSync(join(root, "packages"))
    .map((name) => join(root, "packages", name, "src"))
    .filter((dir) => existsSync(dir));
  const allFiles = packageSources.flatMap(filesUnder).sort();

  for (const file of allFiles) {
    const text = readFileSync(file, "utf8");
    if (text.includes("\0")) continue; // binary
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES)
      violations.push(`too long: ${rel(file)} has ${lines} lines (at most ${MAX_LINES})`);
    if (rel(file).startsWith(`${SERVER_SRC}/`) && DEMO.test(rel(file)))
      violations.push(`the server names the demo: ${rel(file)}`);
    text.split("\n").forEach((line, i) => {
      if (line.includes("../../../"))
        violations.push(`deep relative path: ${rel(file)}:${i + 1}: ${line.trim()}`);
      if (rel(file).startsWith(`${SERVER_SRC}/`) && DEMO.test(line))
        violations.push(`the server names the demo: ${rel(file)}:${i + 1}: ${line.trim()}`);
      if (
        rel(file).startsWith(`${SERVER_SRC}/`) &&
        rel(file) !== INTEGRATION_STORE &&
        !rel(file).startsWith(`${SERVER_SRC}/db/migrations/`) &&
        WRITES_INTEGRATIONS.test(line)
      )
        violations.push(`integrations written outside the store: ${rel(file)}:${i + 1}: ${line.trim()}`);
    });
  }

  const serverFiles = allFiles.filter((file) => rel(file).startsWith(`${SERVER_SRC}/`) && SOURCE.test(file));
  const known = new Set(serverFiles);
  const graph = new Map<string, string[]>();
  for (const file of serverFiles) {
    const edges = importsOf(file, readFileSync(file, "utf8"));
    const runtime = new Set<string>();
    for (const edge of edges) {
      const target = edge.specifier.startsWith(".")
        ? resolveRelative(file, edge.specifier, known)
        : undefined;
      if (HTTP_FREE.some((dir) => rel(file).startsWith(dir))) {
        const layer = target && /^packages\/server\/src\/(http|routes)\//.exec(rel(target))?.[1];
        const hono = /^(?:hono|@hono\/[^/]+)(?:\/|$)/.test(edge.specifier);
        if (layer || hono) {
          violations.push(
            `HTTP in the domain: ${rel(file)} imports ${edge.specifier}${edge.typeOnly ? " (types)" : ""}`,
          );
        }
      }
      if (target && !edge.typeOnly) runtime.add(target);
    }
    graph.set(file, [...runtime]);
  }
  for (const component of cyclesOf(graph)) {
    const loop = loopThrough(component[0]!, graph, new Set(component));
    violations.push(
      `import cycle of ${component.length} modules: ${loop.map((file) => rel(file).replace(`${SERVER_SRC}/`, "")).join(" → ")}` +
        (component.length > loop.length - 1
          ? ` (and ${component
              .filter((file) => !loop.includes(file))
              .map((file) => rel(file).replace(`${SERVER_SRC}/`, ""))
              .join(", ")})`
          : ""),
    );
  }
  return violations;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const violations = checkArchitecture(resolve(import.meta.dirname, ".."));
  for (const violation of violations) console.log(violation);
  if (violations.length > 0) {
    console.log(`\n${violations.length} architecture violation(s).`);
    process.exitCode = 1;
  } else {
    console.log("Architecture check: no violations.");
  }
}
