import type {
  PageQuerySchema,
  RelinkCampaign,
  RelinkCampaignCreate,
  RelinkCampaignPreview,
  ScopeConfig,
  ScopeConfigCreateSchema,
  ScopeConfigUpdateSchema,
  Tool,
  ToolListItem,
} from "../contract/index.ts";
import { type Body, type ListQuery, type RequestOptions, segment, type Transport } from "./transport.ts";

/** The tool catalog. */
export function toolsResource(t: Transport) {
  return {
    /**
     * `GET /v1/tools`: every tool the server has a connector for, `ready` or with the settings it lacks.
     * @example
     * ```ts
     * const tools = await relink.tools.list();
     * ```
     */
    list: async (options?: RequestOptions): Promise<ToolListItem[]> =>
      (await t.request<{ data: ToolListItem[] }>("GET", "/v1/tools", { options })).data,
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
    /** Relink campaigns of a scope config: ask every integration on it (or on a tool) to relink. */
    relinkCampaigns: {
      /**
       * `GET /v1/scope-configs/:id/relink-campaigns`: the config's campaigns with their progress.
       * @example
       * ```ts
       * const campaigns = await relink.scopeConfigs.relinkCampaigns.list("sc_…");
       * ```
       */
      list: async (id: string, options?: RequestOptions): Promise<RelinkCampaign[]> =>
        (
          await t.request<{ data: RelinkCampaign[] }>(
            "GET",
            `/v1/scope-configs/${segment(id)}/relink-campaigns`,
            { options },
          )
        ).data,
      /**
       * `POST /v1/scope-configs/:id/relink-campaigns/preview`: how many integrations a campaign would ask, now.
       * @example
       * ```ts
       * const { total } = await relink.scopeConfigs.relinkCampaigns.preview("sc_…", { models });
       * ```
       */
      preview: (
        id: string,
        body: RelinkCampaignCreate,
        options?: RequestOptions,
      ): Promise<RelinkCampaignPreview> =>
        t.request("POST", `/v1/scope-configs/${segment(id)}/relink-campaigns/preview`, { body, options }),
      /**
       * `POST /v1/scope-configs/:id/relink-campaigns`: starts a campaign.
       * @example
       * ```ts
       * const campaign = await relink.scopeConfigs.relinkCampaigns.create("sc_…", { models });
       * ```
       */
      create: (id: string, body: RelinkCampaignCreate, options?: RequestOptions): Promise<RelinkCampaign> =>
        t.request("POST", `/v1/scope-configs/${segment(id)}/relink-campaigns`, { body, options }),
    },
  };
}
