import {
  ConnectorError,
  type Credentials,
  type SyncContext,
  type SyncRecord,
  type SyncResult,
} from "../types.ts";
import { ready } from "./auth.ts";
import { read } from "./check.ts";
import type { DeclaredRuntime } from "./runtime.ts";
import type { DeclaredConnector } from "./schema.ts";
import { valueAt } from "./values.ts";

const MAX_PAGES = 10_000;

/** Reads the records of the asked models that the document declares a sync for. */
export async function sync(rt: DeclaredRuntime, ctx: SyncContext): Promise<SyncResult> {
  const { credentials } = await ready(rt, ctx);
  const records: Record<string, SyncRecord[]> = {};
  for (const { model, fields } of ctx.models) {
    const declared = rt.doc.models.find((m) => m.id === model)?.sync;
    if (!declared) continue;
    records[model] = await readModel(rt, declared, fields, credentials, ctx.signal);
  }
  return { records };
}

/** Every page of one model (cursor, page number, offset or next URL), each record's asked fields picked. */
const readModel = async (
  rt: DeclaredRuntime,
  declared: NonNullable<DeclaredConnector["models"][number]["sync"]>,
  fields: string[],
  credentials: Credentials,
  signal: AbortSignal,
): Promise<SyncRecord[]> => {
  const out: SyncRecord[] = [];
  const p = declared.pagination;
  let nextUrl: string | null = null;
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string> = { ...declared.request.query };
    if (p.style === "cursor") {
      if (p.limit_param && p.limit) query[p.limit_param] = String(p.limit);
      if (cursor) query[p.param] = cursor;
    } else if (p.style === "page") {
      query[p.param] = String(p.first + page);
      query[p.size_param] = String(p.size);
    } else if (p.style === "offset") {
      query[p.param] = String(page * p.limit);
      query[p.limit_param] = String(p.limit);
    }
    const body =
      nextUrl !== null
        ? await read(rt, { method: "GET", url: nextUrl }, credentials, signal)
        : await read(rt, { ...declared.request, query }, credentials, signal);
    const list = valueAt(body, declared.records_path);
    if (!Array.isArray(list))
      throw new ConnectorError("INCONCLUSIVE", "the tool's answer has no list of records");
    for (const item of list) {
      const id = valueAt(item, declared.id_path);
      if (id === undefined || id === null) continue;
      const data: Record<string, unknown> = {};
      for (const field of fields) {
        const path = declared.fields[field];
        if (path !== undefined) data[field] = valueAt(item, path) ?? null;
      }
      out.push({ id: String(id), data });
    }
    if (p.style === "none") break;
    if (p.style === "cursor") {
      const next = valueAt(body, p.next_path);
      if (typeof next !== "string" || next === "") break;
      cursor = next;
    } else if (p.style === "next_url") {
      const next = valueAt(body, p.next_path);
      if (typeof next !== "string" || next === "") break;
      nextUrl = next;
    } else if (list.length < (p.style === "page" ? p.size : p.limit)) {
      break;
    }
  }
  return out;
};
