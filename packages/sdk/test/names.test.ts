import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as contract from "../src/contract/index.ts";
import * as names from "../src/names.ts";

describe("@relink/sdk/names", () => {
  it("imports nothing, so a bundle of it carries no validation library", () => {
    const source = readFileSync(new URL("../src/names.ts", import.meta.url), "utf8");
    // (the module's doc comment shows an import; its code has none)
    expect(source).not.toMatch(/^(import|export\b[^\n]*\bfrom)\b|[^*]\s\bimport\(/m);
  });

  it("is the one source of the contract's lists: the contract re-exports the same arrays", () => {
    const lists = Object.entries(names).filter(([, value]) => Array.isArray(value));
    expect(lists.length).toBeGreaterThanOrEqual(20);
    const exported = new Map(Object.entries(contract));
    for (const [name, list] of lists) expect(exported.get(name), name).toBe(list);
  });

  it("builds the contract's enums from those arrays", () => {
    expect(contract.WebhookEventTypeSchema.options).toEqual([...names.WEBHOOK_EVENT_TYPES]);
    expect(contract.ErrorCodeSchema.options).toEqual([...names.ERROR_CODES]);
    expect(contract.IntegrationStateSchema.options).toEqual([...names.INTEGRATION_STATES]);
    expect(contract.ApiKeyScopeSchema.options).toEqual([...names.API_KEY_SCOPES]);
    expect(contract.SettingSchema.options).toEqual([...names.SETTINGS]);
  });
});
