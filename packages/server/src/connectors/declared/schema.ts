import { z } from "zod";

/**
 * A connector as data: what relink needs to know about a tool, declared in JSON instead of
 * written in TypeScript. `declaredConnector()` turns a document into the same `Connector` a coded
 * connector is; `connector.schema.json` (generated from this file) lets editors check documents.
 *
 * Templates: URLs and header values may name `{param}` for a per-integration parameter the end
 * user entered (each declared with the pattern its value must match, so that a value can never
 * change the host or path shape of a request).
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.:-]{0,99}$/, "lowercase letters, digits and _ . : - (at most 100)");

/** A dotted path into a JSON answer: `company.id`, `value.0.id`; empty for the answer itself. */
const jsonPath = z.string().max(200).describe("a dotted path into the JSON answer, e.g. `data.0.id`");

const LocaleKey = z.enum(["de", "fr", "it", "es"]);

const httpsOrTemplateUrl = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s]+$/, "an absolute http(s) URL, possibly with {param} placeholders");

const RequestSchema = z
  .strictObject({
    method: z.enum(["GET", "POST"]).default("GET"),
    /** Relative to `base_url`, or absolute. */
    path: z.string().min(1).max(500),
    query: z.record(z.string(), z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** A JSON body (POST). */
    body: z.unknown().optional(),
  })
  .describe("One request to the tool, authenticated as the auth method says");
export type DeclaredRequest = z.infer<typeof RequestSchema>;

/** How an answer is recognised: its status and, optionally, a value in its body. */
const AnswerMatchSchema = z.strictObject({
  status: z.number().int().min(100).max(599),
  /** The answer matches only if the body's value at `body_path` is one of `body_values`. */
  body_path: jsonPath.optional(),
  body_values: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional(),
});
export type AnswerMatch = z.infer<typeof AnswerMatchSchema>;

const ClientAuthSchema = z
  .enum(["client_secret_basic", "client_secret_post"])
  .describe("How relink's OAuth client authenticates at the token endpoint (RFC 6749 §2.3.1)");

/** A field of the credential form beyond the auth method's own (label and help for the end user). */
const FormFieldTextSchema = z.strictObject({
  label: z.string().min(1).max(100),
  help: z.string().max(500).optional(),
  placeholder: z.string().max(100).optional(),
});

const ApiKeyAuthSchema = z.strictObject({
  type: z.literal("api_key"),
  /**
   * Where the key goes: a header (`name`, optional `prefix` like `Token `), a bearer token, basic
   * auth with the key as the user name (and `password`, often empty or `x`) or as the password
   * (with `username`), or a query parameter (`name`).
   */
  placement: z.discriminatedUnion("in", [
    z.strictObject({
      in: z.literal("header"),
      name: z.string().min(1).max(100),
      prefix: z.string().max(50).optional(),
    }),
    z.strictObject({ in: z.literal("bearer") }),
    z.strictObject({ in: z.literal("basic_as_user"), password: z.string().max(100).default("") }),
    z.strictObject({ in: z.literal("basic_as_password"), username: z.string().max(100) }),
    z.strictObject({ in: z.literal("query"), name: z.string().min(1).max(100) }),
  ]),
  key: FormFieldTextSchema,
});

const BasicAuthSchema = z.strictObject({
  type: z.literal("basic"),
  username: FormFieldTextSchema,
  password: FormFieldTextSchema,
});

const OAuthCodeSchema = z.strictObject({
  type: z.literal("oauth2_authorization_code"),
  authorize_url: httpsOrTemplateUrl,
  token_url: httpsOrTemplateUrl,
  /** RFC 7009 revocation endpoint; the replaced grant is revoked there when a relink completes. */
  revoke_url: httpsOrTemplateUrl.optional(),
  pkce: z.boolean().default(true),
  client_auth: ClientAuthSchema.default("client_secret_post"),
  scope_separator: z.string().min(1).max(3).default(" "),
  /** Scopes requested on every sign-in beside the permissions' own (e.g. `offline_access`). */
  base_scopes: z.array(z.string().max(500)).default([]),
  /** Extra authorize parameters, e.g. `access_type=offline`, `prompt=consent`, `include_granted_scopes=true`. */
  authorize_params: z.record(z.string(), z.string()).default({}),
  /** Each refresh returns a new refresh token and invalidates the old one. */
  refresh_token_rotates: z.boolean().default(false),
});

const ClientCredentialsSchema = z.strictObject({
  type: z.literal("oauth2_client_credentials"),
  token_url: httpsOrTemplateUrl,
  client_auth: ClientAuthSchema.default("client_secret_post"),
  /** The end user creates the client in the tool and enters its id and secret. */
  client_id: FormFieldTextSchema,
  client_secret: FormFieldTextSchema,
  scopes: z.array(z.string().max(500)).default([]),
  scope_separator: z.string().min(1).max(3).default(" "),
  /** Extra token request parameters. */
  token_params: z.record(z.string(), z.string()).default({}),
  /** Where the access token is in the token answer (some tools nest it). */
  access_token_path: jsonPath.default("access_token"),
  expires_in_path: jsonPath.default("expires_in"),
});

export const AuthSchema = z.discriminatedUnion("type", [
  ApiKeyAuthSchema,
  BasicAuthSchema,
  OAuthCodeSchema,
  ClientCredentialsSchema,
]);
export type DeclaredAuth = z.infer<typeof AuthSchema>;

const ParamSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  ...FormFieldTextSchema.shape,
  /** The value must match this (anchored) pattern: it keeps a value from reshaping a URL. */
  pattern: z.string().max(200),
});

