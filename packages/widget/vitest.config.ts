import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { playwright } from "@vitest/browser-playwright";
import { defineProject } from "vitest/config";
import type { BrowserCommandContext } from "vitest/node";
import { BUDGET_BYTES, type BundleReport, buildAndMeasure } from "./scripts/bundle-size.ts";
import { chromiumArgs, chromiumPath } from "./scripts/chromium.ts";

const holds = new Map<string, { requested: number; release: () => void; released: Promise<void> }>();

/** Node-side commands the browser tests call through `commands` from `vitest/browser`. */
const commands = {
  /**
   * Acts as the end user in the OAuth popup: waits for the demo HR consent page, picks the
   * company and approves or denies (or just closes the window).
   */
  async oauthConsent(
    ctx: BrowserCommandContext,
    options: { decision: "approve" | "deny" | "close"; company?: string },
  ) {
    const isConsent = (p: { url(): string }) => p.url().includes("/oauth/authorize");
    let popup = ctx.context.pages().find(isConsent);
    // The popup opens on about:blank and navigates once the server answered: seconds on a busy machine.
    const deadline = Date.now() + 30_000;
    while (!popup && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      popup = ctx.context.pages().find(isConsent);
    }
    if (!popup) throw new Error(`no consent page among ${ctx.context.pages().map((p) => p.url())}`);
    await popup.waitForLoadState();
    if (options.decision === "close") return void (await popup.close());
    if (options.company) await popup.selectOption("select[name=company_id]", options.company);
    await popup.click(`button[value=${options.decision}]`);
  },
  /**
   * Holds back the later views' chunk (`views/steps.ts`) for the calling test's frame only, until
   * `releaseViews()`: the test sees what the first view does without it, and whether it was asked for.
   */
  async holdViews(ctx: BrowserCommandContext) {
    const frame = await ctx.frame();
    let release!: () => void;
    const hold = {
      requested: 0,
      release: () => release(),
      released: new Promise<void>((r) => (release = r)),
    };
    holds.set(ctx.sessionId, hold);
    await ctx.context.route(
      (url) => url.pathname.endsWith("/relink-connect/views/steps.ts"),
      async (route) => {
        if (route.request().frame() === frame) {
          hold.requested++;
          await hold.released;
        }
        await route.fallback();
      },
    );
  },
  /** How many requests for the later views' chunk the held frame made. */
  viewsRequested(ctx: BrowserCommandContext) {
    return holds.get(ctx.sessionId)?.requested ?? 0;
  },
  releaseViews(ctx: BrowserCommandContext) {
    holds.get(ctx.sessionId)?.release();
  },
  /** Builds the drop-in module into a temporary folder and reports its gzip size and the budget. */
  async bundleSize() {
    const outDir = mkdtempSync(join(tmpdir(), "relink-widget-size-"));
    try {
      return { ...(await buildAndMeasure(outDir)), budget: BUDGET_BYTES };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  },
};

declare module "vitest/browser" {
  interface BrowserCommands {
    oauthConsent(options: { decision: "approve" | "deny" | "close"; company?: string }): Promise<void>;
    bundleSize(): Promise<BundleReport & { budget: number }>;
    holdViews(): Promise<void>;
    viewsRequested(): Promise<number>;
    releaseViews(): Promise<void>;
  }
}

export default defineProject({
  test: {
    name: "widget",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/browser-setup.ts"],
    testTimeout: 60_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
      }),
      instances: [{ browser: "chromium" }],
      commands,
    },
  },
});
