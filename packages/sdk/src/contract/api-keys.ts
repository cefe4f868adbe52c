import { z } from "zod";
import { API_KEY_SCOPES } from "../names.ts";
import { idSchema, TimestampSchema } from "./common.ts";

export { API_KEY_SCOPES };

export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;

export const ApiKeyCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    /** Default `["management"]`. */
    scopes: z.array(ApiKeyScopeSchema).min(1).max(API_KEY_SCOPES.length).optional(),
  })
  .meta({ id: "ApiKeyCreate" });

export const ApiKeySchema = z
  .object({
    id: idSchema("key"),
    name: z.string(),
    /** First characters of the key, to recognise it. */
    prefix: z.string(),
    scopes: z.array(ApiKeyScopeSchema),
    created_at: TimestampSchema,
    last_used_at: TimestampSchema.nullable(),
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** The creation answer: the only time the key itself is shown. */
export const ApiKeyCreatedSchema = ApiKeySchema.extend({ key: z.string() }).meta({ id: "ApiKeyCreated" });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;
