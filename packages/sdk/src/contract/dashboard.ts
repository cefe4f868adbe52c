import { z } from "zod";
import { idSchema, TimestampSchema } from "./common.ts";

/**
 * Read models the operator dashboard needs beside the resource endpoints: counts per state for the
 * top of the integrations list, and when paused integrations were paused.
 */

/** `GET /v1/integrations/stats`: the workspace's integrations counted per state. */
export const IntegrationStatsSchema = z
  .object({
    ACTIVE: z.number().int(),
    INVALID: z.number().int(),
    INACTIVE: z.number().int(),
    /** `ACTIVE` integrations whose auth is failing: they will be paused if nothing changes. */
    failing: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: "IntegrationStats" });
export type IntegrationStats = z.infer<typeof IntegrationStatsSchema>;

export const IntegrationPausesQuerySchema = z.object({
  /** Comma-separated integration ids, at most 200. */
  ids: z
    .string()
    .max(200 * 42)
    .transform((value) => value.split(",").filter(Boolean))
    .pipe(z.array(idSchema("int")).min(1).max(200)),
});

/** `GET /v1/integrations/pauses?ids=…`: for each of those integrations that is `INVALID`, when it was paused. */
export const IntegrationPausesSchema = z
  .object({
    data: z.array(z.object({ integration_id: idSchema("int"), paused_at: TimestampSchema })),
  })
  .meta({ id: "IntegrationPauses" });
export type IntegrationPauses = z.infer<typeof IntegrationPausesSchema>;