const TextsSchema = z.strictObject({
  label: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  where_to_grant: z.string().max(1000).optional(),
});

const PermissionSchema = z.strictObject({
  id,
  label: z.string().min(1).max(200),
  description: z.string().min(1).max(1000),
  where_to_grant: z.string().min(1).max(1000),
  /** The OAuth scope(s) it stands for (default: the id). */
  scopes: z.array(z.string().max(500)).optional(),
  /** For `granted.from = "probe"`: a request that answers 2xx when granted and 403 when not. */
  probe: RequestSchema.optional(),
  /** The same texts in the widget's other languages, where the tool's own UI has them. */
  translations: z.partialRecord(LocaleKey, TextsSchema).optional(),
});

const PaginationSchema = z.discriminatedUnion("style", [
  z.strictObject({ style: z.literal("none") }),
  /** The answer names the next cursor; sent back as `param`. */
  z.strictObject({
    style: z.literal("cursor"),
    param: z.string().max(100),
    next_path: jsonPath,
    limit_param: z.string().max(100).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  /** Numbered pages from `first` until a page has fewer than `size` records. */
  z.strictObject({
    style: z.literal("page"),
    param: z.string().max(100),
    first: z.number().int().min(0).default(1),
    size_param: z.string().max(100),
    size: z.number().int().min(1).max(10_000),
  }),
  /** Offsets until a page has fewer than `limit` records. */
  z.strictObject({
    style: z.literal("offset"),
    param: z.string().max(100),
    limit_param: z.string().max(100),
    limit: z.number().int().min(1).max(10_000),
  }),
  /** The answer carries the next page's full URL (e.g. `@odata.nextLink`), on the tool's origin. */
  z.strictObject({ style: z.literal("next_url"), next_path: jsonPath }),
]);

const ModelSyncSchema = z.strictObject({
  request: RequestSchema,
  /** Where the array of records is in each answer (empty: the answer is the array). */
  records_path: jsonPath,
  /** Where a record's id is. */
  id_path: jsonPath,
  pagination: PaginationSchema.default({ style: "none" }),
  /** relink's field → where it is in the tool's record. */
  fields: z.record(z.string(), jsonPath),
});

const FieldSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,59}$/),
  label: z.string().min(1).max(200),
  permission: id,
  translations: z.partialRecord(LocaleKey, z.string().max(200)).optional(),
});

const ModelSchema = z.strictObject({
  /** One of relink's models of the category (HRIS: employees, teams, time_off_requests, compensations). */
  id: z.string().regex(/^[a-z][a-z0-9_]{0,59}$/),
  label: z.string().min(1).max(200),
  permission: id,
  fields: z.array(FieldSchema).min(1),
  translations: z.partialRecord(LocaleKey, z.string().max(200)).optional(),
  /** How relink reads it; absent: the product syncs it itself (sync sessions). */
  sync: ModelSyncSchema.optional(),
});

const IdentityValueSchema = z.union([
  z.strictObject({ response: jsonPath }),
  z.strictObject({ param: z.string() }),
  /** A credential field the end user entered that names the account (a client id, a service user). */
  z.strictObject({ credential: z.enum(["client_id", "username"]) }),
  z.strictObject({ token_response: jsonPath }),
]);

