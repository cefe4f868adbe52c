import { z } from "zod";
import { CATEGORIES } from "../names.ts";

export { CATEGORIES };

export const CategorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof CategorySchema>;

export const AuthFieldSchema = z.object({
  id: z.string(),
  label: z.string(),
  type: z.enum(["text", "secret", "url"]),
  required: z.boolean(),
  help: z.string().nullable(),
  placeholder: z.string().nullable(),
});
export type AuthField = z.infer<typeof AuthFieldSchema>;

export const PermissionSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    description: z.string(),
    /** Where in the tool an administrator grants it. */
    where_to_grant: z.string(),
  })
  .meta({ id: "Permission" });
export type Permission = z.infer<typeof PermissionSchema>;

export const ToolFieldSchema = z.object({
  id: z.string(),
  label: z.string(),
  permission: z.string(),
});

export const ToolModelSchema = z.object({
  id: z.string(),
  label: z.string(),
  permission: z.string(),
  fields: z.array(ToolFieldSchema),
});

export const ToolSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    category: CategorySchema,
    logo_url: z.string().nullable(),
    auth: z.object({
      method: z.enum(["API_KEY", "OAUTH2"]),
      fields: z.array(AuthFieldSchema),
    }),
    models: z.array(ToolModelSchema),
    permissions: z.array(PermissionSchema),
  })
  .meta({ id: "Tool" });
export type Tool = z.infer<typeof ToolSchema>;

/** A tool as the catalog lists it: usable (`ready`) or what the operator must configure first. */
export const ToolListItemSchema = ToolSchema.extend({
  ready: z.boolean(),
  /** The settings it lacks, by variable name (`RELINK_TOOL_GUSTO_CLIENT_ID`); empty when ready. */
  missing: z.array(z.string()),
}).meta({ id: "ToolListItem" });
export type ToolListItem = z.infer<typeof ToolListItemSchema>;

export const ToolListSchema = z.object({ data: z.array(ToolListItemSchema) });

export const ToolQuerySchema = z.object({
  scope_config_id: z.string().max(100).optional(),
});

/** A tool as seen through one scope config: the permissions the config requires from it. */
export const ToolWithRequirementsSchema = ToolSchema.extend({
  required_permissions: z.array(z.string()).optional(),
});
