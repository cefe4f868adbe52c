import { z } from "zod";
import { SETTINGS } from "../names.ts";
import { idSchema, TimestampSchema } from "./common.ts";
import { CategorySchema } from "./tools.ts";

export { SETTINGS };

export const SettingSchema = z.enum(SETTINGS);
export type Setting = z.infer<typeof SettingSchema>;

const name = z.string().trim().min(1).max(200);
const key = z.string().min(1).max(100);

export const ScopeConfigModelSchema = z.strictObject({
  setting: SettingSchema,
  fields: z.record(key, SettingSchema).optional(),
});

export const ScopeConfigModelsSchema = z.record(key, ScopeConfigModelSchema);
export type ScopeConfigModels = z.infer<typeof ScopeConfigModelsSchema>;

export const ScopeConfigCreateSchema = z
  .strictObject({
    name,
    category: CategorySchema,
    is_default: z.boolean().optional(),
    models: ScopeConfigModelsSchema,
  })
  .meta({ id: "ScopeConfigCreate" });
export type ScopeConfigCreate = z.infer<typeof ScopeConfigCreateSchema>;

export const ScopeConfigUpdateSchema = z
  .strictObject({
    name: name.optional(),
    is_default: z.boolean().optional(),
    models: ScopeConfigModelsSchema.optional(),
  })
  .meta({ id: "ScopeConfigUpdate" });
export type ScopeConfigUpdate = z.infer<typeof ScopeConfigUpdateSchema>;

/** Per tool: the permissions the config requires (ENABLED and OPTIONAL parts). */
export const ScopePermissionsSchema = z.record(
  z.string(),
  z.object({ required: z.array(z.string()), optional: z.array(z.string()) }),
);

export const ScopeConfigSchema = z
  .object({
    id: idSchema("sc"),
    name: z.string(),
    category: CategorySchema,
    is_default: z.boolean(),
    models: ScopeConfigModelsSchema,
    permissions: ScopePermissionsSchema,
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .meta({ id: "ScopeConfig" });
export type ScopeConfig = z.infer<typeof ScopeConfigSchema>;
