import { hash } from "node:crypto";
import type { SyncedRecord } from "@relink/sdk/contract";
import { type Kysely, SqliteAdapter, sql } from "kysely";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import type { Database } from "../db/schema.ts";
import { asJsonText, type JsonText } from "../json-text.ts";
import { DomainError, notFound } from "./errors.ts";
import { findIntegration } from "./integrations.ts";
import { openFieldsText } from "./records.ts";
import { readableModels } from "./scope.ts";

/**
 * Synced records, read by the product (`GET /v1/integrations/{id}/records/{model}`): a page of
 * one model's records in remote-id order, opened, with only the fields the integration's CURRENT
 * scope config enables (and the end user did not opt out of). A field disabled since the last sync
 * is not returned even while its stored value waits for the next sync to drop it.
 */

export interface RecordPageQuery {
  limit: number;
  /** The remote id the previous page ended on. */
  after: string | null;
  updatedAfter: string | null;
}

/** relink's id of a record: stable for its integration, model and remote id, and revealing none of them. */
export const recordId = (integrationId: string, model: string, remoteId: string) =>
  `rec_${hash("sha256", `${integrationId}\u0000${model}\u0000${remoteId}`, "base64url").slice(0, 26)}`;

export const encodeRecordCursor = (remoteId: string) => Buffer.from(remoteId, "utf8").toString("base64url");

export function decodeRecordCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const remoteId = Buffer.from(cursor, "base64url").toString("utf8");
  if (remoteId.length === 0 || encodeRecordCursor(remoteId) !== cursor) {
    throw new DomainError("INVALID_REQUEST", "Invalid request: cursor: not a cursor from a previous page", {
      details: {
        issues: [
          { path: "query.cursor", code: "invalid_cursor", message: "not a cursor from a previous page" },
        ],
      },
    });
  }
  return remoteId;
}

/**
 * Whether any record of the model was stored after a time: one index range on
 * `(integration_id, model, synced_at)` (migration 0019), reading no record. An incremental poll
 * with nothing newer, a product's most frequent read, is answered by it alone: the page itself
 * walks the primary key in remote-id order and would otherwise read every record of the model to
 * find none newer.
 */
const anyStoredAfter = prepared(
  (db, integrationId: PreparedParam, model: PreparedParam, after: PreparedParam) =>
    db
      .selectFrom("synced_records")
      .select("integration_id")
      .where("integration_id", "=", integrationId)
      .where("model", "=", model)
      .where("synced_at", ">", after)
      .limit(1),
);

const scopeModels = prepared((db, id: PreparedParam) =>
  db.selectFrom("scope_configs").select("models").where("id", "=", id),
);

/**
 * A page's query, built and compiled once per shape (with or without a cursor, with or without
 * `updated_after`): building and compiling it with Kysely cost about as much as SQLite's walk of
 * the page. The page walks the primary key in remote-id order, and reads one record more than the
 * page (whether there is a next one).
 */
function pageQuery(withCursor: boolean, withUpdatedAfter: boolean) {
  return prepared((db, integrationId: PreparedParam, model: PreparedParam, ...rest: PreparedParam[]) => {
    const [limit, ...more] = rest;
    let select = db
      .selectFrom("synced_records")
      // Not the integration id and model: the caller has them (each column read is a value built per row).
      .select(["remote_id", "data", "fields_sealed", "synced_at"])
      .where("integration_id", "=", integrationId)
      .where("model", "=", model)
      .orderBy("remote_id")
      // A parameter like every other (the prepared query passes text; both databases take it as a count).
      .limit(sql<number>`${limit}`);
    if (withCursor) select = select.where("remote_id", ">", more[0] ?? null);
    if (withUpdatedAfter) {
      // Not an index constraint on SQLite (unary `+`): SQLite, planning without statistics, would
      // rather range over migration 0019's index and sort the model's records than walk the
      // primary key. PostgreSQL weighs both from its statistics and walks the primary key here.
      const syncedAt =
        db.getExecutor().adapter instanceof SqliteAdapter
          ? sql<string>`+${sql.ref("synced_at")}`
          : sql.ref<string>("synced_at");
      select = select.where(syncedAt, ">", more[withCursor ? 1 : 0] ?? null);
    }
    return select;
  });
}

