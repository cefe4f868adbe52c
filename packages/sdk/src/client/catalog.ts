import type {
  PageQuerySchema,
  ScopeConfig,
  ScopeConfigCreateSchema,
  ScopeConfigUpdateSchema,
  Tool,
} from "../contract/index.ts";
import { type Body, type ListQuery, type RequestOptions, segment, type Transport } from "./transport.ts";

/** The tool catalog. */
export function toolsResource(t: Transport) {
  return {
    /**
     * `GET /v1/tools`: every tool the server has a connector for.
     * @example
     * ```ts
     * const tools = await relink.tools.list();
     * ```
     */
    list: async (options?: RequestOptions): Promise<Tool[]> =>
      (await t.request<{ data: Tool[] }>("GET", "/v1/tools", { options })).data,
    /**
     * `GET /v1/tools/:tool`; with `scope_config_id`, the permissions that config requires from it.
     * @example
     * ```ts
     * const { required_permissions } = await relink.tools.get("demo-hris", { scope_config_id: "sc_…" });
     * ```
     */
    get: (
      tool: string,
      query: { scope_config_id?: string } = {},
      options?: RequestOptions,
    ): Promise<Tool & { required_permissions?: string[] }> =>
      t.request("GET", `/v1/tools/${segment(tool)}`, { query, options }),
  };
}

/** Scope configs: which models and fields the product wants. */
export function scopeConfigsResource(t: Transport) {
  return {
    /**
     * `GET /v1/scope-configs`.
     * @example
     * ```ts
     * for await (const config of relink.scopeConfigs.list()) console.log(config.name);
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      t.list<ScopeConfig>("/v1/scope-configs", query, options),
    /**
     * `POST /v1/scope-configs`, validated against the catalog.
     * @example
     * ```ts
     * await relink.scopeConfigs.create({ name: "Payroll", category: "HRIS", models: { employees: { setting: "ENABLED" } } });
     * ```
     */
    create: (body: Body<typeof ScopeConfigCreateSchema>, options?: RequestOptions): Promise<ScopeConfig> =>
      t.request("POST", "/v1/scope-configs", { body, options }),
    /**
     * `GET /v1/scope-configs/:id`.
     * @example
     * ```ts
     * const config = await relink.scopeConfigs.get("sc_…");
     * ```
     */
    get: (id: string, options?: RequestOptions): Promise<ScopeConfig> =>
      t.request("GET", `/v1/scope-configs/${segment(id)}`, { options }),
    /**
     * `PATCH /v1/scope-configs/:id`.
     * @example
     * ```ts
     * await relink.scopeConfigs.update("sc_…", { is_default: true });
     * ```
     */
    update: (
      id: string,
      body: Body<typeof ScopeConfigUpdateSchema>,
      options?: RequestOptions,
    ): Promise<ScopeConfig> => t.request("PATCH", `/v1/scope-configs/${segment(id)}`, { body, options }),
    /**
     * `DELETE /v1/scope-configs/:id` (refused with `SCOPE_CONFIG_IN_USE` while integrations use it).
     * @example
     * ```ts
     * await relink.scopeConfigs.delete("sc_…");
     * ```
     */
    delete: (id: string, options?: RequestOptions): Promise<void> =>
      t.request("DELETE", `/v1/scope-configs/${segment(id)}`, { options }),
  };
}
