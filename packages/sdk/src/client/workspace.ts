import type {
  AllowedOrigins,
  AllowedOriginsUpdate,
  ApiKey,
  ApiKeyCreated,
  ApiKeyCreateSchema,
  Branding,
  BrandingUpdate,
  HmacSigningKeyCreated,
  PageQuerySchema,
  PublicSigningKeyCreated,
  SigningKey,
  SigningKeyCreateSchema,
} from "../contract/index.ts";
import { type Body, type ListQuery, type RequestOptions, segment, type Transport } from "./transport.ts";

/**
 * The creation answer for a key algorithm: the HS256 one carries the secret.
 *
 * @example
 * ```ts
 * const created: SigningKeyCreatedFor<"HS256"> = await relink.signingKeys.create({ algorithm: "HS256" });
 * created.secret; // string
 * ```
 */
export type SigningKeyCreatedFor<A> = A extends "HS256" ? HmacSigningKeyCreated : PublicSigningKeyCreated;

/** Flow-token signing keys. */
export function signingKeysResource(t: Transport) {
  return {
    /**
     * `GET /v1/signing-keys` (never their secrets).
     * @example
     * ```ts
     * const { data } = await relink.signingKeys.list();
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      t.list<SigningKey>("/v1/signing-keys", query, options),
    /**
     * `POST /v1/signing-keys`: an HS256 secret (in this answer only) or a registered public JWK.
     * @example
     * ```ts
     * const { id, secret } = await relink.signingKeys.create({ algorithm: "HS256" });
     * ```
     */
    create: <B extends Body<typeof SigningKeyCreateSchema>>(
      body: B,
      options?: RequestOptions,
    ): Promise<SigningKeyCreatedFor<B["algorithm"]>> =>
      t.request("POST", "/v1/signing-keys", { body, options }),
    /**
     * `DELETE /v1/signing-keys/:id`: tokens it signed are refused at once.
     * @example
     * ```ts
     * await relink.signingKeys.revoke("sk_…");
     * ```
     */
    revoke: (id: string, options?: RequestOptions): Promise<void> =>
      t.request("DELETE", `/v1/signing-keys/${segment(id)}`, { options }),
  };
}

/** Workspace settings. */
export function settingsResource(t: Transport) {
  return {
    /**
     * `GET /v1/settings/allowed-origins`: the origins whose pages may run the connect flow.
     * @example
     * ```ts
     * const { allowed_origins } = await relink.settings.getAllowedOrigins();
     * ```
     */
    getAllowedOrigins: (options?: RequestOptions): Promise<AllowedOrigins> =>
      t.request("GET", "/v1/settings/allowed-origins", { options }),
    /**
     * `PUT /v1/settings/allowed-origins`: replaces the list (CORS of the connect API, OAuth callback targets).
     * @example
     * ```ts
     * await relink.settings.setAllowedOrigins({ allowed_origins: ["https://app.example.com"] });
     * ```
     */
    setAllowedOrigins: (body: AllowedOriginsUpdate, options?: RequestOptions): Promise<AllowedOrigins> =>
      t.request("PUT", "/v1/settings/allowed-origins", { body, options }),
    /**
     * `GET /v1/settings/branding`: the product name, logo URL and accent colour end users see.
     * @example
     * ```ts
     * const { product_name } = await relink.settings.getBranding();
     * ```
     */
    getBranding: (options?: RequestOptions): Promise<Branding> =>
      t.request("GET", "/v1/settings/branding", { options }),
    /**
     * `PUT /v1/settings/branding`: replaces the brand (a field left out is unset); the hosted page
     * then says who asks the end user to reconnect.
     * @example
     * ```ts
     * await relink.settings.setBranding({
     *   product_name: "Acme Payroll",
     *   logo_url: "https://cdn.acme.example/logo.png",
     *   accent_color: "#0f766e",
     * });
     * ```
     */
    setBranding: (body: BrandingUpdate, options?: RequestOptions): Promise<Branding> =>
      t.request("PUT", "/v1/settings/branding", { body, options }),
  };
}

/** API keys of the workspace. */
export function apiKeysResource(t: Transport) {
  return {
    /**
     * `GET /v1/api-keys` (never the keys themselves).
     * @example
     * ```ts
     * const { data } = await relink.apiKeys.list();
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      t.list<ApiKey>("/v1/api-keys", query, options),
    /**
     * `POST /v1/api-keys`: the key is in this answer only.
     * @example
     * ```ts
     * const { key } = await relink.apiKeys.create({ name: "billing service" });
     * ```
     */
    create: (body: Body<typeof ApiKeyCreateSchema>, options?: RequestOptions): Promise<ApiKeyCreated> =>
      t.request("POST", "/v1/api-keys", { body, options }),
    /**
     * `DELETE /v1/api-keys/:id`: refused at once (the last key cannot be revoked).
     * @example
     * ```ts
     * await relink.apiKeys.revoke("key_…");
     * ```
     */
    revoke: (id: string, options?: RequestOptions): Promise<void> =>
      t.request("DELETE", `/v1/api-keys/${segment(id)}`, { options }),
  };
}
