import { afterEach, expect, it } from "vitest";
import { commands } from "vitest/browser";
import { ctx, type Mounted, mount, scenario } from "./support/harness.ts";

/**
 * The later views come in a chunk of their own (`views/steps.ts`, `chunks/steps-*.js` once built):
 * the intro never waits for it, and it is fetched as soon as the intro has rendered. This file
 * holds that chunk back (for its own frame only) to see both; it runs in a frame of its own, so
 * the chunk is not loaded before the test starts.
 */
let m: Mounted | undefined;
afterEach(async () => {
  await commands.releaseViews();
  m?.remove();
  m = undefined;
});

it("the intro is interactive while the later views are still held back; they are fetched once it rendered, and Get started waits for them", async () => {
  await commands.holdViews();
  const s = await scenario({ flow: "relink", scope: "extended" });
  m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
  await m.step("intro");
  const start = m.$<HTMLButtonElement>("button.primary");
  expect(start.textContent?.trim()).toBe("Get started");
  expect(start.disabled).toBe(false);
  expect(m.$("[part~=title]").textContent).toBe("Reconnect Demo HR");
  expect(m.text()).toContain("Step 1 of 3");
  // Prefetched after the first render, once: the end user's click need not fetch it.
  await expect.poll(() => commands.viewsRequested()).toBe(1);

  // A click while the chunk is still on its way: the next step shows as soon as it is in.
  await m.click("Get started");
  expect(m.$("[part~=title]").textContent).toBe("Reconnect Demo HR");
  await commands.releaseViews();
  await m.step("permissions");
  expect(m.$$("[part~=permission]")).toHaveLength(4);
  expect(await commands.viewsRequested()).toBe(1);
});
