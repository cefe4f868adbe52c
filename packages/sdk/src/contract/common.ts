import { z } from "zod";

/** ISO-8601 UTC timestamp with milliseconds, e.g. `2026-11-28T09:00:00.000Z`. */
export const TimestampSchema = z.iso.datetime({ offset: false }).meta({ id: "Timestamp" });

/** A prefixed id such as `int_01J…`. */
export const idSchema = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{10,40}$`), `must be an id starting with "${prefix}_"`);

export const ID_PREFIXES = {
  workspace: "ws",
  apiKey: "key",
  signingKey: "sk",
  /** The server's own key per workspace, for the links it makes; never listed. */
  serverSigningKey: "sks",
  scopeConfig: "sc",
  integration: "int",
  syncRun: "sync",
  authCheck: "chk",
  event: "evt",
  webhookEndpoint: "whep",
  webhookDelivery: "whdl",
  relinkLink: "lnk",
  relinkCampaign: "rc",
  syncSession: "ss",
  grantRevocation: "rev",
} as const;

/** Query parameters shared by every paginated list. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** A page of a cursor-paginated list: pass `next_cursor` as `cursor` for the next page. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export type Page<T> = { data: T[]; next_cursor: string | null };

/** Durations such as `200ms`, `3s`, `10m`, `72h`, `7d`. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
