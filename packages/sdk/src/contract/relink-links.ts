import { z } from "zod";
import { DURATION_PATTERN, idSchema, PageQuerySchema, TimestampSchema } from "./common.ts";
import { LocaleSchema, MAX_LINK_LIFETIME } from "./flow-tokens.ts";

/**
 * Relink links (`POST /v1/integrations/:id/relink`) and the workspace settings the connect API
 * depends on (the origins allowed to embed the flow).
 */

export const LINK_TYPES = ["EMBEDDED", "MAGIC_LINK"] as const;
export const LinkTypeSchema = z.enum(LINK_TYPES);
export type LinkType = z.infer<typeof LinkTypeSchema>;

/** Default lifetime of an `EMBEDDED` link (for `<relink-connect>` in the product's page), in seconds: 1 hour. */
export const EMBEDDED_LINK_LIFETIME = 3600;
/** Default lifetime of a `MAGIC_LINK` (sent by email or chat), in seconds: 7 days. */
export const MAGIC_LINK_LIFETIME = 7 * 24 * 3600;

export const RelinkLinkCreateSchema = z
  .strictObject({
    /** Target scope config; absent = keep the integration's current one. */
    scope_config_id: idSchema("sc").optional(),
    /** `EMBEDDED` (default; 1 hour) or `MAGIC_LINK` (7 days). */
    link_type: LinkTypeSchema.optional(),
    /** The flow's language. */
    language: LocaleSchema.optional(),
    /**
     * Lifetime: seconds or a duration such as `10m`, `48h`, `14d`: at least 60 seconds; an `EMBEDDED`
     * link at most 1 hour, a `MAGIC_LINK` at most 30 days (longer is refused, `400 INVALID_REQUEST`).
     */
    expires_in: z
      .union([z.number().int().min(60).max(MAX_LINK_LIFETIME), z.string().regex(DURATION_PATTERN)])
      .optional(),
  })
  .meta({ id: "RelinkLinkCreate" });
export type RelinkLinkCreate = z.infer<typeof RelinkLinkCreateSchema>;

/** A new link. `token` is the flow token itself (for `<relink-connect token>`): shown in this answer only. */
export const RelinkLinkCreatedSchema = z
  .object({
    id: idSchema("lnk"),
    /** The hosted page, `<public url>/link#token=…` (the token travels in the fragment: never in server logs). */
    link: z.string(),
    token: z.string(),
    link_type: LinkTypeSchema,
    expires_at: TimestampSchema,
  })
  .meta({ id: "RelinkLinkCreated" });
export type RelinkLinkCreated = z.infer<typeof RelinkLinkCreatedSchema>;

export const RELINK_LINK_STATUSES = ["OUTSTANDING", "COMPLETED", "EXPIRED"] as const;
export const RelinkLinkStatusSchema = z.enum(RELINK_LINK_STATUSES);
export type RelinkLinkStatus = z.infer<typeof RelinkLinkStatusSchema>;

/** A link as the dashboard lists it: never its token. */
export const RelinkLinkSchema = z
  .object({
    id: idSchema("lnk"),
    integration_id: idSchema("int"),
    link_type: LinkTypeSchema,
    scope_config_id: idSchema("sc").nullable(),
    language: LocaleSchema.nullable(),
    /** `OUTSTANDING` until it completes a relink or expires. */
    status: RelinkLinkStatusSchema,
    created_at: TimestampSchema,
    expires_at: TimestampSchema,
    completed_at: TimestampSchema.nullable(),
    /** When the end user last left the flow without completing it (`POST /connect/v1/exit`). */
    exited_at: TimestampSchema.nullable(),
  })
  .meta({ id: "RelinkLink" });
export type RelinkLink = z.infer<typeof RelinkLinkSchema>;

export const RelinkLinkListQuerySchema = PageQuerySchema.extend({
  status: RelinkLinkStatusSchema.optional(),
});

const ORIGIN_MESSAGE =
  "must be an origin: scheme, host and optional port, such as https://app.example.com (no path)";

/** A web origin (`https://app.example.com`, `http://localhost:3000`), normalised to its serialisation. */
export const OriginSchema = z
  .string()
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === "https:" || url.protocol === "http:") &&
        url.username === "" &&
        url.password === "" &&
        url.pathname === "/" &&
        url.search === "" &&
        url.hash === "" &&
        !value.includes("*") &&
        /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(value)
      );
    } catch {
      return false;
    }
  }, ORIGIN_MESSAGE)
  .transform((value) => new URL(value).origin);

/**
 * The origins whose pages may run the connect flow (`<relink-connect>`): the connect API answers
 * CORS only for them, and the OAuth callback reports only to them (or to the server's own origin).
 */
export const AllowedOriginsSchema = z
  .object({ allowed_origins: z.array(z.string()) })
  .meta({ id: "AllowedOrigins" });
export type AllowedOrigins = z.infer<typeof AllowedOriginsSchema>;

export const AllowedOriginsUpdateSchema = z
  .strictObject({ allowed_origins: z.array(OriginSchema).max(100) })
  .meta({ id: "AllowedOriginsUpdate" });
export type AllowedOriginsUpdate = z.input<typeof AllowedOriginsUpdateSchema>;
