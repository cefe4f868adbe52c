import { z } from "zod";
import { LINK_TYPES, RELINK_LINK_STATUSES } from "../names.ts";
import { DURATION_PATTERN, idSchema, PageQuerySchema, TimestampSchema } from "./common.ts";
import { LocaleSchema, MAX_LINK_LIFETIME } from "./flow-tokens.ts";

export { LINK_TYPES, RELINK_LINK_STATUSES };

/**
 * Relink links (`POST /v1/integrations/:id/relink`) and the workspace settings the connect API
 * depends on (the origins allowed to embed the flow).
 */

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
    /**
     * `OUTSTANDING` until it completes a relink, expires, is revoked (`DELETE …/relink-links/:link_id`)
     * or is superseded by another completed relink.
     */
    status: RelinkLinkStatusSchema,
    created_at: TimestampSchema,
    expires_at: TimestampSchema,
    completed_at: TimestampSchema.nullable(),
    /** When the end user last left the flow without completing it (`POST /connect/v1/exit`). */
    exited_at: TimestampSchema.nullable(),
    /** When the operator revoked it: its token then answers `410 LINK_REVOKED`. */
    revoked_at: TimestampSchema.nullable(),
    /**
     * When another completed relink made it pointless (`SUPERSEDED`): its token then answers
     * `409 FLOW_SUPERSEDED` and `relink-link-superseded` was announced.
     */
    superseded_at: TimestampSchema.nullable().optional(),
    /** A hand-off link (`POST /connect/v1/flow/handoff`): who asked for it; null otherwise. */
    handoff_requested_by: z.string().nullable().optional(),
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

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
// Control characters (C0, DEL, C1) and the bidirectional overrides that could disguise a name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * The workspace's brand, shown to end users by the hosted page (`/link`), which then says who asks
 * them to reconnect, and handed to the widget in the flow description. Null = not set.
 */
export const BrandingSchema = z
  .object({
    /** The product's name, as end users know it (e.g. "Acme Payroll"). */
    product_name: z.string().nullable(),
    /** An https URL of the product's logo (square works best; shown at 40 px). */
    logo_url: z.string().nullable(),
    /** The accent colour of buttons and highlights, `#rrggbb`. */
    accent_color: z.string().nullable(),
  })
  .meta({ id: "Branding" });
export type Branding = z.infer<typeof BrandingSchema>;

/** `PUT /v1/settings/branding`: replaces the brand; a field left out or null is unset. */
export const BrandingUpdateSchema = z
  .strictObject({
    product_name: z
      .string()
      .trim()
      .min(1, "must not be empty (use null to unset it)")
      .max(80)
      .refine(
        (value) => !UNPRINTABLE.test(value),
        "must not contain control or bidirectional-override characters",
      )
      .nullable()
      .optional(),
    logo_url: z
      .string()
      .max(2000)
      .refine((value) => {
        try {
          const url = new URL(value);
          return url.protocol === "https:" && url.username === "" && url.password === "";
        } catch {
          return false;
        }
      }, "must be an https URL without credentials, such as https://cdn.example.com/logo.png")
      .nullable()
      .optional(),
    accent_color: z
      .string()
      .regex(HEX_COLOUR, "must be a hex colour such as #4f46e5 or #46e")
      .transform((value) =>
        value.length === 4
          ? `#${[...value.slice(1)].map((ch) => ch + ch).join("")}`.toLowerCase()
          : value.toLowerCase(),
      )
      .nullable()
      .optional(),
  })
  .meta({ id: "BrandingUpdate" });
export type BrandingUpdate = z.input<typeof BrandingUpdateSchema>;
