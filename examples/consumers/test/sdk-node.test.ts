import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumerDir, type PackedServer, run, startPackedServer, workDir } from "./support.ts";

/**
 * The SDK from its tarball, in plain Node projects outside the workspace: an ES module and a
 * CommonJS script, each minting a flow token the running (packed) server accepts, verifying a
 * webhook signature, and calling the management API with the client.
 */

// One consumer script, written once as ESM and once as CommonJS: the same calls a backend makes.
const BODY = (load: string) => `${load}
const [url, apiKey, workspaceId] = process.argv.slice(2);
const relink = new RelinkClient({ baseUrl: url, apiKey });
const key = await relink.signingKeys.create({ algorithm: "HS256" });
const token = await mintConnectToken({
  workspaceId,
  key: { id: key.id, secret: key.secret },
  endUser: { originId: "org_42", organizationName: "Acme Corp" },
});
const flow = await fetch(url + "/connect/v1/flow", { headers: { authorization: "Bearer " + token } });
const event = {
  id: "evt_01jd5x3m9k2q8r7t6y5w4v3u2s",
  type: "integration-state-changed",
  created_at: new Date().toISOString(),
  data: {
    integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
    integration_tool: "demo-hris",
    integration_category: "HRIS",
    end_user: { origin_id: "org_42", organization_name: "Acme Corp", email: null },
    state: "INVALID",
    previous_state: "ACTIVE",
    reason: "AUTHENTICATION_FAILED",
    updated_at: new Date().toISOString(),
  },
};
const body = JSON.stringify(event);
const secret = "whsec_" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
const headers = await signWebhook({ id: event.id, timestamp: new Date(), body, secret });
const verified = await verifyWebhook({ body, headers, secret });
let tampered = null;
try {
  await verifyWebhook({ body: body.replace("INVALID", "ACTIVE"), headers, secret });
} catch (error) {
  tampered = error instanceof WebhookVerificationError ? error.code : String(error);
}
const keys = await relink.signingKeys.list();
console.log(JSON.stringify({
  flowStatus: flow.status,
  flow: await flow.json(),
  verifiedType: verified.type,
  tampered,
  keyIds: keys.data.map((k) => k.id),
  createdKey: key.id,
}));
`;

describe("@relink/sdk installed from its tarball with npm, in Node", () => {
  let server: PackedServer;
  beforeAll(async () => {
    server = await startPackedServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const check = (stdout: string) => {
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(result.flowStatus).toBe(200);
    expect(result.flow).toMatchObject({ flow: "connect" });
    expect(result.verifiedType).toBe("integration-state-changed");
    expect(result.tampered).toBe("INVALID_SIGNATURE");
    expect(result.keyIds).toContain(result.createdKey);
  };

  it("an ES module project mints a token the running server accepts, verifies a webhook and calls the API", async () => {
    const dir = workDir("esm");
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, "backend.js"),
      BODY(`import { RelinkClient } from "@relink/sdk";
import { mintConnectToken, signWebhook, verifyWebhook, WebhookVerificationError } from "@relink/sdk/server";`),
    );
    const { stdout } = await run(
      process.execPath,
      ["backend.js", server.url, server.apiKey, server.workspaceId],
      {
        cwd: dir,
      },
    );
    check(stdout);
  });

  it("a CommonJS project requires the SDK and does the same (require of an ES module, Node 20.19+)", async () => {
    const dir = workDir("cjs");
    writeFileSync(join(dir, "package.json"), '{ "type": "commonjs" }\n');
    writeFileSync(
      join(dir, "backend.js"),
      `const { RelinkClient } = require("@relink/sdk");
const { mintConnectToken, signWebhook, verifyWebhook, WebhookVerificationError } = require("@relink/sdk/server");
(async () => {
${BODY("")}
})().catch((error) => { console.error(error); process.exit(1); });
`,
    );
    const { stdout } = await run(
      process.execPath,
      ["--no-warnings", "backend.js", server.url, server.apiKey, server.workspaceId],
      { cwd: dir },
    );
    check(stdout);
  });

  it("the consumer project is outside the workspace", () => {
    expect(consumerDir().startsWith(join(import.meta.dirname, "../../.."))).toBe(false);
  });
});
