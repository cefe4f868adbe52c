import { describe, expect, it } from "vitest";
import "../src/define.ts";

describe("<relink-connect>", () => {
  it("tells the user to ask for a new link when it has no token", async () => {
    const el = document.createElement("relink-connect");
    document.body.append(el);
    await el.updateComplete;
    expect(el.shadowRoot?.querySelector('[part="panel"]')?.textContent).toContain("Ask for a new link");
    el.remove();
  });
});