const PAGE_QUERIES = [
  pageQuery(false, false),
  pageQuery(false, true),
  pageQuery(true, false),
  pageQuery(true, true),
];

function pageOfRecords(db: Kysely<Database>, integrationId: string, model: string, query: RecordPageQuery) {
  const params: PreparedParam[] = [String(query.limit + 1)];
  if (query.after !== null) params.push(query.after);
  if (query.updatedAfter !== null) params.push(query.updatedAfter);
  const run = PAGE_QUERIES[(query.after !== null ? 2 : 0) + (query.updatedAfter !== null ? 1 : 0)];
  if (!run) throw new Error("unreachable: no page query of this shape");
  return run(db, integrationId, model, ...params);
}

/**
 * The JSON text of a record's fields with only those the scope enables: `text` itself when it holds
 * no other (the usual case: a sync stores only the enabled fields), else a copy without the others.
 * `text` is `JSON.stringify` output (`openFieldsText`), so it is what `JSON.stringify` of its parse
 * gives: the same characters either way.
 */
function enabledFieldsJson(text: string, allowed: ReadonlySet<string>): string {
  const fields = JSON.parse(text) as Record<string, unknown>;
  for (const name in fields) {
    if (!allowed.has(name)) {
      return JSON.stringify(Object.fromEntries(Object.entries(fields).filter(([key]) => allowed.has(key))));
    }
  }
  return text;
}

export interface RecordPage {
  data: SyncedRecord[];
  next_cursor: string | null;
}

/** A page with no record. */
const EMPTY_PAGE = asJsonText<RecordPage>(
  JSON.stringify({ data: [], next_cursor: null } satisfies RecordPage),
);

/**
 * A page of records (`{ data: [{ id, remote_id, fields, updated_at }], next_cursor }`, the
 * `SyncedRecord` page of the contract) as its JSON text, exactly what `JSON.stringify` of the page
 * gives: each record's opened fields are already JSON text, spliced in as they are rather than
 * parsed into objects and stringified again (parsed only to check their names against the scope).
 */
export async function listRecordsJson(
  ctx: RelinkContext,
  workspaceId: string,
  integrationId: string,
  model: string,
  query: RecordPageQuery,
): Promise<JsonText<RecordPage>> {
  const row = await findIntegration(ctx.db, workspaceId, integrationId);
  if (!row) throw notFound("Integration");
  const connector = ctx.connectors.get(row.tool);
  const models = row.scope_config_id
    ? ((await scopeModels(ctx.db, row.scope_config_id))[0]?.models ?? {})
    : {};
  // Every permission: what the scope enables, whatever the grant (records exist only for what was granted).
  const enabled = connector
    ? readableModels(
        connector.tool,
        models,
        connector.tool.permissions.map((p) => p.id),
        row.opted_out,
      )
    : [];
  const fields = enabled.find((m) => m.model === model)?.fields;
  if (!fields) {
    throw new DomainError(
      "MODEL_NOT_IN_SCOPE",
      `The integration's scope config does not enable the model "${model}".`,
      {
        details: { model, models_in_scope: enabled.map((m) => m.model) },
      },
    );
  }
  const allowed = new Set(fields);
  if (
    query.updatedAfter !== null &&
    (await anyStoredAfter(ctx.db, row.id, model, query.updatedAfter)).length === 0
  ) {
    return EMPTY_PAGE;
  }

  const rows = await pageOfRecords(ctx.db, row.id, model, query);
  const count = Math.min(rows.length, query.limit);
  let json = '{"data":[';
  for (let i = 0; i < count; i++) {
    const r = rows[i] as (typeof rows)[number];
    const text = openFieldsText(ctx.secrets, r, row.id, model, r.remote_id);
    json += `${i === 0 ? "" : ","}{"id":${JSON.stringify(recordId(row.id, model, r.remote_id))},"remote_id":${JSON.stringify(r.remote_id)},"fields":${enabledFieldsJson(text, allowed)},"updated_at":${JSON.stringify(r.synced_at)}}`;
  }
  const last = rows[count - 1];
  const nextCursor = rows.length > query.limit && last ? encodeRecordCursor(last.remote_id) : null;
  return asJsonText<RecordPage>(`${json}],"next_cursor":${JSON.stringify(nextCursor)}}`);
}
