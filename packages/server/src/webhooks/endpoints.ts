import {
  WEBHOOK_TEST_EVENT_TYPE,
  type WebhookEndpoint,
  type WebhookEndpointCreate,
  type WebhookEndpointUpdate,
  type WebhookEndpointWithSecret,
} from "@relink/sdk/contract";
import type { Selectable } from "kysely";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext } from "../context.ts";
import { toJson, type WebhookEndpointTable } from "../db/schema.ts";
import { DomainError } from "../domain/errors.ts";
import type { PageWindow } from "../domain/paging.ts";
import { newId } from "../ids.ts";
import { notifyWebhookDispatchers } from "./notify.ts";
import { generateWebhookSecret } from "./sign.ts";
import { checkWebhookUrl, type WebhookTargetPolicy, WebhookUrlError } from "./url-guard.ts";

/** Webhook endpoints of a workspace: where events go, with which secret. */

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;

/** How long a rotated-out secret keeps signing beside the new one, unless the rotation says otherwise. */
export const DEFAULT_SECRET_GRACE_MS = 24 * 3_600_000;
export const MAX_SECRET_GRACE_MS = 7 * 24 * 3_600_000;

const secretContext = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/** The URL as stored, or `INVALID_REQUEST` naming `body.url` and what is wrong with it. */
export async function checkedWebhookUrl(raw: string, policy: WebhookTargetPolicy): Promise<string> {
  try {
    return (await checkWebhookUrl(raw, policy)).href;
  } catch (error) {
    if (!(error instanceof WebhookUrlError)) throw error;
    throw new DomainError("INVALID_REQUEST", `Invalid request: body.url: ${error.message}`, {
      details: { issues: [{ path: "body.url", code: "invalid_webhook_url", message: error.message }] },
    });
  }
}

/** The workspace's webhook endpoints, newest first. */
export function listWebhookEndpoints(db: RelinkContext["db"], workspaceId: string, window: PageWindow) {
  let query = db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("id", "<", window.after);
  return query.execute();
}

export function toWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.event_types,
    enabled: row.enabled,
    previous_secret_expires_at: row.previous_secret_sealed ? row.previous_secret_expires_at : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The secrets that sign a delivery now: the current one, then a rotated-out one still in its grace period. */
export function signingSecrets(
  ctx: Pick<RelinkContext, "secrets">,
  row: Pick<
    WebhookEndpointRow,
    "id" | "secret_sealed" | "previous_secret_sealed" | "previous_secret_expires_at"
  >,
  now: Date,
): string[] {
  const secrets = [ctx.secrets.open(row.secret_sealed, secretContext(row.id))];
  if (
    row.previous_secret_sealed &&
    row.previous_secret_expires_at &&
    Date.parse(row.previous_secret_expires_at) > now.getTime()
  ) {
    secrets.push(ctx.secrets.open(row.previous_secret_sealed, secretContext(row.id)));
  }
  return secrets;
}

/** Creates an endpoint with a new secret, shown in this answer only. `url` has been checked. */
export async function createWebhookEndpoint(
  ctx: RelinkContext,
  workspaceId: string,
  input: WebhookEndpointCreate & { url: string },
): Promise<WebhookEndpointWithSecret> {
  const id = newId("whep");
  const now = iso(ctx.clock.now());
  const secret = generateWebhookSecret();
  const row = await ctx.db
    .insertInto("webhook_endpoints")
    .values({
      id,
      workspace_id: workspaceId,
      url: input.url,
      description: input.description ?? null,
      event_types: input.event_types ? toJson(dedupe(input.event_types)) : null,
      enabled: input.enabled ?? true,
      secret_sealed: ctx.secrets.seal(secret, secretContext(id)),
      previous_secret_sealed: null,
      previous_secret_expires_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...toWebhookEndpoint(row), secret };
}

export async function findWebhookEndpoint(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  return ctx.db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Applies a change; `url`, when present, has been checked. Enabling wakes the dispatcher for waiting deliveries. */
export async function updateWebhookEndpoint(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  patch: WebhookEndpointUpdate,
): Promise<WebhookEndpoint | undefined> {
  const row = await ctx.db
    .updateTable("webhook_endpoints")
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.event_types !== undefined
        ? { event_types: patch.event_types === null ? null : toJson(dedupe(patch.event_types)) }
        : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      updated_at: iso(ctx.clock.now()),
    })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  if (row?.enabled) {
    ctx.wake("webhooks");
    await notifyWebhookDispatchers(ctx.db, ctx.dialect).catch((error: unknown) =>
      ctx.log.warn({ err: error }, "could not notify the other replicas' webhook dispatchers"),
    );
  }
  return row ? toWebhookEndpoint(row) : undefined;
}

/** Deletes an endpoint with its deliveries and their log. */
export async function deleteWebhookEndpoint(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  const result = await ctx.db
    .deleteFrom("webhook_endpoints")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Replaces the secret. The old one keeps signing beside the new one for `graceMs` (both
 * signatures in `webhook-signature`), so receivers can switch without losing a delivery. A
 * secret rotated out earlier and still in its grace period stops signing now.
 */
export async function rotateWebhookSecret(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  graceMs: number,
): Promise<WebhookEndpointWithSecret | undefined> {
  const secret = generateWebhookSecret();
  const now = ctx.clock.now();
  return inTransaction(ctx, async (tx) => {
    let query = tx.db
      .selectFrom("webhook_endpoints")
      .select(["secret_sealed"])
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id);
    if (ctx.dialect === "postgres") query = query.forUpdate();
    const current = await query.executeTakeFirst();
    if (!current) return undefined;
    const row = await tx.db
      .updateTable("webhook_endpoints")
      .set({
        secret_sealed: ctx.secrets.seal(secret, secretContext(id)),
        previous_secret_sealed: graceMs > 0 ? current.secret_sealed : null,
        previous_secret_expires_at: graceMs > 0 ? iso(new Date(now.getTime() + graceMs)) : null,
        updated_at: iso(now),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...toWebhookEndpoint(row), secret };
  });
}

/**
 * Sends a `webhook-test` event to one endpoint only (whatever its event-type filter): the event is
 * logged like any other and delivered by the dispatcher. Returns the delivery's id.
 */
export async function sendTestEvent(
  ctx: RelinkContext,
  endpoint: Pick<WebhookEndpointRow, "id" | "workspace_id">,
): Promise<{ eventId: string; deliveryId: string }> {
  const now = ctx.clock.now();
  const createdAt = iso(now);
  const eventId = newId("evt", now.getTime());
  const deliveryId = newId("whdl", now.getTime());
  await inTransaction(ctx, async (tx) => {
    const { seq } = await tx.db
      .insertInto("events")
      .values({
        id: eventId,
        workspace_id: endpoint.workspace_id,
        type: WEBHOOK_TEST_EVENT_TYPE,
        integration_id: null,
        data: toJson({ endpoint_id: endpoint.id, message: "A test event sent from relink." }),
        created_at: createdAt,
      })
      .returning("seq")
      .executeTakeFirstOrThrow();
    await tx.db
      .insertInto("webhook_deliveries")
      .values({
        id: deliveryId,
        workspace_id: endpoint.workspace_id,
        endpoint_id: endpoint.id,
        event_id: eventId,
        event_seq: seq,
        integration_id: null,
        status: "PENDING",
        attempts: 0,
        next_attempt_at: createdAt,
        created_at: createdAt,
      })
      .execute();
    tx.wake("webhooks");
    await notifyWebhookDispatchers(tx.db, tx.dialect);
  });
  return { eventId, deliveryId };
}

const dedupe = (types: readonly string[]) => [...new Set(types)];
