import ts from "typescript";
import type { Plugin } from "vite";

/**
 * Minifies the static text of Lit's `html` and `css` tagged templates at build time: the
 * whitespace that indents the sources is most of what they weigh, and the first view (the drop-in
 * module and its static imports) has a 12 KiB gzip budget (`bench/widget.ts`). Whitespace with a
 * line break between two tags goes; other runs of whitespace become one space (so `${a} ${b}` and
 * ` <span>` keep their space).
 */
export function minifyTemplates(): Plugin {
  return {
    name: "relink:minify-templates",
    apply: "build",
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !/\b(html|css)`/.test(code)) return null;
      return { code: minifySource(code), map: null };
    },
  };
}

export function minifySource(code: string): string {
  const file = ts.createSourceFile("x.ts", code, ts.ScriptTarget.Latest, true);
  const edits: Array<[start: number, end: number, text: string]> = [];
  const visit = (node: ts.Node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag)) {
      const kind = node.tag.text;
      if (kind === "html" || kind === "css") {
        const minify = kind === "css" ? minifyCss : minifyHtml;
        const t = node.template;
        const parts: ts.Node[] = ts.isNoSubstitutionTemplateLiteral(t)
          ? [t]
          : [t.head, ...t.templateSpans.map((s) => s.literal)];
        for (const part of parts) {
          const start = part.getStart(file) + 1;
          const end =
            part.end -
            (part.kind === ts.SyntaxKind.TemplateHead || part.kind === ts.SyntaxKind.TemplateMiddle ? 2 : 1);
          edits.push([start, end, minify(code.slice(start, end))]);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = code;
  for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) {
    out = out.slice(0, start) + text + out.slice(end);
  }
  return out;
}

function minifyHtml(text: string): string {
  return text
    .replace(/>\s*\n\s*</g, "><")
    .replace(/\s*\n\s*/g, " ")
    .replace(/\s{2,}/g, " ");
}

function minifyCss(text: string): string {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\s+/g, " ")
      .replace(/\s*([{};,])\s*/g, "$1")
      .replace(/:\s+/g, ":")
      .replace(/;}/g, "}")
      // Quotes around identifiers in attribute selectors, spaces inside brackets, leading zeros:
      // a byte each, on every rule.
      .replace(/(\[[\w-]+[~|^$*]?=)"([A-Za-z_][\w-]*)"\]/g, "$1$2]")
      .replace(/\(\s+/g, "(")
      .replace(/\s+\)/g, ")")
      .replace(/([\s:(,])0\.(\d)/g, "$1.$2")
      // No spaces around `*` and `/` in calc() (only `+` and `-` need them), nor before `!important`.
      .replace(/ ([*/]) (?=[\w.(-])/g, (match, op, offset, all) =>
        /calc\([^;{}]*$/.test(all.slice(0, offset)) ? op : match,
      )
      .replace(/ !important/g, "!important")
  );
}
