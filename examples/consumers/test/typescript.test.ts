import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, workDir } from "./support.ts";

/** What a TypeScript product compiles against: the published `.d.ts`, nothing else. */
const CONSUMER = `import { RelinkApiError, RelinkClient, type Integration } from "@relink/sdk";
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from "@relink/sdk/contract";
import { mintRelinkToken, verifyWebhook } from "@relink/sdk/server";
import { defineConfig } from "@relink/server";
import { openRelink, type RelinkSuccessDetail } from "@relink/widget";

const relink = new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: "rlk_example" });

export async function reconnect(id: string): Promise<string> {
  const integration: Integration = await relink.integrations.get(id);
  const token: string = await mintRelinkToken({
    workspaceId: "ws_01jd5x3m9k2q8r7t6y5w4v3u2s",
    key: { id: "sk_01jd5x3m9k2q8r7t6y5w4v3u2s", secret: "a secret of at least 32 bytes.........." },
    integrationId: integration.id,
  });
  // @ts-expect-error integrationId is required
  await mintRelinkToken({ workspaceId: "ws_1", key: { id: "sk_1", secret: "s" } });
  return token;
}

export async function onWebhook(body: string, headers: Record<string, string>): Promise<WebhookEvent["type"]> {
  const event = await verifyWebhook({ body, headers, secret: "whsec_c2VjcmV0" });
  if (event.type === "integration-state-changed") {
    const state: string = event.data.state;
    console.log(state);
  }
  return event.type;
}

export function inThePage(token: string): void {
  const flow = document.createElement("relink-connect"); // typed as the element
  flow.token = token;
  flow.addEventListener("relink-success", (event) => {
    const detail: RelinkSuccessDetail = event.detail;
    console.log(detail.integration_id);
  });
  flow.show();
  // @ts-expect-error not a method of the element
  flow.showw();
  void openRelink({ token, server: "https://relink.example.com" });
}

export const config = defineConfig({ databaseUrl: "sqlite::memory:" });
export const types: readonly string[] = WEBHOOK_EVENT_TYPES;
export const isApiError = (error: unknown): boolean => error instanceof RelinkApiError;
`;

describe("the packages' declarations from their tarballs, in a strict TypeScript project", () => {
  it.each(["nodenext"])(
    "a strict consumer type-checks against the published .d.ts (moduleResolution %s), and misuse is a type error",
    async (resolution) => {
      const dir = workDir(`ts-${resolution}`);
      writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
      writeFileSync(join(dir, "consumer.ts"), CONSUMER);
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "es2022",
            module: resolution === "nodenext" ? "nodenext" : "esnext",
            moduleResolution: resolution,
            lib: ["es2023", "dom", "dom.iterable"],
            types: ["node"],
            skipLibCheck: true,
          },
          files: ["consumer.ts"],
        }),
      );
      const tsc = join(dir, "../node_modules/typescript/bin/tsc");
      const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).then(
        () => "",
        (error: { stdout: string }) => error.stdout,
      );
      expect(result).toBe("");
      // The @ts-expect-error lines prove the types are real: without them, the misuse fails.
      writeFileSync(
        join(dir, "consumer.ts"),
        CONSUMER.replaceAll("// @ts-expect-error", "// (was expected)"),
      );
      const misuse = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).then(
        () => "",
        (error: { stdout: string }) => error.stdout,
      );
      expect(misuse).toContain("Property 'integrationId' is missing");
      expect(misuse).toContain("Property 'showw' does not exist");
    },
  );
});
