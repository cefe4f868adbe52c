/**
 * The wire contract of relink: the zod schemas and inferred types of every request, response,
 * error code and webhook event. The server validates with these same schemas and generates
 * `/openapi.json` from them.
 *
 * @example
 * ```ts
 * import { IntegrationSchema, type Integration } from "@relink/sdk/contract";
 * const integration: Integration = IntegrationSchema.parse(await response.json());
 * ```
 * @module
 */
export * from "./api-keys.ts";
export * from "./beyond.ts";
export * from "./common.ts";
export * from "./connect.ts";
export * from "./dashboard.ts";
export * from "./errors.ts";
export * from "./flow-tokens.ts";
export * from "./integrations.ts";
export * from "./records.ts";
export * from "./relink-links.ts";
export * from "./scope-configs.ts";
export * from "./scope-rules.ts";
export * from "./signing-keys.ts";
export * from "./sync-sessions.ts";
export * from "./text.ts";
export * from "./tools.ts";
export * from "./webhook-endpoints.ts";
export * from "./webhooks.ts";