export const DeclaredConnectorSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z][a-z0-9-]{1,49}$/, "lowercase letters, digits and dashes (2 to 50)"),
    name: z.string().min(1).max(100),
    category: z.enum(["HRIS"]),
    logo_url: z.string().url().nullable().default(null),
    /** Which documentation the declaration was written from (shown in docs, never to end users). */
    documentation: z.array(z.string().url()).default([]),
    base_url: httpsOrTemplateUrl,
    params: z.array(ParamSchema).default([]),
    auth: AuthSchema,
    /** Headers sent with every request (an API version, say). */
    headers: z.record(z.string(), z.string()).default({}),
    check: z.strictObject({
      request: RequestSchema,
      /**
       * The answers that mean "these credentials are rejected". Everything else that is not 2xx —
       * 5xx, 429, timeouts, any other 4xx, a body that is not JSON — is `INCONCLUSIVE`.
       */
      auth_failed: z.array(AnswerMatchSchema).min(1),
    }),
    identity: z.strictObject({
      /** Default: the check's request. */
      request: RequestSchema.optional(),
      id: IdentityValueSchema,
      name: IdentityValueSchema.optional(),
    }),
    permissions: z.array(PermissionSchema).min(1),
    /**
     * How relink learns which permissions the credentials have: the `scope` of the OAuth token
     * answer, a probe request per permission (403 = not granted), a list in a response, or none
     * to learn (every permission counts as granted once the check passes).
     */
    granted: z.discriminatedUnion("from", [
      z.strictObject({ from: z.literal("token_scope") }),
      z.strictObject({
        from: z.literal("probe"),
        denied: z.array(AnswerMatchSchema).default([{ status: 403 }]),
      }),
      z.strictObject({ from: z.literal("response"), request: RequestSchema.optional(), path: jsonPath }),
      z.strictObject({ from: z.literal("all") }),
    ]),
    models: z.array(ModelSchema).min(1),
    /** The tool's own labels in other languages, for the credential form. */
    translations: z
      .partialRecord(
        LocaleKey,
        z.strictObject({ auth_fields: z.record(z.string(), FormFieldTextSchema.partial()).optional() }),
      )
      .optional(),
  })
  .superRefine((doc, ctx) => {
    const permissions = new Set(doc.permissions.map((p) => p.id));
    const params = new Set(doc.params.map((p) => p.id));
    doc.models.forEach((model, m) => {
      if (!permissions.has(model.permission))
        ctx.addIssue({
          code: "custom",
          path: ["models", m, "permission"],
          message: `no permission "${model.permission}" is declared`,
        });
      model.fields.forEach((field, f) => {
        if (!permissions.has(field.permission))
          ctx.addIssue({
            code: "custom",
            path: ["models", m, "fields", f, "permission"],
            message: `no permission "${field.permission}" is declared`,
          });
      });
      for (const target of Object.keys(model.sync?.fields ?? {})) {
        if (!model.fields.some((f) => f.id === target))
          ctx.addIssue({
            code: "custom",
            path: ["models", m, "sync", "fields", target],
            message: `model "${model.id}" declares no field "${target}"`,
          });
      }
    });
    if (doc.granted.from === "probe") {
      doc.permissions.forEach((p, i) => {
        if (!p.probe)
          ctx.addIssue({
            code: "custom",
            path: ["permissions", i, "probe"],
            message: "granted.from is probe: every permission needs a probe request",
          });
      });
    }
    if (
      doc.granted.from === "token_scope" &&
      doc.auth.type !== "oauth2_authorization_code" &&
      doc.auth.type !== "oauth2_client_credentials"
    )
      ctx.addIssue({
        code: "custom",
        path: ["granted", "from"],
        message: "token_scope needs an OAuth auth method",
      });
    const used = JSON.stringify(doc).matchAll(/\{([a-z][a-z0-9_]*)\}/g);
    for (const [, name] of used) {
      if (name && !params.has(name))
        ctx.addIssue({
          code: "custom",
          path: ["params"],
          message: `the template {${name}} names no declared parameter`,
        });
    }
    doc.params.forEach((p, i) => {
      try {
        new RegExp(p.pattern);
      } catch {
        ctx.addIssue({
          code: "custom",
          path: ["params", i, "pattern"],
          message: "not a valid regular expression",
        });
      }
    });
  })
  .meta({ id: "DeclaredConnector", title: "A relink connector declared as data" });

export type DeclaredConnectorDocument = z.input<typeof DeclaredConnectorSchema>;
export type DeclaredConnector = z.output<typeof DeclaredConnectorSchema>;
