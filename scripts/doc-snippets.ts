/**
 * Code blocks in the docs are copies of regions of files that are type-checked or run in CI:
 * a `<!-- snippet: path#name -->` comment before a fenced block names the region (`// #region name`
 * … `// #endregion name`, or the same in `<!-- -->`, `/* *\/` or `#` comments). `pnpm docs:snippets`
 * rewrites every such block from its region; the docs test fails when one differs.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = resolve(import.meta.dirname, "..");

export interface FencedBlock {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** `path#region` from a `<!-- snippet: path#region -->` comment right before the block. */
  snippet: string | null;
}

/** The fenced code blocks of a Markdown file, with the snippet comment that precedes each. */
export function fencedBlocks(file: string, text: string): FencedBlock[] {
  const lines = text.split("\n");
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== fence) end++;
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    const snippet =
      before >= 0 ? (/<!-{2}\s*snippet:\s*(\S+)\s*-{2}>/.exec(lines[before]!)?.[1] ?? null) : null;
    blocks.push({
      file,
      line: i + 1,
      lang: lang ?? "",
      code: dedent(lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent!.length, leading(l))))),
      snippet,
    });
    i = end;
  }
  return blocks;
}

const REGION = (kind: "region" | "endregion", name: string) =>
  new RegExp(`^\\s*(?://|<!--|/\\*|#)\\s*#${kind}\\s+${name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\b`);

/** The lines between `#region name` and `#endregion name` (any comment style), dedented. */
export function region(path: string, name: string): string {
  const lines = readFileSync(resolve(ROOT, path), "utf8").split("\n");
  const start = lines.findIndex((l) => REGION("region", name).test(l));
  if (start === -1) throw new Error(`${path} has no region "${name}"`);
  const end = lines.findIndex((l, i) => i > start && REGION("endregion", name).test(l));
  if (end === -1) throw new Error(`${path}: region "${name}" is not closed`);
  return dedent(lines.slice(start + 1, end));
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

function dedent(lines: string[]): string {
  const widths = lines.filter((l) => l.trim() !== "").map(leading);
  const cut = widths.length ? Math.min(...widths) : 0;
  return lines
    .map((l) => l.slice(cut))
    .join("\n")
    .trim();
}

/** The Markdown with every snippet block replaced by its region's current text. */
export function withSnippets(file: string, text: string): string {
  const lines = text.split("\n");
  for (const block of fencedBlocks(file, text).reverse()) {
    if (!block.snippet) continue;
    const [path, name] = block.snippet.split("#");
    let end = block.line;
    const fence = lines[block.line - 1]!.trim().replace(/[\w-]+$/, "");
    while (end < lines.length && lines[end]!.trim() !== fence) end++;
    const indent = " ".repeat(leading(lines[block.line - 1]!));
    const code = region(path!, name!)
      .split("\n")
      .map((l) => (l === "" ? l : indent + l));
    lines.splice(block.line, end - block.line, ...code);
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = join(ROOT, "docs");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".md"))) {
    const file = join(dir, name);
    const before = readFileSync(file, "utf8");
    const after = withSnippets(`docs/${name}`, before);
    if (after !== before) {
      writeFileSync(file, after);
      console.log(`docs/${name}: snippets updated`);
    }
  }
}
