import type { AuthField, Locale, Tool } from "@relink/sdk/contract";
import type { ToolTranslation } from "../types.ts";
import type { DeclaredConnector } from "./schema.ts";

/** The credential form of a declared tool: the auth method's fields, then its parameters. */
function authFields(doc: DeclaredConnector): AuthField[] {
  const field = (
    id: string,
    type: AuthField["type"],
    text: { label: string; help?: string; placeholder?: string },
  ): AuthField => ({
    id,
    label: text.label,
    type,
    required: true,
    help: text.help ?? null,
    placeholder: text.placeholder ?? null,
  });
  const params = doc.params.map((p) => field(p.id, "text", p));
  switch (doc.auth.type) {
    case "api_key":
      return [...params, field("api_key", "secret", doc.auth.key)];
    case "basic":
      return [
        ...params,
        field("username", "text", doc.auth.username),
        field("password", "secret", doc.auth.password),
      ];
    case "oauth2_client_credentials":
      return [
        ...params,
        field("client_id", "text", doc.auth.client_id),
        field("client_secret", "secret", doc.auth.client_secret),
      ];
    case "oauth2_authorization_code":
      return [];
  }
}

/** The tool as the API shows it. */
export function toolOf(doc: DeclaredConnector): Tool {
  return {
    id: doc.id,
    name: doc.name,
    category: doc.category,
    logo_url: doc.logo_url,
    auth: {
      method: doc.auth.type === "oauth2_authorization_code" ? "OAUTH2" : "API_KEY",
      fields: authFields(doc),
    },
    models: doc.models.map((m) => ({
      id: m.id,
      label: m.label,
      permission: m.permission,
      fields: m.fields.map((f) => ({ id: f.id, label: f.label, permission: f.permission })),
    })),
    permissions: doc.permissions.map((p) => ({
      id: p.id,
      label: p.label,
      description: p.description,
      where_to_grant: p.where_to_grant,
    })),
  };
}

export function translationsOf(doc: DeclaredConnector): Partial<Record<Locale, ToolTranslation>> {
  const out: Partial<Record<Locale, ToolTranslation>> = {};
  for (const locale of ["de", "fr", "it", "es"] as const) {
    const t: ToolTranslation = {};
    for (const p of doc.permissions) {
      const texts = p.translations?.[locale];
      if (texts) {
        t.permissions ??= {};
        t.permissions[p.id] = { ...texts };
      }
    }
    for (const m of doc.models) {
      const label = m.translations?.[locale];
      const fields = Object.fromEntries(
        m.fields.flatMap((f) => (f.translations?.[locale] ? [[f.id, f.translations[locale]]] : [])),
      );
      if (label || Object.keys(fields).length > 0) {
        t.models ??= {};
        t.models[m.id] = { ...(label ? { label } : {}), fields };
      }
    }
    const authFieldTexts = doc.translations?.[locale]?.auth_fields;
    if (authFieldTexts) t.authFields = authFieldTexts;
    if (Object.keys(t).length > 0) out[locale] = t;
  }
  return out;
}
