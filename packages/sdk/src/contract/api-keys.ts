import { z } from "zod";
import { idSchema, TimestampSchema } from "./common.ts";

export const ApiKeyCreateSchema = z.strictObject({ name: z.string().trim().min(1).max(200) });

export const ApiKeySchema = z
  .object({
    id: idSchema("key"),
    name: z.string(),
    /** First characters of the key, to recognise it. */
    prefix: z.string(),
    created_at: TimestampSchema,
    last_used_at: TimestampSchema.nullable(),
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** The creation answer: the only time the key itself is shown. */
export const ApiKeyCreatedSchema = ApiKeySchema.extend({ key: z.string() }).meta({ id: "ApiKeyCreated" });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;
