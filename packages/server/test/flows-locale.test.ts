import type { ConnectFlow, Locale, Tool } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signFlowToken } from "../src/flow-tokens/verify.ts";
import { acceptedLocale } from "../src/routes/connect.ts";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, S2_MODELS, startFlowWorld } from "./flows-support.ts";

/**
 * The tool's labels in the flow's language: connectors may translate their permissions, credential
 * fields and models; the connect API gives the end user the flow's language, the management API
 * the tool as it is.
 */
describe.each(availableDialects())("the tool's labels in the flow's language on %s", (dialect) => {
  let w: FlowWorld;
  let scope: string;
  beforeAll(async () => {
    w = await startFlowWorld({ dialect });
    scope = await w.scopeConfig("Employees and time off", {
      ...S2_MODELS,
      compensations: { setting: "OPTIONAL" },
    });
  });
  afterAll(() => w?.close());

  const token = async (locale?: Locale, tool = "demo-hris") =>
    (
      await signFlowToken(w.relink.relink.ctx, {
        workspaceId: w.workspaceId,
        claims: {
          flow: "connect",
          tool,
          scope_config_id: scope,
          end_user: { origin_id: "new-1", organization_name: "New GmbH" },
          ...(locale ? { locale } : {}),
        },
        lifetime: 3600,
      })
    ).token;

  const flow = async (t: string, query = "", headers: Record<string, string> = {}) => {
    const response = await w.connect("GET", `/connect/v1/flow${query}`, t, undefined, headers);
    expect(response.status).toBe(200);
    return (await response.json()) as ConnectFlow;
  };
  const labels = (f: ConnectFlow) => f.required_permissions.map((p) => p.label);

  it("the token's locale: permissions, the credential field and optional data in German", async () => {
    const f = await flow(await token("de"));
    expect(labels(f)).toEqual(["Mitarbeitende (lesen)", "Abwesenheiten (lesen)", "Vergütung (lesen)"]);
    expect(f.required_permissions[0]?.description).toBe(
      "Name, geschäftliche E-Mail, Stelle und Team aller Mitarbeitenden.",
    );
    // Where to grant it names the tool's own (English) screens: untranslated.
    expect(f.required_permissions[0]?.where_to_grant).toContain("Settings → API access");
    expect(f.tool?.auth.fields[0]).toMatchObject({ id: "api_key", label: "API-Schlüssel" });
    expect(f.optional_parts).toEqual([
      { id: "compensations", label: "Vergütungen", permission: "compensation:read" },
    ]);
    expect(f.locale).toBe("de");
  });

  it("?locale= (the widget's locale attribute) wins over the token's; Accept-Language comes last", async () => {
    expect(labels(await flow(await token("de"), "?locale=fr"))[0]).toBe("Employés (lecture)");
    expect(labels(await flow(await token(), "", { "accept-language": "it-CH, de;q=0.8" }))[0]).toBe(
      "Dipendenti (lettura)",
    );
    expect(labels(await flow(await token("es"), "", { "accept-language": "it" }))[0]).toBe(
      "Empleados (lectura)",
    );
    // No language relink has: the tool's own words.
    expect(labels(await flow(await token(), "", { "accept-language": "pt-BR, zh;q=0.5" }))[0]).toBe(
      "Employees (read)",
    );
    // The OAuth variant of the tool shares the translations.
    expect(labels(await flow(await token("de", "demo-hris-oauth")))[0]).toBe("Mitarbeitende (lesen)");
  });

  it("an unknown ?locale= is refused in the error envelope", async () => {
    const response = await w.connect("GET", "/connect/v1/flow?locale=pt", await token());
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("INVALID_REQUEST");
    expect(body.error.message).toContain("locale");
  });

  it("the management API lists the tool in its own words", async () => {
    const tools = (await (await w.api("GET", "/v1/tools")).json()) as { data: Tool[] };
    const hris = tools.data.find((t) => t.id === "demo-hris");
    expect(hris?.permissions.find((p) => p.id === "employees:read")?.label).toBe("Employees (read)");
    expect(JSON.stringify(hris)).not.toContain("Mitarbeitende");
  });
});

describe("Accept-Language", () => {
  it("picks the most preferred language relink has, region subtags ignored", () => {
    expect(acceptedLocale("de-CH,de;q=0.9,en;q=0.8")).toBe("de");
    expect(acceptedLocale("pt-BR, fr;q=0.3, es;q=0.7")).toBe("es");
    expect(acceptedLocale("en;q=0, it")).toBe("it");
    expect(acceptedLocale("*")).toBeUndefined();
    expect(acceptedLocale("")).toBeUndefined();
    expect(acceptedLocale(undefined)).toBeUndefined();
    expect(acceptedLocale("de;q=abc, fr")).toBe("fr");
  });
});
